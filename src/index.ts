/**
 * livemig's public API in Node. Everything exported here is supported; modules not re-exported here are internal.
 * It is the browser entry (src/browser.ts: the engine, the model tables, presets, report types and builders) plus
 * what needs Node: file I/O (experiments, traces, recording, sweeps, exporters), Redis queues, and the async API
 * on worker threads instead of Web Workers (a named export here takes precedence over the browser's of that name).
 */

import './traces/node-files.js'; // Node's trace file reading for `trace` workloads

export * from './browser.js';

// Off the caller's thread (a worker thread), cancellable; livemig/browser has the Web Worker twins.
export { migrateAsync, compareAsync } from './api/migrate-async-node.js';

// Dirty-page traces (docs/trace-format.md): reading, writing, statistics, recording, QEMU's dirty-rate estimate.
export { openTrace, createTraceWriter, intervalsOf } from './traces/open.js';
export type { TraceForm, TraceSink } from './traces/open.js';
export { TraceWriter } from './traces/writer.js';
export type { TraceHeaderInput } from './traces/writer.js';
export type { TraceSource } from './traces/reader.js';
export { TRACE_VERSION, TRACE_METHODS } from './traces/header.js';
export type { TraceHeader, TraceRegion, TraceMethod } from './traces/header.js';
export type { TraceInterval } from './traces/interval.js';
export { traceStats } from './traces/stats.js';
export type { TraceStats, StatsOptions, WssPoint, PrecopyEstimate, PrecopyRound } from './traces/stats.js';
export { record, RECORD_METHODS } from './record/recorder.js';
export type { RecordOptions, RecordResult, RecordOverhead, RecordMethod } from './record/recorder.js';
export { parseQueryDirtyRate, workloadsFromDirtyRate } from './workloads/qemu-dirty-rate.js';
export type { QemuDirtyRate } from './workloads/qemu-dirty-rate.js';

// Experiment files: loading and checking
export { loadExperiment, checkExperiment } from './experiments/load.js';
export type { Experiment, ScenarioRun } from './experiments/types.js';

// Sweeps and their outputs
export { runSweep, readResults, readManifest, toRunRecord } from './batch/index.js';
export type { SweepOptions, SweepProgress, SweepSummary, SweepManifest, Shard, PoolMode, ReadOptions } from './batch/index.js';
export { mergeShards } from './batch/merge.js';
export type { MergeOptions, MergeSummary } from './batch/merge.js';
export { autoShard } from './batch/auto-shard.js';
export { runQueueSweep, runQueueWorker, queueStatus, drainQueue, parseQueueUrl, queueName } from './queue/index.js';
export type {
  QueueSweepOptions, QueueSweepSummary, QueueCounts, QueueWorkerOptions, QueueWorkerSummary, QueueWorkerEvent, QueueStatus, QueueAdminOptions, QueueTarget,
} from './queue/index.js';
export { toGuestperf, writeGuestperf } from './report/guestperf.js';
export type { GuestperfReport } from './report/guestperf.js';
export { writeReport } from './report/html.js';
export type { ReportOptions } from './report/html.js';
export { EXPORTERS } from './report/exporters.js';
export type { Exporter } from './report/exporter.js';

// Errors (the browser's, plus those of queues and trace files)
export { QueueError, TraceFormatError } from './errors/index.js';
