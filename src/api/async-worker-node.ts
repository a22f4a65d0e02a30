/** The worker thread of migrateAsync() and compareAsync() in Node (compiled to dist/src/api/async-worker-node.js). */
import { parentPort } from 'node:worker_threads';
import { runJob } from './async-job.js';
import type { AsyncJob } from './async.js';

parentPort!.once('message', (job: AsyncJob) => runJob(job, (m) => parentPort!.postMessage(m)));
