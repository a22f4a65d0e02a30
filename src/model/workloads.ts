/**
 * Workload kinds and their fields, declared once: what each vCPU runs. The classes that perform the writes live
 * in src/workloads/ (one file per kind); checking, the CLI's workload flags, the JSON Schema and the report echo
 * derive from this table.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { type FieldTable, type FieldValue, checkFields } from './fields.js';

const writesPerSec = {
  kind: 'page-rate', doc: 'page writes per second at full CPU speed (per vCPU)', rule: { min: 0, max: 1e9, unit: 'page writes/s' },
  required: true, default: 25_000, source: '[REC] a moderate writer: 98 MiB/s of 4 KiB pages', flag: '--write-rate',
} as const;
const regionStart = {
  kind: 'fraction', doc: 'start of the region the workload writes, as a fraction of memory', rule: { min: 0, max: 1, maxExclusive: true },
  default: 0, defaultText: 'start of memory', flag: '--region-start',
} as const;
const regionSize = {
  kind: 'fraction', doc: 'size of that region, as a fraction of memory', rule: { min: 0, minExclusive: true, max: 1 },
  default: (c: Record<string, unknown>) => 1 - (c['regionStart'] as number), defaultText: 'the rest of memory', flag: '--region-size',
  bound: (c: Record<string, unknown>) => ({ max: 1 - (c['regionStart'] as number), maxLabel: `1 - regionStart (${1 - (c['regionStart'] as number)})` }),
} as const;

/**
 * Every workload kind: its doc, its source, and its fields in the order they are checked and echoed. A writer's
 * `writesPerSec` is required in the library; its default is the CLI's `--write-rate` and the default workload's.
 */
export const WORKLOAD_TABLE = {
  idle: { doc: 'does nothing and wants no CPU', source: 'Xen stop rule: an idle VM stops after round 2', fields: {} },
  compute: { doc: 'CPU-bound, writes no memory (a reader or pure compute)', source: 'QEMU docs/devel/migration/dirty-limit.rst', fields: {} },
  uniform: { doc: 'uniformly random page writes over its region', source: 'occupancy model, reference §2.3', fields: { writesPerSec, regionStart, regionSize } },
  'hot-cold': {
    doc: 'a hot set at the start of its region takes most writes; uniform within each part',
    source: "Clark et al., NSDI 2005 (writable working set); VmigSim's WWS ratio",
    fields: {
      writesPerSec, regionStart, regionSize,
      hotFraction: {
        kind: 'fraction', doc: 'hot-cold: share of the region that is hot, above 0 up to 1', rule: { min: 0, minExclusive: true, max: 1 },
        default: 0.05, source: "[REC] Clark's small writable working set", flag: '--hot-fraction',
      },
      hotProbability: {
        kind: 'fraction', doc: 'hot-cold: probability that a write hits the hot set, 0 to 1', rule: { min: 0, max: 1 },
        default: 0.9, source: '[REC]', flag: '--hot-probability',
      },
    },
  },
  sequential: { doc: "sweeps its region in page order (guestperf's stress loop)", source: 'QEMU tests/migration-stress/stress.c', fields: { writesPerSec, regionStart, regionSize } },
} as const satisfies Record<string, { doc: string; source: string; fields: FieldTable }>;

export type WorkloadKind = keyof typeof WORKLOAD_TABLE;
/** Workload kinds; each has a file in src/workloads/. */
export const WORKLOAD_KINDS = Object.keys(WORKLOAD_TABLE) as WorkloadKind[];

type Fields<K extends WorkloadKind> = (typeof WORKLOAD_TABLE)[K]['fields'];
type RequiredNames<T> = { [F in keyof T]: T[F] extends { required: true } ? F : never }[keyof T];
/** The spec of one kind: `writesPerSec` required for writers, every other field optional. */
export type SpecOf<K extends WorkloadKind> = { kind: K } & { [F in RequiredNames<Fields<K>>]: FieldValue<Fields<K>[F]> } & {
  [F in Exclude<keyof Fields<K>, RequiredNames<Fields<K>>>]?: FieldValue<Fields<K>[F]>;
};

export type IdleSpec = SpecOf<'idle'>;
export type ComputeSpec = SpecOf<'compute'>;
export type UniformSpec = SpecOf<'uniform'>;
export type HotColdSpec = SpecOf<'hot-cold'>;
export type SequentialSpec = SpecOf<'sequential'>;
/** What a vCPU runs: a discriminated union on `kind`. */
export type WorkloadSpec = { [K in WorkloadKind]: SpecOf<K> }[WorkloadKind];

/** The workload when none is given: one hot/cold writer per vCPU at the default rate. */
export const DEFAULT_WORKLOAD: WorkloadSpec = { kind: 'hot-cold', writesPerSec: writesPerSec.default };

/** Checks a workload spec and returns it with every field filled in; `field` names it in errors. */
export function checkWorkloadSpec(spec: unknown, field: string): WorkloadSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InvalidOptionError(field, spec, `an object with a "kind" of ${WORKLOAD_KINDS.join(', ')}`);
  }
  const { kind, ...rest } = spec as Record<string, unknown>;
  if (typeof kind !== 'string' || !Object.hasOwn(WORKLOAD_TABLE, kind)) {
    throw new InvalidOptionError(`${field}.kind`, kind, `one of ${WORKLOAD_KINDS.join(', ')}`);
  }
  const fields = checkFields(WORKLOAD_TABLE[kind as WorkloadKind].fields, rest, field, (names) => `no such field for kind "${kind}" (fields: ${['kind', ...names].join(', ')})`);
  return { kind, ...fields } as WorkloadSpec;
}
