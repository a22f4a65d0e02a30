/**
 * livemig's public API. Everything exported here is supported; modules not re-exported here are internal.
 */
export { migrate } from './engine/migrate.js';
export { ALGORITHMS } from './engine/options.js';
export type { AlgorithmName, MigrationOptions } from './engine/options.js';
export type { MigrationHooks } from './engine/hooks.js';
export * as defaults from './engine/defaults.js';
export { KiB, MiB, GiB, TiB } from './engine/defaults.js';
export { WORKLOAD_KINDS } from './workloads/spec.js';
export type {
  WorkloadSpec, WorkloadKind, IdleSpec, ComputeSpec, UniformSpec, HotColdSpec, SequentialSpec, RegionSpec,
} from './workloads/spec.js';
export { CONTROLLERS } from './policies/controllers/registry.js';
export type { ControllerName, ControllerOption, ControllerSpec } from './policies/controllers/registry.js';
export type { CpuSchedulingParams } from './policies/controllers/cpu-scheduling.js';
export type { AutoConvergeParams } from './policies/controllers/auto-converge.js';
export type { DirtyLimitParams } from './policies/controllers/dirty-limit.js';
export type { SdpsParams } from './policies/controllers/sdps.js';
export type { Controller, ControllerContext, SyncEvent, WindowEvent, VcpuView } from './policies/controllers/controller.js';
export type { DutyCycle } from './engine/vcpu.js';
export type {
  MigrationReport, CompletedReport, CancelledReport, Summary, CompletedSummary, CancelledSummary, CancelReason,
  RoundRecord, TimelineSample, GuestImpact, VcpuImpact, ResolvedScenario,
} from './report/types.js';
export { scenarioOptions } from './report/scenario-options.js';
export { compare } from './engine/compare.js';
export type { ComparisonRow } from './engine/compare.js';
export { parsePolicy, policyLabel } from './engine/policy.js';
export type { Policy } from './engine/policy.js';
export { PRESETS, HEADLINE, CONVERGING } from './scenarios/presets.js';
export type { Preset } from './scenarios/presets.js';
export { loadExperiment, checkExperiment } from './experiments/load.js';
export type { ExperimentFile, Experiment, ScenarioRun, PolicyEntry, BaseScenario } from './experiments/types.js';
export { experimentJsonSchema } from './experiments/schema.js';
export { runSweep, readResults, readManifest, toRunRecord } from './batch/index.js';
export type { SweepOptions, SweepProgress, SweepSummary, SweepManifest, Shard, RunRecord, PoolMode } from './batch/index.js';
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
export { formatReport } from './report/table.js';
export { formatComparison } from './report/comparison-table.js';
export { LivemigError, InvalidOptionError, CapacityError, ExperimentError, SweepError, QueueError } from './errors/index.js';
