import type { PolicyOptions } from '../api/policy.js';
import type { MigrationOptions } from '../model/options.js';
import type { ControllerSpec } from '../model/controllers.js';
import type { AlgorithmName } from '../model/algorithms.js';

/** A scenario field an experiment may set: every option except hooks, trace and the policy fields. */
export type BaseScenario = Omit<MigrationOptions, 'hooks' | 'trace' | 'algorithm' | 'controller' | 'seed'>;

/** A policy in an experiment file: "xen+cpu-scheduling", or an object to give controller parameters. */
export type PolicyEntry =
  | string
  | { label?: string; algorithm: AlgorithmName; options?: PolicyOptions; controller?: ControllerSpec };

/**
 * An experiment file (JSON; schema in schema/experiment.schema.json). The sweep runs the cartesian product
 * of `axes`, each point with every seed and every policy.
 */
export interface ExperimentFile {
  $schema?: string;
  name: string;
  description?: string;
  /** Options every run starts from. */
  base?: BaseScenario;
  /** Field path (dots for nested fields, e.g. "workload.writesPerSec") → the values to sweep. */
  axes?: Record<string, unknown[]>;
  /** Seeds: a list, or {start, count}. @default [1] */
  seeds?: number[] | { start: number; count: number };
  /** Policies to compare on every point. @default ["qemu"] */
  policies?: PolicyEntry[];
}

/** One run of an expanded experiment. */
export interface ScenarioRun {
  /** Position in the whole sweep (0-based); stable for a given experiment file. */
  index: number;
  /** `p<index>`: the run's id in results files. */
  id: string;
  /** Axis values of this point, by axis path. */
  params: Record<string, unknown>;
  seed: number;
  policy: string;
  /** The migrate() options of this run. */
  options: MigrationOptions;
}

/** A checked experiment: the runs in order, and a fingerprint of everything that determines them. */
export interface Experiment {
  name: string;
  description: string;
  axisNames: string[];
  runs: ScenarioRun[];
  /** SHA-256 of the canonical experiment: a resumed sweep must match it. */
  fingerprint: string;
}
