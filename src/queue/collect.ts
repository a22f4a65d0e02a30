/**
 * A sweep through a BullMQ queue on Redis: the collector side (`livemig sweep EXPERIMENT --queue URL --out DIR`).
 * It enqueues every run not yet in DIR as one job whose id comes from the experiment's fingerprint and the
 * run index (adding an existing id does nothing), then appends each result that workers write back to
 * DIR/results.ndjson, exactly as a local sweep does (same manifest, same records, same --resume).
 *
 * Nothing lost, nothing twice: workers write a result with HSETNX (the first result of a run wins, a
 * re-run after a stalled job changes nothing) and the collector appends an index once, then blanks its
 * value in Redis to free memory. Killed, it is resumed with --resume: what is in DIR is kept, results
 * waiting in Redis are collected, the rest is enqueued again (existing jobs are left alone).
 */
import { hostname } from 'node:os';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { QueueError } from '../errors/queue-error.js';
import { resolveExperiment } from '../batch/experiment-source.js';
import { acquireLock, alive } from '../batch/lock.js';
import { ensureOutDir, prepareDirectory, ResultsAppender } from '../batch/out-dir.js';
import { RESULTS_FILE } from '../batch/results.js';
import { WHOLE } from '../batch/shard.js';
import { describeRun, type SweepOptions, type SweepProgress, type SweepSummary } from '../batch/sweep.js';
import type { Experiment, ScenarioRun } from '../experiments/types.js';
import type { RunRecord } from '../batch/record.js';
import { recordProblem } from '../batch/validate-record.js';
import { connect } from './connection.js';
import { countWorkers, jobId, queueName, REGISTRY_KEY, runsOfJob, sweepKeys, type QueueJobData, type SweepKeys } from './names.js';
import { recordResult } from './store.js';
import { runTask } from '../batch/sweep-worker.js';
import { parseQueueUrl, type QueueTarget } from './url.js';
import { join } from 'node:path';
import { sleep } from './sleep.js';

/** Attempts of a run whose worker fails for a reason that is not the user's (a bug, a crashed thread). */
export const INTERNAL_ATTEMPTS = 3;
const CHUNK = 1000;
/** Work per job the automatic batch size aims at: BullMQ's ~1–2 ms per job becomes ≲ 1 %. */
export const TARGET_JOB_MS = 250;
export const MAX_BATCH = 64;
/** Jobs a sweep is cut into at least, so that work spreads over many workers and a lost worker costs little. */
export const MIN_JOBS = 64;
/** Runs the collector times itself to choose the batch size (their results are kept). */
export const PROBE_RUNS = 3;
const COLLECTOR_TTL_MS = 30_000;
/** How often the collector asks for the queue's counts and workers (and renews its claim). */
const COUNTS_EVERY_MS = 500;

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Worker connections BullMQ sees on the queue (one per `livemig worker` process). */
  workers: number;
}

export interface QueueSweepOptions extends Omit<SweepOptions, 'workers' | 'pool' | 'shard' | 'onProgress'> {
  /** The Redis server: redis://…, rediss://… or unix://… (see parseQueueUrl), or one already parsed. */
  queue: string | QueueTarget;
  /** Called once before collecting (run: null), after each run is collected, and at least every few seconds. */
  onProgress?: (progress: SweepProgress & { queue: QueueCounts }) => void;
  /** How often Redis is asked for new results. @default 200 */
  pollMs?: number;
  /**
   * Runs per job (consecutive indexes). @default chosen from the time of the first runs, measured here: about
   * TARGET_JOB_MS of work per job (at most MAX_BATCH runs, and at least MIN_JOBS jobs), so that small runs do
   * not pay BullMQ's per-job cost each. A resume keeps the size the sweep started with.
   */
  batch?: number;
}

export interface QueueSweepSummary extends SweepSummary {
  /** The BullMQ queue the sweep used. */
  queue: string;
  /** Runs whose jobs failed (their errors are in the thrown error; none when the call returns). */
  failed: number;
}

/** Runs (or resumes) a sweep through the queue. Throws QueueError/SweepError for the user's errors. */
export async function runQueueSweep(options: QueueSweepOptions): Promise<QueueSweepSummary> {
  const t0 = performance.now();
  const { experiment, source, file } = resolveExperiment(options.experiment, options.source);
  const target = typeof options.queue === 'string' ? parseQueueUrl(options.queue, 'queue') : options.queue;
  const pollMs = options.pollMs ?? 200;
  if (!Number.isFinite(pollMs) || pollMs < 1 || pollMs > 60_000) throw new InvalidOptionError('pollMs', pollMs, 'a number of milliseconds from 1 to 60000');
  if (typeof options.outDir !== 'string' || options.outDir === '') throw new InvalidOptionError('outDir', options.outDir, 'a directory path');
  if (options.batch !== undefined && (!Number.isInteger(options.batch) || options.batch < 1 || options.batch > 10_000)) {
    throw new InvalidOptionError('batch', options.batch, 'a whole number of runs per job from 1 to 10000');
  }
  const outDir = options.outDir;
  ensureOutDir(outDir);
  const releaseLock = acquireLock(outDir);
  let redis: Redis | null = null;
  let queue: Queue | null = null;
  try {
    const runs = experiment.runs;
    const { present, droppedBytes } = prepareDirectory({ outDir, experiment, shard: WHOLE, runs: runs.length, resume: options.resume === true, file, source });
    const pending = runs.filter((r) => !present.has(r.index));
    const name = queueName(experiment);
    const keys = sweepKeys(name);
    redis = await connect(target);
    queue = new Queue(name, { connection: redis });
    queue.on('error', () => undefined); // a Redis restart: ioredis reconnects, the loop carries on
    const summary: QueueSweepSummary = {
      experiment: experiment.name, fingerprint: experiment.fingerprint, shard: WHOLE, outDir, resultsFile: join(outDir, RESULTS_FILE),
      total: runs.length, skipped: runs.length - pending.length, done: 0, remaining: pending.length, completed: 0, cancelled: 0,
      interrupted: false, droppedBytes, workers: 0, wallMs: 0, queue: name, failed: 0,
    };
    const collector = new Collector(redis, queue, keys, experiment, pending, summary, options, t0, pollMs);
    await collector.claim(outDir);
    try {
      await collector.run();
    } finally {
      await collector.release();
    }
    summary.wallMs = performance.now() - t0;
    return summary;
  } finally {
    await queue?.close().catch(() => undefined);
    redis?.disconnect();
    releaseLock();
  }
}

class Collector {
  private readonly waiting = new Map<number, ScenarioRun>();
  private readonly failures = new Map<number, { message: string; user: boolean }>();
  private readonly out: ResultsAppender;
  private cursor = 0;
  private counts: QueueCounts = { waiting: 0, active: 0, delayed: 0, failed: 0, workers: 0 };
  private readonly me: string;
  /** Runs per job. */
  private batch = 1;

  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly keys: SweepKeys,
    private readonly experiment: Experiment,
    pending: ScenarioRun[],
    private readonly summary: QueueSweepSummary,
    private readonly options: QueueSweepOptions,
    private readonly t0: number,
    private readonly pollMs: number,
  ) {
    for (const r of pending) this.waiting.set(r.index, r);
    this.out = new ResultsAppender(summary.resultsFile, summary.skipped);
    this.me = `${hostname()} pid ${process.pid}`;
  }

  /** One collector per sweep: a second one would blank results the first has not written yet. */
  async claim(outDir: string): Promise<void> {
    const value = `${this.me} into ${outDir}`;
    const ok = await this.redis.set(this.keys.collector, value, 'PX', COLLECTOR_TTL_MS, 'NX');
    if (ok !== 'OK') {
      const owner = await this.redis.get(this.keys.collector);
      // A collector of this host that died (kill -9) leaves its claim behind: take it over at once.
      const m = owner === null ? null : /^(.*) pid (\d+) into /.exec(owner);
      if (m && m[1] === hostname() && !alive(Number(m[2]))) {
        await this.redis.set(this.keys.collector, value, 'PX', COLLECTOR_TTL_MS);
        this.claimValue = value;
        return this.register();
      }
      throw new QueueError(
        `sweep "${this.experiment.name}" is already being collected by ${owner ?? 'another collector'}; ` +
          `wait for it to end (or, if it was killed, about ${COLLECTOR_TTL_MS / 1000} s for its claim to expire), then use --resume`,
      );
    }
    this.claimValue = value;
    await this.register();
  }

  private async register(): Promise<void> {
    await this.redis.hset(this.keys.meta, { name: this.experiment.name, fingerprint: this.experiment.fingerprint, total: String(this.experiment.runs.length) });
    await this.redis.hsetnx(this.keys.meta, 'createdAt', new Date().toISOString());
  }

  /**
   * Tells workers to take the sweep's jobs. Only once they are enqueued: a `--until-empty` worker that saw the
   * sweep registered with no job yet would take it for finished and exit.
   */
  private async advertise(): Promise<void> {
    await this.redis.sadd(REGISTRY_KEY, this.queue.name);
  }

  private claimValue = '';

  async release(): Promise<void> {
    this.out.close();
    try {
      if ((await this.redis.get(this.keys.collector)) === this.claimValue) await this.redis.del(this.keys.collector);
      // A finished sweep leaves the registry, so workers stop watching it; its keys stay until --drain.
      if (this.waiting.size === 0 && this.failures.size === 0) await this.redis.srem(REGISTRY_KEY, this.queue.name);
    } catch {
      // Redis gone: the claim expires by itself.
    }
  }

  async run(): Promise<void> {
    this.progress(null);
    if (this.waiting.size === 0) return;
    const signal = this.options.signal;
    if (signal?.aborted) {
      this.summary.interrupted = true;
      return;
    }
    this.batch = await this.chooseBatch();
    await this.enqueue([...this.waiting.values()], this.options.resume === true);
    await this.advertise();
    let lastHeal = performance.now();
    let lastCounts = -Infinity;
    let lastProgress = performance.now();
    while (this.waiting.size > this.failures.size) {
      if (signal?.aborted) {
        this.summary.interrupted = true;
        return;
      }
      const got = await this.collectFinished();
      // Results are polled often; counts, workers (CLIENT LIST) and the claim are not: on a small machine
      // that shares its cores with the workers, frequent CLIENT LISTs would cost runs.
      const now = performance.now();
      const countsDue = now - lastCounts >= COUNTS_EVERY_MS;
      if (countsDue) {
        lastCounts = now;
        await this.redis.pexpire(this.keys.collector, COLLECTOR_TTL_MS);
        const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        const workers = await countWorkers(this.redis, this.keys);
        this.counts = { waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0), active: c['active'] ?? 0, delayed: c['delayed'] ?? 0, failed: c['failed'] ?? 0, workers };
        this.summary.workers = Math.max(this.summary.workers, workers);
        if (this.counts.failed > 0) await this.collectFailures();
      }
      // Nothing queued, nothing new, runs still missing: Redis lost them (a restart without persistence)
      // or they finished unseen. Collect what has a result, enqueue the rest again.
      const idle = this.counts.waiting + this.counts.active + this.counts.delayed === 0;
      if (countsDue && idle && got === 0 && performance.now() - lastHeal > 2000) {
        lastHeal = performance.now();
        await this.heal();
      }
      if (performance.now() - lastProgress > 2000) {
        lastProgress = performance.now();
        this.progress(null);
      }
      if (this.waiting.size > this.failures.size && got === 0) await sleep(this.pollMs, signal);
    }
    if (this.failures.size > 0) throw this.failureError();
  }

  private progress(run: SweepProgress['run']): void {
    this.options.onProgress?.({
      total: this.summary.total - this.summary.skipped, done: this.summary.done, completed: this.summary.completed, cancelled: this.summary.cancelled,
      skipped: this.summary.skipped, run, elapsedMs: performance.now() - this.t0, workers: this.counts.workers, queue: this.counts,
    });
  }

  /**
   * Runs per job: the one this sweep started with (kept in Redis, so job ids stay the same on resume), the
   * option, or from the time of a few runs done here (their results go to Redis like any worker's).
   */
  private async chooseBatch(): Promise<number> {
    const stored = await this.redis.hget(this.keys.meta, 'batch');
    if (stored !== null && Number.isInteger(Number(stored)) && Number(stored) >= 1) return Number(stored);
    let batch = this.options.batch;
    if (batch === undefined) {
      const meta = { name: this.experiment.name, fingerprint: this.experiment.fingerprint };
      const probe = [...this.waiting.values()].slice(0, PROBE_RUNS);
      let fastest = Infinity;
      for (const run of probe) {
        const t0 = performance.now();
        const r = runTask({ experiment: meta, run });
        fastest = Math.min(fastest, performance.now() - t0); // the first includes compiling the Wasm core
        if (r.ok) await recordResult(this.redis, this.keys, run.index, r.line);
      }
      batch = Math.max(1, Math.min(MAX_BATCH, Math.floor(TARGET_JOB_MS / Math.max(fastest, 0.01)), Math.floor(this.waiting.size / MIN_JOBS)));
    }
    await this.redis.hsetnx(this.keys.meta, 'batch', String(batch));
    return Number(await this.redis.hget(this.keys.meta, 'batch'));
  }

  /** Enqueues `runs` as jobs of consecutive indexes (ids from fingerprint + first index: adding one again does nothing). */
  private async enqueue(runs: ScenarioRun[], retryFailed: boolean): Promise<void> {
    const meta = { name: this.experiment.name, fingerprint: this.experiment.fingerprint };
    const opts: JobsOptions = { attempts: INTERNAL_ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: false };
    if (retryFailed) {
      // A resume gives failed runs another go: the user may have fixed what made them fail.
      for (const job of await this.queue.getFailed(0, -1)) {
        const mine = runsOfJob(job.data).filter((i) => this.waiting.has(i));
        if (mine.length === 0) continue;
        await this.redis.hdel(this.keys.failures, ...mine.map(String));
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }).catch(() => undefined);
      }
    }
    for (let i = 0; i < runs.length; i += CHUNK) {
      const chunk = runs.slice(i, i + CHUNK);
      const values = await this.redis.hmget(this.keys.results, ...chunk.map((r) => String(r.index)));
      const add: ScenarioRun[] = [];
      for (let k = 0; k < chunk.length; k++) {
        const run = chunk[k]!;
        const v = values[k];
        if (v !== null && v !== undefined && v !== '') this.append(run, v); // finished while no collector ran
        else {
          // "" is a result another call collected into a directory that no longer has it: run it again.
          if (v === '') await this.redis.hdel(this.keys.results, String(run.index));
          add.push(run);
        }
      }
      await this.blank();
      const jobs = new Map<number, ScenarioRun[]>();
      for (const run of add) {
        const first = Math.floor(run.index / this.batch) * this.batch;
        jobs.set(first, [...(jobs.get(first) ?? []), run]);
      }
      if (jobs.size > 0) {
        await this.queue.addBulk(
          [...jobs.entries()].map(([first, rs]) => ({
            name: rs.length === 1 ? rs[0]!.id : `${rs[0]!.id}-${rs.at(-1)!.id}`,
            data: { experiment: meta, runs: rs } satisfies QueueJobData,
            opts: { ...opts, jobId: jobId(this.experiment.fingerprint, first) },
          })),
        );
      }
    }
  }

  /** Appends the results announced on the finished list since the cursor; returns how many. */
  private async collectFinished(): Promise<number> {
    let got = 0;
    for (;;) {
      const ids = await this.redis.lrange(this.keys.finished, this.cursor, this.cursor + CHUNK - 1);
      if (ids.length === 0) return got;
      this.cursor += ids.length;
      const mine = ids.filter((s) => this.waiting.has(Number(s)));
      if (mine.length === 0) continue;
      const lines = await this.redis.hmget(this.keys.results, ...mine);
      for (let k = 0; k < mine.length; k++) {
        const line = lines[k];
        const run = this.waiting.get(Number(mine[k]));
        if (run && typeof line === 'string' && line !== '') {
          this.append(run, line);
          got++;
        }
      }
      await this.blank();
    }
  }

  /**
   * Appends a worker's line after checking it is a whole record of this run (a worker of another livemig
   * version could write something else); a bad one counts as a failed run, not as a result.
   */
  private append(run: ScenarioRun, line: string): void {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = null;
    }
    const problem = recordProblem(record);
    const r = record as RunRecord;
    if (problem !== null || r.index !== run.index || r.fingerprint !== this.experiment.fingerprint || !line.endsWith('\n')) {
      this.failures.set(run.index, { message: `its worker wrote a damaged result (${problem ?? 'another run or experiment'}); is every worker running the same livemig version?`, user: false });
      this.summary.failed = this.failures.size;
      return;
    }
    this.out.append(line);
    this.waiting.delete(run.index);
    this.failures.delete(run.index);
    this.toBlank.push(String(run.index));
    this.summary.done++;
    this.summary.remaining--;
    if (r.summary.status === 'completed') this.summary.completed++;
    else this.summary.cancelled++;
    this.progress({ index: run.index, id: run.id, status: r.summary.status });
  }

  private toBlank: string[] = [];

  /** Frees the memory of results now on disk; the field stays so that a late duplicate is still ignored. */
  private async blank(): Promise<void> {
    if (this.toBlank.length === 0) return;
    const p = this.redis.pipeline();
    for (const i of this.toBlank) p.hset(this.keys.results, i, '');
    this.toBlank = [];
    await p.exec();
  }

  private async collectFailures(): Promise<void> {
    for (const job of await this.queue.getFailed(0, -1)) {
      const mine = runsOfJob(job.data).filter((i) => this.waiting.has(i) && !this.failures.has(i));
      if (mine.length === 0) continue;
      // A batch's runs that succeeded are collected; the others failed with the job.
      const [results, user] = await Promise.all([this.redis.hmget(this.keys.results, ...mine.map(String)), this.redis.hmget(this.keys.failures, ...mine.map(String))]);
      mine.forEach((index, k) => {
        if (typeof results[k] === 'string') return;
        const u = user[k];
        this.failures.set(index, typeof u === 'string' ? { message: u, user: true } : { message: job.failedReason || 'unknown failure', user: false });
      });
    }
    this.summary.failed = this.failures.size;
  }

  private async heal(): Promise<void> {
    // After a restart without persistence the registry and the claim are gone too: workers would ignore the queue.
    await this.redis.set(this.keys.collector, this.claimValue, 'PX', COLLECTOR_TTL_MS);
    await this.register();
    await this.redis.hsetnx(this.keys.meta, 'batch', String(this.batch));
    const missing = [...this.waiting.values()].filter((r) => !this.failures.has(r.index));
    for (let i = 0; i < missing.length; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      const values = await this.redis.hmget(this.keys.results, ...chunk.map((r) => String(r.index)));
      chunk.forEach((run, k) => {
        const v = values[k];
        if (typeof v === 'string' && v !== '') this.append(run, v);
      });
    }
    await this.blank();
    // A Redis that came back empty has a new, shorter finished list: read it from the start.
    if ((await this.redis.llen(this.keys.finished)) < this.cursor) this.cursor = 0;
    await this.enqueue(missing.filter((r) => this.waiting.has(r.index)), false);
    await this.advertise();
  }

  private failureError(): Error {
    const all = [...this.failures.entries()].sort((a, b) => a[0] - b[0]);
    const user = all.filter(([, f]) => f.user);
    const shown = (user.length > 0 ? user : all).slice(0, 3).map(([i, f]) => (f.user ? f.message : `run p${i} (${describeRun(this.experiment.runs[i]!)}) failed ${INTERNAL_ATTEMPTS} times: ${f.message}`));
    const more = all.length > shown.length ? `; and ${all.length - shown.length} more (livemig sweep … --queue … --status lists them)` : '';
    const kept = `${this.summary.skipped + this.summary.done} runs are in ${this.summary.resultsFile}`;
    const text = `${all.length} run${all.length === 1 ? '' : 's'} failed: ${shown.join('; ')}${more}. ${kept}; --resume retries the failed runs`;
    return user.length > 0 ? new QueueError(text) : new Error(text);
  }
}
