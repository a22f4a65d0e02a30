/**
 * livemig's public API. Everything exported here is supported; modules not re-exported here are internal.
 */

import './traces/node-files.js'; // Node's trace file reading for `trace` workloads

// Running migrations
export { migrate } from './api/migrate.js';
export { compare } from './api/compare.js';
export { parsePolicy, policyLabel } from './api/policy.js';
export type { Policy } from './api/policy.js';
export { scenarioOptions } from './api/scenario-options.js';
// Off the caller's thread (a worker thread), cancellable; the browser entry (livemig/browser) has Web Worker twins.
export { migrateAsync, compareAsync } from './api/migrate-async-node.js';
export type { AsyncOptions, MigrationProgress } from './api/async.js';

// The vocabulary: options, their table and defaults
export { ALGORITHMS } from './model/algorithms.js';
export type { AlgorithmName } from './model/algorithms.js';
export { OPTION_TABLE } from './model/option-table.js';
export type { OptionSpec, OptionName, ResolvedScenario } from './model/option-table.js';
export type { FieldSpec, UnitKind } from './model/fields.js';
export { DEFAULTS as defaults } from './model/options.js';
export type { MigrationOptions, MigrationHooks, ControllerOption } from './model/options.js';
export { KiB, MiB, GiB, TiB } from './units.js';
export { WORKLOAD_KINDS, WORKLOAD_TABLE } from './model/workloads.js';
export type {
  WorkloadSpec, WorkloadKind, IdleSpec, ComputeSpec, UniformSpec, HotColdSpec, SequentialSpec,
  ZipfSpec, DriftingHotSetSpec, PhasesSpec, PhaseSpec, TraceSpec,
} from './model/workloads.js';
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
export { CONTROLLERS, CONTROLLER_TABLE } from './model/controllers.js';
export type {
  ControllerName, ControllerSpec, CpuSchedulingParams, AutoConvergeParams, DirtyLimitParams, SdpsParams,
} from './model/controllers.js';
export type { Controller, ControllerContext, SyncEvent, WindowEvent, VcpuView, DutyCycle } from './model/controller.js';

// Results
export type {
  MigrationReport, CompletedReport, CancelledReport, Summary, CompletedSummary, CancelledSummary, CancelReason,
  RoundRecord, TimelineSample, GuestImpact, VcpuImpact,
} from './model/report.js';
export type { ComparisonRow } from './model/comparison.js';
export type { RunRecord } from './model/run-record.js';

// Presets and experiments
export { PRESETS, HEADLINE, CONVERGING } from './scenarios/presets.js';
export type { Preset } from './scenarios/presets.js';
export { loadExperiment, checkExperiment } from './experiments/load.js';
export type { ExperimentFile, Experiment, ScenarioRun, PolicyEntry, BaseScenario } from './experiments/types.js';
export { experimentJsonSchema } from './experiments/schema.js';

// Sweeps and their outputs
export { runSweep, readResults, readManifest, toRunRecord } from './batch/index.js';
export type { SweepOptions, SweepProgress, SweepSummary, SweepManifest, Shard, PoolMode } from './batch/index.js';
export { mergeShards } from './batch/merge.js';
export type { MergeOptions, MergeSummary } from './batch/merge.js';
export { autoShard } from './batch/auto-shard.js';
export { runQueueSweep, runQueueWorker, queueStatus, drainQueue, parseQueueUrl, queueName } from './queue/index.js';
export type {
  QueueSweepOptions, QueueSweepSummary, QueueCounts, QueueWorkerOptions, QueueWorkerSummary, QueueWorkerEvent, QueueStatus, QueueAdminOptions, QueueTarget,
} from './queue/index.js';
export { toCsv } from './report/csv.js';
export { toGuestperf, writeGuestperf } from './report/guestperf.js';
export type { GuestperfReport } from './report/guestperf.js';
export { writeReport } from './report/html.js';
export type { ReportOptions } from './report/html.js';
export { EXPORTERS } from './report/exporters.js';
export type { Exporter } from './report/exporter.js';
export { formatReport } from './report/table.js';
export { formatComparison } from './report/comparison-table.js';
export { runCharts } from './report/run-charts.js';
export type { ChartDef, ChartRun } from './report/run-charts.js';

// Errors
export { LivemigError, InvalidOptionError, CapacityError, ExperimentError, SweepError, QueueError, TraceFormatError } from './errors/index.js';
