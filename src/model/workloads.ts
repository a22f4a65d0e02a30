/**
 * Workload kinds and their fields, declared once: what each vCPU runs. The classes that perform the writes live
 * in src/workloads/ (one file per kind); checking, the CLI's workload flags, the JSON Schema and the report echo
 * derive from this table.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { checkNumber } from './check.js';
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
 * Bytes of a page one write changes (XBZRLE's delta, src/engine/wire-model.ts). [REC] model: a write updates the
 * same `bytesChangedPerWrite` bytes of its page in place, so a page re-sent after any number of writes differs
 * from its last sent copy by that many bytes, in one run. Random writers default to one 64-byte cache line (a
 * field or counter updated in place); the QEMU validation guest changes 1 byte per page (set 1); a streaming
 * writer rewrites whole pages (the default of sequential and trace). 0 = writes that store what was there.
 */
const bytesChangedPerWrite = {
  kind: 'bytes', doc: 'bytes of its page one write changes (XBZRLE delta), 0 up to 1 GiB; the page size or more = the whole page', rule: { min: 0, max: 1024 ** 3, integer: true, unit: 'B' },
  default: 64, defaultText: '64B; sequential and trace: 1GiB, the whole page', source: '[REC] one cache line updated in place (src/model/workloads.ts)', flag: '--bytes-changed',
} as const;
/** The whole page: the rule's largest value, at least any page size (the default of a streaming writer). */
const bytesChangedWholePage = {
  ...bytesChangedPerWrite, default: 1024 ** 3, source: '[REC] a streaming writer rewrites whole pages',
} as const;

const hotFraction = {
  kind: 'fraction', doc: 'hot-cold: share of the region that is hot, above 0 up to 1', rule: { min: 0, minExclusive: true, max: 1 },
  default: 0.05, source: "[REC] Clark's small writable working set", flag: '--hot-fraction',
} as const;
const hotProbability = {
  kind: 'fraction', doc: 'hot-cold: probability that a write hits the hot set, 0 to 1', rule: { min: 0, max: 1 },
  default: 0.9, source: '[REC]', flag: '--hot-probability',
} as const;

/** One phase of a `phases` workload, as checked. */
export interface PhaseSpec {
  durationMs: number;
  workload: WorkloadSpec;
}

/** Checks the `phases` list: each {durationMs, workload}, the workload any kind but phases. */
function checkPhases(path: string, value: unknown): PhaseSpec[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidOptionError(path, value, 'a non-empty list of {"durationMs", "workload"}');
  return value.map((p: unknown, i): PhaseSpec => {
    const f = `${path}[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new InvalidOptionError(f, p, 'an object {"durationMs", "workload"}');
    const o = p as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'durationMs' && k !== 'workload') throw new InvalidOptionError(`${f}.${k}`, o[k], 'no such field (fields: durationMs, workload)');
    const durationMs = checkNumber(`${f}.durationMs`, o['durationMs'], { min: 0, minExclusive: true, max: 1e12, unit: 'ms' });
    const w = o['workload'] as Record<string, unknown> | undefined;
    if (w?.['kind'] === 'phases') throw new InvalidOptionError(`${f}.workload.kind`, 'phases', 'any kind but phases (phases do not nest)');
    return { durationMs, workload: checkWorkloadSpec(w, `${f}.workload`) };
  });
}

/**
 * Every workload kind: its doc, its source, and its fields in the order they are checked and echoed. A writer's
 * `writesPerSec` is required in the library; its default is the CLI's `--write-rate` and the default workload's.
 */
export const WORKLOAD_TABLE = {
  idle: { doc: 'does nothing and wants no CPU', source: 'Xen stop rule: an idle VM stops after round 2', fields: {} },
  compute: { doc: 'CPU-bound, writes no memory (a reader or pure compute)', source: 'QEMU docs/devel/migration/dirty-limit.rst', fields: {} },
  uniform: { doc: 'uniformly random page writes over its region', source: 'occupancy model, reference §2.3', fields: { writesPerSec, regionStart, regionSize, bytesChangedPerWrite } },
  'hot-cold': {
    doc: 'a hot set at the start of its region takes most writes; uniform within each part',
    source: "Clark et al., NSDI 2005 (writable working set); VmigSim's WWS ratio",
    fields: {
      writesPerSec, regionStart, regionSize,
      hotFraction, hotProbability, bytesChangedPerWrite,
    },
  },
  sequential: { doc: "sweeps its region in page order (guestperf's stress loop)", source: 'QEMU tests/migration-stress/stress.c', fields: { writesPerSec, regionStart, regionSize, bytesChangedPerWrite: bytesChangedWholePage } },
  zipf: {
    doc: 'Zipf page popularity: rank r written with probability proportional to r^-exponent, ranks scattered over the region',
    source: 'Breslau et al., INFOCOM 1999; YCSB ZipfianGenerator (Cooper et al., SoCC 2010)',
    fields: {
      writesPerSec, regionStart, regionSize,
      exponent: {
        kind: 'count', doc: 'zipf: the exponent s, 0 (uniform) to 10', rule: { min: 0, max: 10 },
        default: 0.99, source: 'YCSB core/.../ZipfianGenerator.java ZIPFIAN_CONSTANT = 0.99', flag: '--zipf-exponent',
      },
      scatter: {
        kind: 'boolean', doc: 'zipf: scatter the ranks over the region (false: rank 1 at its start)',
        default: true, source: '[REC] the hottest pages should not share bitmap words',
      },
      bytesChangedPerWrite,
    },
  },
  'drifting-hot-set': {
    doc: 'hot-cold whose hot set slides through the region, wrapping at its end',
    source: '[REC] a cache or a garbage-collected heap whose live data moves',
    fields: {
      writesPerSec, regionStart, regionSize, hotFraction, hotProbability,
      driftPerSec: {
        kind: 'count', doc: 'drifting-hot-set: fraction of the region the hot set moves per second of vCPU run time, 0 to 1000',
        rule: { min: 0, max: 1000, unit: 'of the region per second' }, default: 0.01, source: '[REC] 1 % of the region per second', flag: '--drift',
      },
      bytesChangedPerWrite,
    },
  },
  phases: {
    doc: 'a program in phases: each workload for its duration of the vCPU\'s run time, then the next',
    source: '[REC] a batch job\'s map and reduce, a database\'s checkpoint',
    fields: {
      phases: {
        kind: 'list', doc: 'phases: one or more {"durationMs", "workload"} (a workload of any kind but phases)', required: true,
        check: checkPhases,
        schema: {
          type: 'array', minItems: 1,
          items: {
            type: 'object', required: ['durationMs', 'workload'], additionalProperties: false,
            properties: { durationMs: { type: 'number', exclusiveMinimum: 0, maximum: 1e12 }, workload: { $ref: '#/$defs/workload' } },
          },
        },
      },
      loop: { kind: 'boolean', doc: 'phases: start again after the last phase (false: stay in it)', default: false, source: '[REC]' },
    },
  },
  trace: {
    doc: 'replays a recorded dirty-page trace (docs/trace-format.md) over its region',
    source: 'livemig record; reference §C.4 (replay ORs each interval into the dirty bitmap)',
    fields: {
      file: { kind: 'path', doc: 'trace: the trace file, binary or NDJSON (relative to the working directory)', required: true, flag: '--trace-file' },
      regionStart, regionSize,
      placement: {
        kind: 'enum', values: ['offset', 'scatter'], doc: 'trace: trace pages in order from the region start, or scattered over it',
        default: 'offset', source: '[REC] keeps the recorded address-space layout', flag: '--trace-placement',
      },
      loop: { kind: 'boolean', doc: 'trace: replay again from the start after the end (false: go idle)', default: true, source: '[REC] a migration usually outlasts a trace' },
      speed: {
        kind: 'count', doc: 'trace: playback speed, 2 = twice as fast and twice the dirty rate, above 0 up to 1000', rule: { min: 0, minExclusive: true, max: 1000 },
        default: 1, source: '[REC]', flag: '--trace-speed',
      },
      bytesChangedPerWrite: bytesChangedWholePage,
    },
  },
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
export type ZipfSpec = SpecOf<'zipf'>;
export type DriftingHotSetSpec = SpecOf<'drifting-hot-set'>;
export type PhasesSpec = SpecOf<'phases'>;
export type TraceSpec = SpecOf<'trace'>;
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
