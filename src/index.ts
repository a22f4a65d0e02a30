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
export type { ControllerName, ControllerOption } from './policies/controllers/registry.js';
export type { Controller, ControllerContext, SyncEvent, WindowEvent, VcpuView } from './policies/controllers/controller.js';
export type { DutyCycle } from './engine/vcpu.js';
export type {
  MigrationReport, CompletedReport, CancelledReport, Summary, CompletedSummary, CancelledSummary, CancelReason,
  RoundRecord, TimelineSample, GuestImpact, VcpuImpact, ResolvedScenario,
} from './report/types.js';
export { LivemigError, InvalidOptionError, CapacityError } from './errors/index.js';
