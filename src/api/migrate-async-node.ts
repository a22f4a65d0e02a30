/**
 * migrateAsync() and compareAsync() in Node: the emulation runs on a worker thread, so a service embedding
 * livemig never blocks its event loop. The report is migrate()'s, bit for bit (structured clone keeps every
 * double as it is).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ComparisonRow } from '../model/comparison.js';
import type { MigrationOptions } from '../model/options.js';
import type { MigrationReport } from '../model/report.js';
import { type AsyncOptions, type WorkerHandle, compareJob, migrateJob, runInWorker } from './async.js';
import type { Policy } from './policy.js';

/**
 * Emulates one migration on a worker thread. Rejects with the signal's reason (an AbortError) when aborted,
 * with InvalidOptionError for a bad option before any thread starts.
 *
 * @example
 * const report = await migrateAsync({ memoryBytes: 64 * GiB }, { signal: AbortSignal.timeout(5000), onProgress: (p) => console.log(p.round) });
 */
export async function migrateAsync(options: MigrationOptions = {}, async: AsyncOptions = {}): Promise<MigrationReport> {
  return runInWorker<MigrationReport>(spawnNodeWorker, migrateJob(options), async);
}

/** compare() on a worker thread: the policies run one after the other, progress names the one running. */
export async function compareAsync(
  base: Omit<MigrationOptions, 'algorithm' | 'controller'>, policies: readonly (Policy | string)[], async: AsyncOptions = {},
): Promise<ComparisonRow[]> {
  return runInWorker<ComparisonRow[]>(spawnNodeWorker, compareJob(base, policies), async);
}

function spawnNodeWorker(): WorkerHandle {
  const worker = new Worker(locateAsyncWorker());
  return {
    post: (job) => worker.postMessage(job),
    onMessage: (l) => worker.on('message', l),
    onError: (l) => worker.on('error', l),
    terminate: () => void worker.terminate(),
  };
}

let located: string | undefined;

/** The compiled worker: beside this file in dist/, or dist/src/api/ under the package root when this runs from src/ (vitest). */
function locateAsyncWorker(): string {
  if (located !== undefined) return located;
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  const sibling = join(here, 'async-worker-node.js');
  if (existsSync(sibling)) return (located = sibling);
  for (;;) {
    const candidate = join(dir, 'dist', 'src', 'api', 'async-worker-node.js');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return (located = candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('livemig: dist/src/api/async-worker-node.js is missing: run `npm run build` first');
    dir = parent;
  }
}
