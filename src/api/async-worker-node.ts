/** The worker thread of migrateAsync() and compareAsync() in Node (compiled to dist/src/api/async-worker-node.js). */
import { parentPort } from 'node:worker_threads';
import { runJob } from './async-job.js';
import type { AsyncJob } from './async.js';
import '../traces/node-files.js'; // Node's trace file reading for `trace` workloads

parentPort!.once('message', (job: AsyncJob) => runJob(job, (m) => parentPort!.postMessage(m)));
