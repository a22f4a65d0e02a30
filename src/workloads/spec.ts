import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { type NumberRule, checkNumber } from '../engine/check.js';

/** Workload kinds; each has a file in src/workloads/. */
export const WORKLOAD_KINDS = ['idle', 'compute', 'uniform', 'hot-cold', 'sequential'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** The part of memory a writer uses, as fractions of guest memory. */
export interface RegionSpec {
  /** Start of the region as a fraction of memory (0 to 1). @default 0 */
  regionStart?: number;
  /** Size of the region as a fraction of memory (0 to 1]. @default 1 - regionStart */
  regionSize?: number;
}

/** Does nothing and wants no CPU. */
export interface IdleSpec { kind: 'idle' }
/** CPU-bound but writes no memory (a reader or pure compute): throttling costs it CPU, dirty-limit does not. */
export interface ComputeSpec { kind: 'compute' }
/** CPU-bound writer, uniformly random pages over its region. */
export interface UniformSpec extends RegionSpec { kind: 'uniform'; writesPerSec: number }
/** CPU-bound writer with a hot set at the start of its region (Clark's writable working set, VmigSim's split). */
export interface HotColdSpec extends RegionSpec {
  kind: 'hot-cold';
  writesPerSec: number;
  /** Hot pages as a fraction of the region (0 to 1]. @default DEFAULT_HOT_FRACTION (0.05) */
  hotFraction?: number;
  /** Probability that a write hits the hot set (0 to 1). @default DEFAULT_HOT_PROBABILITY (0.9) */
  hotProbability?: number;
}
/** CPU-bound writer sweeping its region in page order (guestperf's stress loop: no re-dirtying within a sweep). */
export interface SequentialSpec extends RegionSpec { kind: 'sequential'; writesPerSec: number }

export type WorkloadSpec = IdleSpec | ComputeSpec | UniformSpec | HotColdSpec | SequentialSpec;

/** Ranges of the workload fields, read by checkWorkloadSpec and the experiment JSON Schema. */
export const WORKLOAD_FIELD_RULES = {
  writesPerSec: { min: 0, max: 1e9, unit: 'page writes/s' },
  regionStart: { min: 0, max: 1, maxExclusive: true },
  regionSize: { min: 0, minExclusive: true, max: 1 },
  hotFraction: { min: 0, minExclusive: true, max: 1 },
  hotProbability: { min: 0, max: 1 },
} as const satisfies Record<string, NumberRule>;

/** Checks a workload spec and returns it with defaults filled in; `field` names it in errors. */
export function checkWorkloadSpec(spec: unknown, field: string, defaults: { hotFraction: number; hotProbability: number }): WorkloadSpec {
  if (typeof spec !== 'object' || spec === null) {
    throw new InvalidOptionError(field, spec, `an object with a "kind" of ${WORKLOAD_KINDS.join(', ')}`);
  }
  const s = spec as Record<string, unknown>;
  const kind = s['kind'];
  if (!WORKLOAD_KINDS.includes(kind as WorkloadKind)) {
    throw new InvalidOptionError(`${field}.kind`, kind, `one of ${WORKLOAD_KINDS.join(', ')}`);
  }
  allowOnly(s, field, kind === 'idle' || kind === 'compute' ? ['kind'] : kind === 'hot-cold'
    ? ['kind', 'writesPerSec', 'regionStart', 'regionSize', 'hotFraction', 'hotProbability']
    : ['kind', 'writesPerSec', 'regionStart', 'regionSize']);
  if (kind === 'idle' || kind === 'compute') return { kind };
  const R = WORKLOAD_FIELD_RULES;
  const writesPerSec = checkNumber(`${field}.writesPerSec`, s['writesPerSec'], R.writesPerSec);
  const regionStart = checkNumber(`${field}.regionStart`, s['regionStart'] ?? 0, R.regionStart);
  const regionSize = checkNumber(`${field}.regionSize`, s['regionSize'] ?? 1 - regionStart, {
    ...R.regionSize, max: 1 - regionStart, maxLabel: `1 - regionStart (${1 - regionStart})`,
  });
  if (kind === 'hot-cold') {
    const hotFraction = checkNumber(`${field}.hotFraction`, s['hotFraction'] ?? defaults.hotFraction, R.hotFraction);
    const hotProbability = checkNumber(`${field}.hotProbability`, s['hotProbability'] ?? defaults.hotProbability, R.hotProbability);
    return { kind, writesPerSec, regionStart, regionSize, hotFraction, hotProbability };
  }
  return { kind: kind as 'uniform' | 'sequential', writesPerSec, regionStart, regionSize };
}

function allowOnly(s: Record<string, unknown>, field: string, keys: string[]): void {
  for (const k of Object.keys(s)) {
    if (!keys.includes(k)) throw new InvalidOptionError(`${field}.${k}`, s[k], `no such field for kind "${String(s['kind'])}" (fields: ${keys.join(', ')})`);
  }
}
