/**
 * livemig for browsers and bundlers (`livemig/browser`): the engine, its policies, controllers and workloads
 * behind migrate() and compare(), their async Web Worker twins, the model tables, the report builders and types.
 * Nothing here imports Node (test/browser/bundle.test.ts bundles it for platform=browser to prove it); the Wasm
 * core is inlined, so this also runs from a plain <script type="module"> with no bundler. Sweeps, experiment
 * files on disk and the writers of files are Node-only: import them from `livemig`.
 */

// Running migrations
export { migrate } from './api/migrate.js';
export { compare } from './api/compare.js';
export { migrateAsync, compareAsync } from './api/migrate-async-web.js';
export type { BrowserAsyncOptions } from './api/migrate-async-web.js';
export type { AsyncOptions, MigrationProgress } from './api/async.js';
export { parsePolicy, policyLabel } from './api/policy.js';
export { estimate, closedFormPrecopy, writeRateForDistinct, ESTIMATE_DEFAULT_POLICIES, ESTIMATE_TARGET_PAGES } from './api/estimate.js';
export type { EstimateOptions, EstimateResult, PolicyEstimate, EstimateMargin } from './api/estimate.js';
export { MANAGERS, MANAGEMENT_TABLE, parseManagementSpec } from './model/managers.js';
export type { ManagerName, ManagementSpec } from './model/managers.js';
export type { Manager, ManagementContext, ManagementEvent, ManagementRecord } from './model/management.js';
export type { Policy, PolicyOptions } from './api/policy.js';
export { scenarioOptions } from './api/scenario-options.js';
// Draining a host: several migrations over one shared link (max-min fair shares)
export { drain } from './api/drain.js';
export { maxMinShares, flowRates } from './engine/link-share.js';
export { DRAIN_TABLE, DRAIN_ORDERS, DRAIN_LINK_FIELDS } from './model/drain.js';
export type { DrainOptions, DrainVm, DrainOrder, DrainReport, DrainSummary, DrainVmResult } from './model/drain.js';
export { DRAIN_PRESETS, HOST_8 } from './scenarios/drain-presets.js';
export type { DrainPreset } from './scenarios/drain-presets.js';
export { formatDrain, formatDrainComparison } from './report/drain-table.js';
// Links that change: rate traces (linkTrace, backgroundTrace) and the piecewise-linear capacity they make
export { PiecewiseRate } from './model/piecewise-rate.js';
export type { RateSegment } from './model/piecewise-rate.js';
export { parseRateTraceText, checkInlineRateTrace, RATE_TRACE_INTERPOLATIONS } from './model/rate-trace.js';
export type { RateTrace, RateTracePoint, RateTraceOption, RateTraceInterpolation } from './model/rate-trace.js';

// The vocabulary: options, their table and defaults
export { ALGORITHMS } from './model/algorithms.js';
export type { AlgorithmName } from './model/algorithms.js';
export { OPTION_TABLE } from './model/option-table.js';
export type { OptionSpec, OptionName, ResolvedScenario } from './model/option-table.js';
export type { FieldSpec, UnitKind } from './model/fields.js';
export { DEFAULTS as defaults } from './model/options.js';
export type { MigrationOptions, MigrationHooks, ControllerOption } from './model/options.js';
export { KiB, MiB, GiB, TiB, formatBytes, formatDuration, formatRate, parseBytes, parseDuration, parseRate } from './units.js';
export { WORKLOAD_KINDS, WORKLOAD_TABLE } from './model/workloads.js';
export type {
  WorkloadSpec, WorkloadKind, IdleSpec, ComputeSpec, UniformSpec, HotColdSpec, SequentialSpec,
} from './model/workloads.js';
export { CONTROLLERS, CONTROLLER_TABLE } from './model/controllers.js';
export type {
  ControllerName, ControllerSpec, CpuSchedulingParams, AutoConvergeParams, DirtyLimitParams, SdpsParams,
} from './model/controllers.js';
export type { Controller, ControllerContext, SyncEvent, WindowEvent, VcpuView, DutyCycle } from './model/controller.js';

// Results
export type {
  MigrationReport, CompletedReport, CancelledReport, Summary, CompletedSummary, CancelledSummary, CancelReason,
  RoundRecord, TimelineSample, GuestImpact, VcpuImpact, PostcopyStats, PostcopyTrigger,
} from './model/report.js';
export type { ComparisonRow } from './model/comparison.js';
export type { RunRecord } from './model/run-record.js';

// Presets and experiment files (their JSON Schema; checking and loading them is Node's)
export { PRESETS, HEADLINE, CONVERGING } from './scenarios/presets.js';
export type { Preset } from './scenarios/presets.js';
export type { ExperimentFile, PolicyEntry, BaseScenario } from './experiments/types.js';
export { experimentJsonSchema } from './experiments/schema.js';

// Report builders
export { toCsv } from './report/csv.js';
export { formatReport } from './report/table.js';
export { formatComparison } from './report/comparison-table.js';
export { runCharts } from './report/run-charts.js';
export type { ChartDef, ChartRun } from './report/run-charts.js';

// Errors
export { LivemigError, InvalidOptionError, CapacityError, ExperimentError, SweepError } from './errors/index.js';
