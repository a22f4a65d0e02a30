/**
 * The built-in controllers and their parameters, declared once: names, ranges, defaults with their sources, docs.
 * The controllers themselves live in src/policies/controllers/ (one file each); checking, `--controller NAME:k=v`
 * parsing, `livemig … --help`, the JSON Schema and the report echo derive from this table.
 */
import { type FieldTable, type FieldValue, checkFields } from './fields.js';

const pct = (doc: string, dflt: number, source: string) =>
  ({ kind: 'count', doc, rule: { min: 1, max: 99, integer: true, unit: '%' }, default: dflt, source }) as const;

export const CONTROLLER_TABLE = {
  'cpu-scheduling': {
    doc: "the seed paper's scheme (RECONSTRUCTION): slow the vCPUs so the remaining dirty memory reaches a target by a given round",
    source: 'Jin et al., JNCA 34(4), 2011; reference §1.4',
    params: {
      targetRound: {
        kind: 'count', doc: 'the round by which the target must be reached (the "certain phase" of pre-copy)', rule: { min: 2, max: 1000, integer: true },
        default: 5, source: '[REC] reconstruction',
      },
      minShare: {
        kind: 'fraction', doc: 'smallest CPU share f_min the guest keeps', rule: { min: 0, minExclusive: true, max: 1 },
        default: 0.05, source: '[REC] reconstruction: 95 % throttle at most',
      },
      target: {
        kind: 'enum', doc: "the remaining size aimed at: 'downtime' = bandwidth × downtime limit, 'xen-50-pages', or bytes",
        values: ['downtime', 'xen-50-pages'], rule: { min: 0, minExclusive: true, unit: 'B' }, default: 'downtime', source: '[REC] reconstruction',
      },
    },
  },
  'auto-converge': {
    doc: "QEMU's auto-converge: cpu-throttle stepped up while dirtying outpaces sending",
    source: 'QEMU migration/ram.c, migration/cpu-throttle.c; reference §4.3',
    params: {
      triggerThresholdPct: {
        kind: 'count', doc: 'throttle-trigger-threshold: % of the bytes sent in a period that dirtying must exceed',
        rule: { min: 1, max: 100, integer: true, unit: '%' }, default: 50, source: 'QEMU migration/options.c DEFAULT_MIGRATE_THROTTLE_TRIGGER_THRESHOLD',
      },
      initialPct: pct('cpu-throttle-initial, %', 20, 'QEMU migration/options.c DEFAULT_MIGRATE_CPU_THROTTLE_INITIAL'),
      incrementPct: pct('cpu-throttle-increment, %', 10, 'QEMU migration/options.c DEFAULT_MIGRATE_CPU_THROTTLE_INCREMENT'),
      maxPct: pct('max-cpu-throttle, %', 99, 'QEMU migration/options.c DEFAULT_MIGRATE_MAX_CPU_THROTTLE'),
      tailslow: {
        kind: 'boolean', doc: 'cpu-throttle-tailslow: scale later steps by how far the dirty rate is above the threshold',
        default: false, source: 'QEMU migration/options.c',
      },
    },
  },
  'dirty-limit': {
    doc: "QEMU's dirty-limit: per-vCPU dirty-rate quota enforced by sleeps on dirty-ring-full exits",
    source: 'QEMU system/dirtylimit.c, docs/devel/migration/dirty-limit.rst; reference §4.4',
    params: {
      vcpuDirtyLimitMBps: {
        kind: 'count', doc: "vcpu-dirty-limit: the per-vCPU quota, MB/s (QEMU's MB = 2^20 B)", rule: { min: 1, max: 1e6, integer: true, unit: 'MB/s' },
        default: 1, source: 'QEMU migration/options.c DEFAULT_MIGRATE_VCPU_DIRTY_LIMIT',
      },
      periodMs: {
        kind: 'duration', doc: 'x-vcpu-dirty-limit-period, ms', rule: { min: 1, max: 1000, integer: true, unit: 'ms' },
        default: 1000, source: 'QEMU migration/options.c DEFAULT_MIGRATE_VCPU_DIRTY_LIMIT_PERIOD',
      },
      ringEntries: {
        kind: 'count', doc: 'KVM dirty-ring-size, entries (pages) per vCPU', rule: { min: 1024, max: 65536, integer: true },
        default: 4096, source: '[REC] QEMU has no default (the ring is off); 4096 is the usual setting',
      },
    },
  },
  sdps: {
    doc: "VMware's Stun During Page Send (RECONSTRUCTION): tiny sleeps while the dirty rate exceeds the transmit rate",
    source: 'VMware vSphere 5 vMotion; Epping 2012; US 9,052,949 B2; reference §5',
    params: {
      maxSleepMs: {
        kind: 'duration', doc: 'length of each injected sleep, ms', rule: { min: 0.1, max: 10, unit: 'ms' },
        default: 2, source: '[REC] "a few milliseconds at a time at most" (Epping, 2012)',
      },
      targetRatio: {
        kind: 'fraction', doc: 'dirty rate aimed at, as a fraction of the transmit rate', rule: { min: 0, minExclusive: true, max: 1 },
        default: 0.9, source: '[REC]',
      },
      minShare: {
        kind: 'fraction', doc: 'smallest CPU share a vCPU keeps', rule: { min: 0, minExclusive: true, max: 1 },
        default: 0.01, source: '[REC]',
      },
    },
  },
} as const satisfies Record<string, { doc: string; source: string; params: FieldTable }>;

export type BuiltInControllerName = keyof typeof CONTROLLER_TABLE;
/** Built-in controllers by name; 'none' runs the algorithm alone. */
export const CONTROLLERS = ['none', ...(Object.keys(CONTROLLER_TABLE) as BuiltInControllerName[])] as const;
export type ControllerName = 'none' | BuiltInControllerName;

/** The parameters of built-in controller K, every one optional. */
export type ParamsOf<K extends BuiltInControllerName> = {
  -readonly [F in keyof (typeof CONTROLLER_TABLE)[K]['params']]?: FieldValue<(typeof CONTROLLER_TABLE)[K]['params'][F]>;
};
export type CpuSchedulingParams = ParamsOf<'cpu-scheduling'>;
export type AutoConvergeParams = ParamsOf<'auto-converge'>;
export type DirtyLimitParams = ParamsOf<'dirty-limit'>;
export type SdpsParams = ParamsOf<'sdps'>;

/** A built-in controller with its parameters. */
export type ControllerSpec = { name: 'none' } | { [K in BuiltInControllerName]: { name: K } & ParamsOf<K> }[BuiltInControllerName];

/** Checks a built-in controller's parameters and fills in defaults, in table order; `field` names them in errors. */
export function checkControllerParams<K extends BuiltInControllerName>(name: K, params: Record<string, unknown>, field: string): Required<ParamsOf<K>> {
  return checkFields(CONTROLLER_TABLE[name].params, params, field, (names) => `a parameter of ${name} (${names.join(', ')})`) as Required<ParamsOf<K>>;
}
