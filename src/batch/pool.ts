/**
 * The sweep's worker pool: runs SweepTasks on worker threads (Tinypool) or, when a sweep is too small to pay
 * for starting threads, in this thread. Records are the same either way (each run is deterministic and
 * serialised by the same runTask); only the order they finish in differs.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tinypool } from 'tinypool';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { SweepError } from '../errors/sweep-error.js';
import { packageRoot } from '../util/package-root.js';
import { runTask, type SweepTask, type SweepTaskResult } from './sweep-worker.js';

/** Most worker threads accepted. */
export const MAX_WORKERS = 1024;

/**
 * Where the runs execute. `auto` runs them here while the projected work is below what starting the threads
 * costs (see shouldStartThreads); `threads` always uses the pool; `in-process` never does.
 */
export type PoolMode = 'auto' | 'threads' | 'in-process';
export const POOL_MODES: readonly PoolMode[] = ['auto', 'threads', 'in-process'];

/**
 * Wall time to start a pool and get a first result back from every thread (spawn, module load, Wasm
 * compilation, destroy): bench/queue.ts "pool start-up" measured 148–320 ms (median of tinybench samples,
 * several runs) with 2 threads on the 2-core machine, 2026-12-01, shared with other jobs. 200 ms sits in that
 * range; a sweep near the break-even loses little either way.
 */
export const POOL_STARTUP_MS = 200;
/** A run this long in this thread would delay Ctrl-C noticeably: use threads (which can be terminated). */
export const RESPONSIVE_RUN_MS = 500;

/**
 * Whether starting `threads` threads pays for `remaining` runs of `meanRunMs` each: with start-up S, T threads
 * and in-process work W, threads take about S + W/T, so they win when W > S·T/(T−1). Runs that would each
 * block the event loop for long go to threads too, so that a signal can stop them.
 */
export function shouldStartThreads(meanRunMs: number, remaining: number, threads: number): boolean {
  if (remaining <= 0) return false;
  if (meanRunMs > RESPONSIVE_RUN_MS) return true;
  if (threads < 2) return false;
  return meanRunMs * remaining > (POOL_STARTUP_MS * threads) / (threads - 1);
}

export function checkWorkers(w: number | undefined, field = 'workers'): number {
  if (w === undefined) return availableParallelism();
  if (!Number.isInteger(w) || w < 1 || w > MAX_WORKERS) throw new InvalidOptionError(field, w, `a whole number from 1 to ${MAX_WORKERS}`);
  return w;
}

/**
 * The compiled worker, dist/src/batch/sweep-worker.js under the package root: worker threads run JavaScript,
 * so the pool loads it from dist/ even when this module runs from src/ (under vitest).
 */
export function locateWorker(): string {
  const root = packageRoot();
  if (root === null) throw new SweepError("cannot find livemig's package root (and its dist/src/batch/sweep-worker.js): run `npm run build` first");
  const worker = join(root, 'dist', 'src', 'batch', 'sweep-worker.js');
  if (!existsSync(worker)) throw new SweepError(`the sweep worker ${worker} is missing: run \`npm run build\` first`);
  return worker;
}

/** A pool of worker threads running one SweepTask per call. */
export class ThreadPool {
  private readonly pool: Tinypool;
  private destroyed: Promise<void> | null = null;

  constructor(readonly threads: number) {
    this.pool = new Tinypool({ filename: pathToFileURL(locateWorker()).href, minThreads: threads, maxThreads: threads, maxQueue: Infinity });
  }

  run(task: SweepTask): Promise<SweepTaskResult> {
    return this.pool.run(task) as Promise<SweepTaskResult>;
  }

  /** Terminates the threads: running tasks reject, queued ones too. Idempotent. */
  destroy(): Promise<void> {
    this.destroyed ??= this.pool.destroy().catch(() => undefined);
    return this.destroyed;
  }
}

export interface RunTasksOptions {
  threads: number;
  mode: PoolMode;
  signal?: AbortSignal | undefined;
  /** Called for each result as it arrives; throwing stops the run of the tasks and is rethrown. */
  onResult(result: SweepTaskResult, task: SweepTask): void;
  /** Called when threads start (after the in-process runs, if any), with their number. */
  onThreads?(threads: number): void;
}

/** Runs every task, delivering results in the order they finish. Resolves `interrupted` if the signal stopped it. */
export async function runTasks(tasks: readonly SweepTask[], o: RunTasksOptions): Promise<{ interrupted: boolean; threads: number }> {
  let next = 0;
  if (o.mode !== 'threads') {
    // In this thread, one run at a time; a signal is seen between runs (each run is synchronous).
    let firstMs = 0;
    let restMs = 0;
    while (next < tasks.length) {
      if (o.signal?.aborted) return { interrupted: true, threads: 0 };
      const task = tasks[next++]!;
      const t0 = performance.now();
      o.onResult(runTask(task), task);
      if (next === 1) firstMs = performance.now() - t0;
      else restMs += performance.now() - t0;
      // The first run pays for compiling the Wasm core and warming the JIT: judge by the later ones.
      const mean = next === 1 ? firstMs : restMs / (next - 1);
      const decide = next > 1 || firstMs > RESPONSIVE_RUN_MS;
      if (o.mode === 'auto' && decide && shouldStartThreads(mean, tasks.length - next, o.threads)) break;
      await new Promise<void>((r) => setImmediate(r)); // let a signal handler run
    }
    if (next >= tasks.length) return { interrupted: false, threads: 0 };
  }
  const rest = tasks.slice(next);
  const threads = Math.max(1, Math.min(o.threads, rest.length));
  o.onThreads?.(threads);
  const interrupted = await dispatch(rest, threads, o);
  return { interrupted, threads };
}

async function dispatch(tasks: readonly SweepTask[], threads: number, o: RunTasksOptions): Promise<boolean> {
  if (o.signal?.aborted) return true;
  const pool = new ThreadPool(threads);
  // Two tasks per thread handed to the pool, so a thread never waits for this one to pass it the next run.
  const maxInFlight = threads * 2;
  let next = 0;
  let inFlight = 0;
  let stopping = false;
  let interrupted = false;
  let failure: unknown = null;
  let resolveAll: () => void = () => undefined;
  const finished = new Promise<void>((r) => {
    resolveAll = r;
  });
  const settle = () => {
    if (inFlight === 0 && (stopping || next >= tasks.length)) resolveAll();
  };
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void pool.destroy();
    settle();
  };
  const onAbort = () => {
    interrupted = true;
    stop();
  };
  const pump = () => {
    while (!stopping && inFlight < maxInFlight && next < tasks.length) {
      const task = tasks[next++]!;
      inFlight++;
      pool.run(task).then(
        (r) => {
          inFlight--;
          if (stopping) return settle();
          try {
            o.onResult(r, task);
          } catch (e) {
            failure = e;
            return stop();
          }
          pump();
          settle();
        },
        (err: unknown) => {
          inFlight--;
          if (stopping) return settle(); // aborted: terminated with its thread
          failure = err;
          stop();
        },
      );
    }
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    pump();
    await finished;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
  if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
  return interrupted;
}
