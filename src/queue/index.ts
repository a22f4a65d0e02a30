/**
 * Sweeps across machines through a BullMQ queue on Redis: `runQueueSweep` (the collector, what
 * `livemig sweep --queue` runs) and `runQueueWorker` (what `livemig worker` runs), with `--status`/`--drain`.
 */
export { runQueueSweep, INTERNAL_ATTEMPTS, PROBE_RUNS, TARGET_JOB_MS, MAX_BATCH, MIN_JOBS } from './collect.js';
export type { QueueSweepOptions, QueueSweepSummary, QueueCounts } from './collect.js';
export { runQueueWorker, DEFAULT_STALL_TIMEOUT_MS, MAX_STALLS } from './worker.js';
export type { QueueWorkerOptions, QueueWorkerSummary, QueueWorkerEvent } from './worker.js';
export { queueStatus, drainQueue } from './admin.js';
export type { QueueStatus, QueueAdminOptions } from './admin.js';
export { parseQueueUrl, ACCEPTED_QUEUE_URL } from './url.js';
export type { QueueTarget } from './url.js';
export { queueName, jobId } from './names.js';
