/**
 * migrateAsync() and compareAsync() in the browser: the emulation runs in a Web Worker, so the page never
 * freezes. The report is migrate()'s, bit for bit. By default the worker is this package's
 * async-worker-web.js, found the way bundlers understand (new Worker(new URL(…, import.meta.url))); pass
 * `worker` to start it yourself (a bundle of your own, a blob: URL, a CSP that needs one).
 */
import type { ComparisonRow } from '../model/comparison.js';
import type { MigrationOptions } from '../model/options.js';
import type { MigrationReport } from '../model/report.js';
import { type AsyncOptions, type WorkerHandle, compareJob, migrateJob, runInWorker } from './async.js';
import type { Policy } from './policy.js';

export interface BrowserAsyncOptions extends AsyncOptions {
  /** Starts the worker (a module or classic worker running livemig's async-worker-web entry). */
  worker?: () => Worker;
}

/** Emulates one migration in a Web Worker; rejects with the signal's reason (an AbortError) when aborted. */
export async function migrateAsync(options: MigrationOptions = {}, async: BrowserAsyncOptions = {}): Promise<MigrationReport> {
  return runInWorker<MigrationReport>(() => wrap(async.worker), migrateJob(options), async);
}

/** compare() in a Web Worker: the policies run one after the other, progress names the one running. */
export async function compareAsync(
  base: Omit<MigrationOptions, 'algorithm' | 'controller'>, policies: readonly (Policy | string)[], async: BrowserAsyncOptions = {},
): Promise<ComparisonRow[]> {
  return runInWorker<ComparisonRow[]>(() => wrap(async.worker), compareJob(base, policies), async);
}

function wrap(start: (() => Worker) | undefined): WorkerHandle {
  const worker = start ? start() : new Worker(new URL('./async-worker-web.js', import.meta.url), { type: 'module' });
  return {
    post: (job) => worker.postMessage(job),
    onMessage: (l) => worker.addEventListener('message', (e) => l(e.data)),
    onError: (l) => worker.addEventListener('error', (e) => l(new Error(`livemig: the worker failed: ${e.message || 'could not start it'}`))),
    terminate: () => worker.terminate(),
  };
}
