/**
 * Batch experiments: runs every scenario of an experiment on a pool of worker threads, appending each run's
 * record to DIR/results.ndjson as soon as it finishes, so that an interrupted sweep can be resumed.
 *
 * Output directory:
 *   manifest.json    the experiment (name, fingerprint, a copy of the file), the shard, the run counts
 *   results.ndjson   one RunRecord per line, in the order runs FINISH (not by index: it depends on the
 *                    number of workers and on timing; read it with readResults(), which sorts by index)
 *   sweep.lock       present while a sweep writes the directory (pid and host), to refuse a second one
 *
 * Every line is appended with one write of the whole line, so a kill (even SIGKILL) leaves at most one torn
 * last line, which a resume drops. Records are deterministic: the same experiment gives the same records
 * whatever the number of workers or shards.
 *
 * Stopping (`signal` aborted, e.g. on SIGINT): no new run starts, runs in flight are aborted (their worker
 * threads terminated; migrate() is synchronous, so a run cannot stop half-way otherwise) and the sweep
 * returns with `interrupted: true`. Aborted runs were not recorded, so a resume runs them again: at most
 * `workers` runs of work are lost, and nothing finished is.
 */
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, unlinkSync, writeFileSync, writeSync, statSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Tinypool } from 'tinypool';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { loadExperiment } from '../experiments/load.js';
import type { Experiment, ScenarioRun } from '../experiments/types.js';
import { describeManifest, manifestPath, readManifest, writeManifest, type SweepManifest } from './manifest.js';
import { RESULTS_FILE, scanResults } from './results.js';
import { formatShard, inShard, sameShard, selectShard, toShard, type Shard } from './shard.js';
import { SweepError } from '../errors/sweep-error.js';
import type { SweepTask, SweepTaskResult } from './sweep-worker.js';

export const LOCK_FILE = 'sweep.lock';
/** Most worker threads accepted. */
export const MAX_WORKERS = 1024;

export interface SweepOptions {
  /** The experiment: a file path (loaded and checked), or one already loaded with loadExperiment(). */
  experiment: string | Experiment;
  /** The experiment file's content, copied into the manifest when `experiment` is not a path. */
  source?: unknown;
  /** Output directory; created if missing. */
  outDir: string;
  /** Worker threads. @default os.availableParallelism() */
  workers?: number;
  /**
   * Continue the sweep in `outDir`: keep the runs already in results.ndjson, run the others. Refused if the
   * directory holds another experiment or shard. Without it, a directory holding a sweep is refused. With it,
   * an empty or missing directory simply starts the sweep.
   */
  resume?: boolean;
  /** Only this slice of the runs ("i/n" or {index, count}): those with index % n === i − 1. @default 1/1 */
  shard?: Shard | string;
  /** Called once before the first run (run: null), then after each run is recorded. */
  onProgress?: (progress: SweepProgress) => void;
  /** Abort to stop the sweep: no new runs, runs in flight aborted, returns with interrupted: true. */
  signal?: AbortSignal;
}

export interface SweepProgress {
  /** Runs this call has to do: the shard's runs not already in the results file. */
  total: number;
  /** Runs this call has recorded so far. */
  done: number;
  completed: number;
  cancelled: number;
  /** Runs found already recorded when this call started. */
  skipped: number;
  /** The run just recorded; null for the first call, before any run. */
  run: { index: number; id: string; status: 'completed' | 'cancelled' } | null;
  elapsedMs: number;
  /** Worker threads in use. */
  workers: number;
}

export interface SweepSummary {
  experiment: string;
  fingerprint: string;
  shard: Shard;
  outDir: string;
  resultsFile: string;
  /** Runs in the sweep (in its shard, when sharded). */
  total: number;
  /** Runs already recorded when this call started (resumed), not run again. */
  skipped: number;
  /** Runs run and recorded by this call. */
  done: number;
  /** Runs still missing from the results (0 unless interrupted). */
  remaining: number;
  /** Migration outcomes of the runs this call did. */
  completed: number;
  cancelled: number;
  /** The signal stopped the sweep before every run was recorded. */
  interrupted: boolean;
  /** Bytes of a torn last line dropped from results.ndjson on resume (0 if none). */
  droppedBytes: number;
  workers: number;
  wallMs: number;
}

/** Runs (or resumes) a sweep; see the module comment. Throws SweepError (a LivemigError) for user errors. */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const t0 = performance.now();
  const { experiment, source, file } = resolveExperiment(options);
  const shard = toShard(options.shard);
  const workers = checkWorkers(options.workers);
  if (typeof options.outDir !== 'string' || options.outDir === '') throw new InvalidOptionError('outDir', options.outDir, 'a directory path');
  const outDir = options.outDir;
  const runs = selectShard(experiment.runs, shard);
  const resultsFile = join(outDir, RESULTS_FILE);

  mkdirSync(outDir, { recursive: true });
  const releaseLock = acquireLock(outDir);
  try {
    const { present, droppedBytes } = prepareDirectory({ outDir, resultsFile, experiment, shard, runs: runs.length, resume: options.resume === true, file, source });
    const pending = runs.filter((r) => !present.has(r.index));
    const summary: SweepSummary = {
      experiment: experiment.name,
      fingerprint: experiment.fingerprint,
      shard,
      outDir,
      resultsFile,
      total: runs.length,
      skipped: runs.length - pending.length,
      done: 0,
      remaining: pending.length,
      completed: 0,
      cancelled: 0,
      interrupted: false,
      droppedBytes,
      workers: Math.max(1, Math.min(workers, pending.length)),
      wallMs: 0,
    };
    await execute(experiment, pending, summary, options, t0);
    summary.wallMs = performance.now() - t0;
    return summary;
  } finally {
    releaseLock();
  }
}

function resolveExperiment(options: SweepOptions): { experiment: Experiment; source: unknown; file: string | null } {
  const e = options.experiment;
  if (typeof e === 'string') {
    const experiment = loadExperiment(e);
    // loadExperiment has parsed it already, so this cannot fail short of the file changing in between.
    return { experiment, source: JSON.parse(readFileSync(e, 'utf8')) as unknown, file: e };
  }
  if (typeof e !== 'object' || e === null || !Array.isArray(e.runs) || typeof e.fingerprint !== 'string') {
    throw new InvalidOptionError('experiment', e, 'an experiment file path, or an Experiment from loadExperiment()');
  }
  return { experiment: e, source: options.source ?? null, file: null };
}

function checkWorkers(w: number | undefined): number {
  if (w === undefined) return availableParallelism();
  if (!Number.isInteger(w) || w < 1 || w > MAX_WORKERS) throw new InvalidOptionError('workers', w, `a whole number from 1 to ${MAX_WORKERS}`);
  return w;
}

interface Prepare {
  outDir: string;
  resultsFile: string;
  experiment: Experiment;
  shard: Shard;
  runs: number;
  resume: boolean;
  file: string | null;
  source: unknown;
}

/** Checks the directory against the request, writes the manifest of a new sweep, and finds the runs done. */
function prepareDirectory(p: Prepare): { present: Set<number>; droppedBytes: number } {
  const mfile = manifestPath(p.outDir);
  const hasManifest = existsSync(mfile);
  const hasResults = existsSync(p.resultsFile) && statSync(p.resultsFile).size > 0;
  if (!p.resume) {
    if (hasManifest || existsSync(p.resultsFile)) {
      throw new SweepError(
        `${p.outDir} already holds a sweep (${hasManifest ? 'manifest.json' : 'results.ndjson'}); add --resume to continue it, ` +
          'or choose another --out directory',
      );
    }
  } else if (hasManifest) {
    const m = readManifest(p.outDir);
    if (m.fingerprint !== p.experiment.fingerprint) {
      throw new SweepError(
        `cannot resume: ${p.outDir} holds a sweep of ${describeManifest(m)}, but ${p.file ?? 'the experiment'} ("${p.experiment.name}") ` +
          `has fingerprint ${p.experiment.fingerprint.slice(0, 12)}…: the experiment changed since that sweep started. ` +
          'Resume with the same experiment file, or start afresh in another --out directory',
      );
    }
    if (!sameShard(m.shard, p.shard)) {
      throw new SweepError(
        `cannot resume: ${p.outDir} holds shard ${formatShard(m.shard)} of the sweep, not shard ${formatShard(p.shard)}; ` +
          `resume ${m.shard.count === 1 ? 'without --shard' : `with --shard ${formatShard(m.shard)}`}, or use another --out directory for shard ${formatShard(p.shard)}`,
      );
    }
  } else if (hasResults) {
    throw new SweepError(`cannot resume: ${p.outDir} has ${RESULTS_FILE} but no manifest.json, so its runs cannot be checked against the experiment`);
  }
  if (!hasManifest) {
    const manifest: SweepManifest = {
      format: 'livemig-sweep/1',
      experiment: p.experiment.name,
      description: p.experiment.description,
      fingerprint: p.experiment.fingerprint,
      totalRuns: p.experiment.runs.length,
      shard: p.shard,
      shardRuns: p.runs,
      experimentFile: p.file === null ? null : resolve(p.file),
      experimentSource: p.source,
      createdAt: new Date().toISOString(),
    };
    writeManifest(p.outDir, manifest);
  }
  const total = p.experiment.runs.length;
  const scan = scanResults(p.resultsFile, p.experiment.fingerprint, (i) => i < total && inShard(i, p.shard));
  if (!existsSync(p.resultsFile)) writeFileSync(p.resultsFile, '');
  return { present: scan.indexes, droppedBytes: scan.droppedBytes };
}

/** Runs `pending` on the pool, appending each record as it arrives; fills in `summary`. */
async function execute(experiment: Experiment, pending: ScenarioRun[], summary: SweepSummary, options: SweepOptions, t0: number): Promise<void> {
  const progress = (run: SweepProgress['run']) =>
    options.onProgress?.({
      total: pending.length,
      done: summary.done,
      completed: summary.completed,
      cancelled: summary.cancelled,
      skipped: summary.skipped,
      run,
      elapsedMs: performance.now() - t0,
      workers: summary.workers,
    });
  progress(null);
  const signal = options.signal;
  if (pending.length === 0) return;
  if (signal?.aborted) {
    summary.interrupted = true;
    return;
  }

  const threads = summary.workers;
  const pool = new Tinypool({
    filename: pathToFileURL(locateWorker()).href,
    minThreads: threads,
    maxThreads: threads,
    maxQueue: Infinity,
  });
  const fd = openSync(summary.resultsFile, 'a');
  const meta = { name: experiment.name, fingerprint: experiment.fingerprint };
  // Two tasks per thread in the pool, so a worker never waits for the main thread to hand it the next run.
  const window = threads * 2;
  let next = 0;
  let inFlight = 0;
  let stopping = false;
  let failure: Error | null = null;

  const onAbort = () => {
    summary.interrupted = true;
    stop();
  };
  let resolveAll: () => void = () => undefined;
  const finished = new Promise<void>((r) => {
    resolveAll = r;
  });
  const settle = () => {
    if (inFlight === 0 && (stopping || next >= pending.length)) resolveAll();
  };
  let destroyed: Promise<void> | null = null;
  function stop(): void {
    if (stopping) return;
    stopping = true;
    // Terminates the threads: running tasks reject (ignored below), queued ones too.
    destroyed = pool.destroy().catch(() => undefined);
    settle();
  }
  const pump = () => {
    while (!stopping && inFlight < window && next < pending.length) {
      const run = pending[next++]!;
      inFlight++;
      const task: SweepTask = { experiment: meta, run };
      (pool.run(task) as Promise<SweepTaskResult>).then(
        (r) => {
          inFlight--;
          if (stopping) return settle();
          if (!r.ok) {
            failure = runError(run, r.error);
            return stop();
          }
          writeLine(fd, r.line);
          summary.done++;
          summary.remaining--;
          if (r.status === 'completed') summary.completed++;
          else summary.cancelled++;
          try {
            progress({ index: run.index, id: run.id, status: r.status });
          } catch (e) {
            failure = e instanceof Error ? e : new Error(String(e));
            return stop();
          }
          pump();
          settle();
        },
        (err: unknown) => {
          inFlight--;
          if (stopping) return settle(); // aborted: terminated with its worker
          failure = err instanceof Error ? err : new Error(String(err));
          stop();
        },
      );
    }
  };

  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    pump();
    await finished;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    closeSync(fd);
    await (destroyed ?? pool.destroy());
  }
  if (failure) throw failure;
}

/** The error a run's failure becomes: a SweepError for the user's errors, else a plain Error (a bug). */
function runError(run: ScenarioRun, e: { name: string; message: string; user: boolean; stack: string | undefined }): Error {
  const where = `run ${run.id} (${describeRun(run)})`;
  if (e.user) return new SweepError(`${where} failed: ${e.message}`);
  const err = new Error(`${where} failed in its worker: ${e.message}`);
  if (e.stack) err.stack = `${err.message}\n--- worker stack ---\n${e.stack}`;
  return err;
}

function describeRun(run: ScenarioRun): string {
  const params = Object.entries(run.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [...params, `seed=${run.seed}`, `policy=${run.policy}`].join(', ');
}

/** Appends one complete line: a single write call (a regular file takes it whole; the loop is for safety). */
function writeLine(fd: number, line: string): void {
  const buf = Buffer.from(line, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * The compiled worker, dist/src/batch/sweep-worker.js under the package root: worker threads run JavaScript,
 * so the pool loads it from dist/ even when this module runs from src/ (under vitest).
 */
export function locateWorker(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      let name: unknown;
      try {
        name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
      } catch {
        name = undefined;
      }
      if (name === 'livemig') {
        const worker = join(dir, 'dist', 'src', 'batch', 'sweep-worker.js');
        if (!existsSync(worker)) throw new SweepError(`the sweep worker ${worker} is missing: run \`npm run build\` first`);
        return worker;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new SweepError("cannot find livemig's package root (and its dist/src/batch/sweep-worker.js): run `npm run build` first");
    dir = parent;
  }
}

interface LockOwner {
  pid: number;
  host: string;
}

/** Takes DIR/sweep.lock (created exclusively); a lock left by a dead process on this host is taken over. */
function acquireLock(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    let owner: LockOwner | null = null;
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    } catch {
      owner = null; // torn or unreadable: treat as stale
    }
    if (owner !== null && owner.host !== me.host) {
      throw new SweepError(`${dir} is in use by a livemig sweep on host ${owner.host} (pid ${owner.pid}); if none runs there any more, delete ${file}`);
    }
    if (owner !== null && alive(owner.pid)) {
      throw new SweepError(`${dir} is in use by another livemig sweep (pid ${owner.pid}); wait for it to end, or choose another --out directory`);
    }
    unlinkSync(file);
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
