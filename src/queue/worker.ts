/**
 * The worker side of a queue sweep (`livemig worker --queue URL`): watches the sweep registry in Redis, takes
 * the jobs of every registered sweep, runs them on a local pool of worker threads and writes each result
 * back with HSETNX (a run that already has a result is skipped, and a second result is ignored).
 *
 * Runs always go to threads here, never in-process: BullMQ renews each job's lock from this thread, and a
 * migrate() call blocking it for longer than the lock would hand the job to another worker for nothing.
 * A worker killed mid-job: its lock expires after `stallTimeoutMs` and BullMQ's stalled-job check of another
 * worker puts the job back in the queue. A run throwing a livemig error fails for good (UnrecoverableError),
 * with its message kept for the collector; any other error is retried (INTERNAL_ATTEMPTS in all).
 */
import { hostname } from 'node:os';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { checkWorkers, ThreadPool } from '../batch/pool.js';
import { runError } from '../batch/sweep.js';
import type { SweepTask, SweepTaskResult } from '../batch/sweep-worker.js';
import { connect } from './connection.js';
import { REGISTRY_KEY, sweepKeys, type QueueJobData } from './names.js';
import { recordResults } from './store.js';
import { parseQueueUrl, type QueueTarget } from './url.js';
import { sleep } from './sleep.js';

/** BullMQ's default lock: a job whose worker has not renewed it for this long counts as stalled. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
/** Stalls a job may suffer before it fails (each one is a worker lost mid-run). */
export const MAX_STALLS = 3;

export interface QueueWorkerOptions {
  /** The Redis server (see parseQueueUrl). */
  queue: string | QueueTarget;
  /** Worker threads, and jobs taken at a time. @default os.availableParallelism() */
  workers?: number;
  /** How long a job may go without a lock renewal before another worker takes it over. @default 30000 */
  stallTimeoutMs?: number;
  /** Return once every registered sweep has no job waiting, delayed or running (after one was seen). */
  untilEmpty?: boolean;
  /** Abort to stop: no new jobs, the ones running finish and are recorded. */
  signal?: AbortSignal;
  onEvent?: (e: QueueWorkerEvent) => void;
  /** How often the registry is read. @default 1000 */
  pollMs?: number;
  /** Runs one task (default: on this worker's thread pool). For tests and custom executors. */
  execute?: (task: SweepTask) => Promise<SweepTaskResult>;
}

export type QueueWorkerEvent =
  | { type: 'joined' | 'left'; queue: string }
  | { type: 'run'; queue: string; index: number; outcome: 'recorded' | 'duplicate' | 'user-error' | 'internal-error' };

export interface QueueWorkerSummary {
  /** Runs this worker ran and whose result was the first. */
  recorded: number;
  /** Runs skipped or ignored because they already had a result. */
  duplicates: number;
  failed: number;
  sweeps: string[];
  threads: number;
}

export async function runQueueWorker(o: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  const target = typeof o.queue === 'string' ? parseQueueUrl(o.queue, 'queue') : o.queue;
  const threads = checkWorkers(o.workers);
  const stallTimeoutMs = o.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  if (!Number.isFinite(stallTimeoutMs) || stallTimeoutMs < 1000 || stallTimeoutMs > 3_600_000) {
    throw new InvalidOptionError('stallTimeoutMs', stallTimeoutMs, 'a duration from 1 s to 1 h');
  }
  const pollMs = o.pollMs ?? 1000;
  const redis = await connect(target);
  const pool = o.execute ? null : new ThreadPool(threads);
  const workers = new Map<string, Worker>();
  const summary: QueueWorkerSummary = { recorded: 0, duplicates: 0, failed: 0, sweeps: [], threads };
  const emit = (e: QueueWorkerEvent) => o.onEvent?.(e);

  const processor = (queue: string) => async (job: Job): Promise<{ recorded: number }> => {
    const data = job.data as Partial<QueueJobData> | null;
    const runs = data?.runs;
    const experiment = data?.experiment;
    if (!Array.isArray(runs) || typeof experiment?.fingerprint !== 'string' || !runs.every((r) => Number.isInteger(r?.index))) {
      throw new UnrecoverableError(`job ${job.id ?? '?'} of ${queue} is not a livemig job`);
    }
    const keys = sweepKeys(queue);
    // Runs that have a result already (a retried batch, a job enqueued again) are not run again.
    const have = runs.length === 0 ? [] : await redis.hmget(keys.results, ...runs.map((r) => String(r.index)));
    const todo = runs.filter((_, k) => have[k] === null);
    for (const r of runs.filter((_, k) => have[k] !== null)) {
      summary.duplicates++;
      emit({ type: 'run', queue, index: r.index, outcome: 'duplicate' });
    }
    const run = (task: SweepTask) => (o.execute ? o.execute(task) : pool!.run(task));
    const outcomes = await Promise.allSettled(todo.map((r) => run({ experiment, run: r })));
    let recorded = 0;
    const userErrors: string[] = [];
    let internal: string | null = null;
    const ok: { index: number; line: string }[] = [];
    for (let k = 0; k < todo.length; k++) {
      const index = todo[k]!.index;
      const settled = outcomes[k]!;
      if (settled.status === 'rejected') {
        internal ??= `run ${todo[k]!.id} failed in its worker: ${settled.reason instanceof Error ? settled.reason.message : String(settled.reason)}`;
        emit({ type: 'run', queue, index, outcome: 'internal-error' });
        continue;
      }
      const r = settled.value;
      if (r.ok) {
        ok.push({ index, line: r.line });
        continue;
      }
      const message = runError(todo[k]!, r.error).message;
      summary.failed++;
      if (r.error.user) {
        // The user's error: deterministic, so running it again would fail again. Keep the message.
        await redis.hset(keys.failures, String(index), message);
        userErrors.push(message);
        emit({ type: 'run', queue, index, outcome: 'user-error' });
      } else {
        internal ??= message;
        emit({ type: 'run', queue, index, outcome: 'internal-error' });
      }
    }
    const kept = await recordResults(redis, keys, ok);
    ok.forEach(({ index }, k) => {
      if (kept[k]) {
        summary.recorded++;
        recorded++;
      } else summary.duplicates++;
      emit({ type: 'run', queue, index, outcome: kept[k] ? 'recorded' : 'duplicate' });
    });
    // An internal error retries the job (its recorded runs are skipped then); user errors alone fail it for good.
    if (internal !== null) throw new Error(internal);
    if (userErrors.length > 0) throw new UnrecoverableError(userErrors.join('; '));
    return { recorded };
  };

  const join = (queue: string) => {
    const w = new Worker(queue, processor(queue), {
      connection: redis,
      // Two jobs per thread, as the local pool keeps two runs per thread: a thread never waits for Redis.
      concurrency: threads * 2,
      lockDuration: stallTimeoutMs,
      stalledInterval: Math.max(500, Math.floor(stallTimeoutMs / 2)),
      maxStalledCount: MAX_STALLS,
    });
    w.on('error', () => undefined); // connection blips: ioredis reconnects, BullMQ resumes
    workers.set(queue, w);
    if (!summary.sweeps.includes(queue)) summary.sweeps.push(queue);
    emit({ type: 'joined', queue });
  };
  // Workers being closed. A sweep leaves the registry when it is done, but also when Redis comes back empty
  // (until its collector registers it again): closing must not hold up the loop, or the worker would never
  // rejoin. close() waits for running jobs, whose completion may then fail against the emptied Redis.
  const closing = new Set<Promise<void>>();
  const leave = (queue: string) => {
    const w = workers.get(queue);
    workers.delete(queue);
    const done = (async () => {
      await w?.close().catch(() => undefined);
      await redis.zrem(sweepKeys(queue).workers, me).catch(() => 0);
      emit({ type: 'left', queue });
    })();
    closing.add(done);
    void done.finally(() => closing.delete(done));
  };

  let seen = false;
  const me = `${hostname()} pid ${process.pid} ${Math.random().toString(36).slice(2, 8)}`;
  const queues = new Map<string, Queue>();
  try {
    while (!o.signal?.aborted) {
      const registered = new Set(await redis.smembers(REGISTRY_KEY));
      for (const q of registered) if (!workers.has(q)) join(q);
      for (const q of [...workers.keys()]) if (!registered.has(q)) leave(q);
      if (registered.size > 0) seen = true;
      // Heartbeats, so that collectors and --status can count the worker processes of a sweep.
      const now = Date.now();
      await Promise.all([...workers.keys()].map((q) => redis.zadd(sweepKeys(q).workers, now, me)));
      if (o.untilEmpty && seen && (await allIdle(redis, [...registered], queues))) break;
      await sleep(pollMs, o.signal);
    }
  } finally {
    // close() lets running jobs finish (and be recorded) before it resolves.
    for (const q of [...workers.keys()]) leave(q);
    await Promise.all([...closing]);
    await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
    await pool?.destroy();
    redis.disconnect();
  }
  return summary;
}

/** Whether no registered sweep has a job waiting, delayed or running. */
async function allIdle(redis: Redis, names: string[], queues: Map<string, Queue>): Promise<boolean> {
  for (const name of names) {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: redis });
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(c).some((n) => n > 0)) return false;
  }
  return true;
}
