/**
 * What migrate() takes and what resolving it gives the engine. The scalar options are derived from the option
 * table (option-table.ts), so their names, types, ranges and defaults are written once, there.
 */
import type { Controller } from './controller.js';
import type { ControllerName, ControllerSpec } from './controllers.js';
import type { ResolvedManagement } from './management.js';
import { OPTION_TABLE, type OptionName, type OptionValue, type ResolvedScenario } from './option-table.js';
import type { RoundRecord, TimelineSample } from './report.js';
import type { WorkloadSpec } from './workloads.js';
import type { PiecewiseRate } from './piecewise-rate.js';

/**
 * A controller given by name (defaults), by name with parameters, or as your own: an object (its state carries
 * over if you reuse it for another run) or a factory called once per run.
 */
export type ControllerOption = ControllerName | ControllerSpec | Controller | (() => Controller);

/** Callbacks an embedding tool can pass to watch a run; all are called synchronously, in emulated-time order. */
export interface MigrationHooks {
  /** A round ended (its record is final). */
  onRound?(round: RoundRecord): void;
  /** A 100 ms window closed. */
  onWindow?(sample: TimelineSample): void;
}

type ScalarName = Exclude<OptionName, 'workload' | 'controller'>;

/**
 * Options of one emulated migration. Every field is optional: an absent field takes the default of its row in
 * OPTION_TABLE (src/model/option-table.ts), which gives each one's unit, range, default and source. Sizes are
 * bytes, rates bytes per second, times milliseconds, as the names say.
 */
export type MigrationOptions = { [K in ScalarName]?: OptionValue<K> } & {
  /** What each vCPU runs: one spec for all vCPUs, or one per vCPU. @default a hot/cold writer at 25,000 pages/s */
  workload?: WorkloadSpec | WorkloadSpec[];
  /** CPU-scheduling controller throttling the guest. @default 'none' */
  controller?: ControllerOption;
  /** Callbacks to watch a run as it goes. */
  hooks?: MigrationHooks;
};

/** A checked controller option: a factory (a fresh controller per run) and its JSON description. */
export interface ResolvedController {
  create(): Controller;
  description: Record<string, unknown> | null;
}

/** Options checked, defaults filled in: what the engine runs on. */
export interface ResolvedOptions {
  scenario: ResolvedScenario;
  workloads: WorkloadSpec[];
  controller: ResolvedController;
  /** The management layer (the management option), or null without one. */
  management: ResolvedManagement | null;
  /** estimate()'s reduction factor: the real VM is this many times the emulated one (internal; absent = 1). */
  scale?: number;
  /** Per-page write and send stamps in the page store, for livemig's own consistency tests (internal). */
  trace: boolean;
  hooks: MigrationHooks;
  /**
   * The link's capacity over time (B/s; src/util/piecewise-rate.ts): the link options', or a migration's share
   * of a drain's link. Absent: a constant link at bandwidthBytesPerSec.
   */
  linkCapacity?: PiecewiseRate;
}

/** The defaults of the scalar options, by name: OPTION_TABLE's `default` column. */
export const DEFAULTS = Object.fromEntries(
  Object.entries(OPTION_TABLE).filter(([, r]) => 'default' in r).map(([k, r]) => [k, (r as { default: unknown }).default]),
) as { readonly [K in OptionName]: (typeof OPTION_TABLE)[K] extends { default: infer D } ? D : never };
