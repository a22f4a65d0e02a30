/**
 * Batch experiments: runs every scenario of an experiment, appending each run's record to DIR/results.ndjson
 * as soon as it finishes, so that an interrupted sweep can be resumed. The parts: experiment-source.ts (what
 * to run), out-dir.ts (the directory protocol), lock.ts (one writer per directory), pool.ts (where runs execute).
 *
 * Every line is appended with one write of the whole line, so a kill (even SIGKILL) leaves at most one torn
 * last line, which a resume drops. Records are deterministic: the same experiment gives the same records
 * whatever the number of workers or shards, and whether runs went to threads or stayed in-process.
 *
 * Stopping (`signal` aborted, e.g. on SIGINT): no new run starts, runs in flight are aborted (their worker
 * threads terminated; migrate() is synchronous, so a run cannot stop half-way otherwise) and the sweep
 * returns with `interrupted: true`. Aborted runs were not recorded, so a resume runs them again: at most
 * `workers` runs of work are lost, and nothing finished is.
 */
import { join } from 'node:path';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { SweepError } from '../errors/sweep-error.js';
import type { Experiment, ScenarioRun } from '../experiments/types.js';
import { resolveExperiment } from './experiment-source.js';
import { acquireLock } from './lock.js';
import { ensureOutDir, prepareDirectory, ResultsAppender } from './out-dir.js';
import { checkWorkers, POOL_MODES, runTasks, type PoolMode } from './pool.js';
import { RESULTS_FILE } from './results.js';
import { selectShard, toShard, type Shard } from './shard.js';
import type { SweepTask, SweepTaskError } from './sweep-worker.js';

export { LOCK_FILE } from './lock.js';
export { MAX_WORKERS, locateWorker } from './pool.js';

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
   * Where runs execute: `auto` keeps a sweep too small to pay for starting threads in this thread, `threads`
   * always starts them, `in-process` never does. Records are identical in every mode. @default 'auto'
   */
  pool?: PoolMode;
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
  /** Worker threads in use (0 while runs execute in this thread). */
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
  /** Worker threads started (0: every run executed in this thread, the sweep being too small to pay for them). */
  workers: number;
  wallMs: number;
}

/** Runs (or resumes) a sweep; see the module comment. Throws SweepError (a LivemigError) for user errors. */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const t0 = performance.now();
  const { experiment, source, file } = resolveExperiment(options.experiment, options.source);
  const shard = toShard(options.shard);
  const workers = checkWorkers(options.workers);
  const mode = options.pool ?? 'auto';
  if (!POOL_MODES.includes(mode)) throw new InvalidOptionError('pool', mode, POOL_MODES.map((m) => `"${m}"`).join(', '));
  if (typeof options.outDir !== 'string' || options.outDir === '') throw new InvalidOptionError('outDir', options.outDir, 'a directory path');
  const outDir = options.outDir;
  const runs = selectShard(experiment.runs, shard);
  const resultsFile = join(outDir, RESULTS_FILE);

  ensureOutDir(outDir);
  const releaseLock = acquireLock(outDir);
  try {
    const { present, droppedBytes } = prepareDirectory({ outDir, experiment, shard, runs: runs.length, resume: options.resume === true, file, source });
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
      workers: 0,
      wallMs: 0,
    };
    await execute(experiment, pending, summary, { ...options, workers, pool: mode }, t0);
    summary.wallMs = performance.now() - t0;
    return summary;
  } finally {
    releaseLock();
  }
}

/** Runs `pending`, appending each record as it arrives; fills in `summary`. */
async function execute(
  experiment: Experiment,
  pending: ScenarioRun[],
  summary: SweepSummary,
  options: SweepOptions & { workers: number; pool: PoolMode },
  t0: number,
): Promise<void> {
  let threads = 0;
  const progress = (run: SweepProgress['run']) =>
    options.onProgress?.({
      total: pending.length,
      done: summary.done,
      completed: summary.completed,
      cancelled: summary.cancelled,
      skipped: summary.skipped,
      run,
      elapsedMs: performance.now() - t0,
      workers: threads,
    });
  progress(null);
  if (pending.length === 0) return;
  if (options.signal?.aborted) {
    summary.interrupted = true;
    return;
  }
  const meta = { name: experiment.name, fingerprint: experiment.fingerprint };
  const tasks: SweepTask[] = pending.map((run) => ({ experiment: meta, run }));
  const out = new ResultsAppender(summary.resultsFile, summary.skipped);
  try {
    const r = await runTasks(tasks, {
      threads: options.workers,
      mode: options.pool,
      signal: options.signal,
      onThreads: (n) => {
        threads = n;
        summary.workers = n;
      },
      onResult: (result, task) => {
        if (!result.ok) throw runError(task.run, result.error);
        out.append(result.line);
        summary.done++;
        summary.remaining--;
        if (result.status === 'completed') summary.completed++;
        else summary.cancelled++;
        progress({ index: task.run.index, id: task.run.id, status: result.status });
      },
    });
    summary.interrupted = r.interrupted;
  } finally {
    out.close();
  }
}

/** The error a run's failure becomes: a SweepError for the user's errors, else a plain Error (a bug). */
export function runError(run: ScenarioRun, e: SweepTaskError): Error {
  const where = `run ${run.id} (${describeRun(run)})`;
  if (e.user) return new SweepError(`${where} failed: ${e.message}`);
  const err = new Error(`${where} failed in its worker: ${e.message}`);
  if (e.stack) err.stack = `${err.message}\n--- worker stack ---\n${e.stack}`;
  return err;
}

export function describeRun(run: Pick<ScenarioRun, 'params' | 'seed' | 'policy'>): string {
  const params = Object.entries(run.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [...params, `seed=${run.seed}`, `policy=${run.policy}`].join(', ');
}
