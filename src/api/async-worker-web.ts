/** The Web Worker of migrateAsync() and compareAsync() in the browser: one job per worker. */
import { runJob } from './async-job.js';
import type { AsyncJob, WorkerMessage } from './async.js';

const scope = globalThis as unknown as { onmessage: ((e: { data: AsyncJob }) => void) | null; postMessage(m: WorkerMessage): void };
scope.onmessage = (e) => runJob(e.data, (m) => scope.postMessage(m));
