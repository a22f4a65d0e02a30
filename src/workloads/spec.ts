import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { type NumberRule, checkNumber } from '../engine/check.js';

/** Workload kinds; each has a file in src/workloads/. */
export const WORKLOAD_KINDS = ['idle', 'compute', 'uniform', 'hot-cold', 'sequential', 'zipf', 'drifting-hot-set', 'phases', 'trace'] as const;
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

/** CPU-bound writer with Zipf page popularity: rank r written with probability ∝ r^−exponent, ranks scattered over the region. */
export interface ZipfSpec extends RegionSpec {
  kind: 'zipf';
  writesPerSec: number;
  /** The Zipf exponent s (0 = uniform, 0 to 10). @default DEFAULT_ZIPF_EXPONENT (0.99, YCSB's) */
  exponent?: number;
  /** Scatter the ranks over the region (true) or put rank 1 at its start (false). @default true */
  scatter?: boolean;
}
/** Hot-cold whose hot set slides through the region by `driftPerSec` of it per second of the vCPU's progress. */
export interface DriftingHotSetSpec extends RegionSpec {
  kind: 'drifting-hot-set';
  writesPerSec: number;
  /** @default DEFAULT_HOT_FRACTION (0.05) */
  hotFraction?: number;
  /** @default DEFAULT_HOT_PROBABILITY (0.9) */
  hotProbability?: number;
  /** Fraction of the region the hot set moves per second (0 to 1000). @default DEFAULT_DRIFT_PER_SEC (0.01) */
  driftPerSec?: number;
}
/** A program in phases: each workload for its duration of the vCPU's run time, then the next (optionally looping). */
export interface PhasesSpec {
  kind: 'phases';
  /** One or more phases; a phase's workload is any kind but phases. */
  phases: { durationMs: number; workload: WorkloadSpec }[];
  /** Start again after the last phase (true) or stay in it (false). @default false */
  loop?: boolean;
}
/** Replays a recorded dirty-page trace (docs/trace-format.md) over the region. */
export interface TraceSpec extends RegionSpec {
  kind: 'trace';
  /** Path of the trace, binary or NDJSON (relative paths resolve from the working directory). */
  file: string;
  /** Trace pages in order from the region's start ('offset') or spread by a fixed bijection ('scatter'). @default 'offset' */
  placement?: 'offset' | 'scatter';
  /** Replay again from the start after the end (true), or go idle (false). @default true */
  loop?: boolean;
  /** Playback speed: 2 = twice as fast, twice the dirty rate (0 < speed <= 1000). @default 1 */
  speed?: number;
}

export type WorkloadSpec =
  | IdleSpec | ComputeSpec | UniformSpec | HotColdSpec | SequentialSpec
  | ZipfSpec | DriftingHotSetSpec | PhasesSpec | TraceSpec;

/** Zipf exponent when not given [SRC YCSB core/.../ZipfianGenerator.java ZIPFIAN_CONSTANT = 0.99]. */
export const DEFAULT_ZIPF_EXPONENT = 0.99;
/** Drift of a drifting hot set when not given: 1 % of the region per second [REC]. */
export const DEFAULT_DRIFT_PER_SEC = 0.01;

/** Ranges of the workload fields, read by checkWorkloadSpec and the experiment JSON Schema. */
export const WORKLOAD_FIELD_RULES = {
  writesPerSec: { min: 0, max: 1e9, unit: 'page writes/s' },
  regionStart: { min: 0, max: 1, maxExclusive: true },
  regionSize: { min: 0, minExclusive: true, max: 1 },
  hotFraction: { min: 0, minExclusive: true, max: 1 },
  hotProbability: { min: 0, max: 1 },
  exponent: { min: 0, max: 10 },
  driftPerSec: { min: 0, max: 1000, unit: 'of the region per second' },
  speed: { min: 0, minExclusive: true, max: 1000 },
  durationMs: { min: 0, minExclusive: true, max: 1e12, unit: 'ms' },
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
  if (kind === 'zipf' || kind === 'drifting-hot-set' || kind === 'phases' || kind === 'trace') return checkNewKind(s, field, defaults);
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

/** The kinds of issue 13 (zipf, drifting-hot-set, phases, trace): checked here, defaults filled in. */
function checkNewKind(s: Record<string, unknown>, field: string, defaults: { hotFraction: number; hotProbability: number }): WorkloadSpec {
  const R = WORKLOAD_FIELD_RULES;
  const region = (): { regionStart: number; regionSize: number } => {
    const regionStart = checkNumber(`${field}.regionStart`, s['regionStart'] ?? 0, R.regionStart);
    const regionSize = checkNumber(`${field}.regionSize`, s['regionSize'] ?? 1 - regionStart, {
      ...R.regionSize, max: 1 - regionStart, maxLabel: `1 - regionStart (${1 - regionStart})`,
    });
    return { regionStart, regionSize };
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const v = s[key] ?? dflt;
    if (typeof v !== 'boolean') throw new InvalidOptionError(`${field}.${key}`, v, 'true or false');
    return v;
  };
  switch (s['kind']) {
    case 'zipf':
      allowOnly(s, field, ['kind', 'writesPerSec', 'regionStart', 'regionSize', 'exponent', 'scatter']);
      return {
        kind: 'zipf', writesPerSec: checkNumber(`${field}.writesPerSec`, s['writesPerSec'], R.writesPerSec), ...region(),
        exponent: checkNumber(`${field}.exponent`, s['exponent'] ?? DEFAULT_ZIPF_EXPONENT, R.exponent), scatter: bool('scatter', true),
      };
    case 'drifting-hot-set':
      allowOnly(s, field, ['kind', 'writesPerSec', 'regionStart', 'regionSize', 'hotFraction', 'hotProbability', 'driftPerSec']);
      return {
        kind: 'drifting-hot-set', writesPerSec: checkNumber(`${field}.writesPerSec`, s['writesPerSec'], R.writesPerSec), ...region(),
        hotFraction: checkNumber(`${field}.hotFraction`, s['hotFraction'] ?? defaults.hotFraction, R.hotFraction),
        hotProbability: checkNumber(`${field}.hotProbability`, s['hotProbability'] ?? defaults.hotProbability, R.hotProbability),
        driftPerSec: checkNumber(`${field}.driftPerSec`, s['driftPerSec'] ?? DEFAULT_DRIFT_PER_SEC, R.driftPerSec),
      };
    case 'phases': {
      allowOnly(s, field, ['kind', 'phases', 'loop']);
      const list = s['phases'];
      if (!Array.isArray(list) || list.length === 0) throw new InvalidOptionError(`${field}.phases`, list, 'a non-empty list of {"durationMs", "workload"}');
      const phases = list.map((p: unknown, i) => {
        const f = `${field}.phases[${i}]`;
        if (typeof p !== 'object' || p === null) throw new InvalidOptionError(f, p, 'an object {"durationMs", "workload"}');
        const o = p as Record<string, unknown>;
        for (const k of Object.keys(o)) if (k !== 'durationMs' && k !== 'workload') throw new InvalidOptionError(`${f}.${k}`, o[k], 'no such field (fields: durationMs, workload)');
        const durationMs = checkNumber(`${f}.durationMs`, o['durationMs'], R.durationMs);
        const w = o['workload'] as Record<string, unknown> | undefined;
        if (w?.['kind'] === 'phases') throw new InvalidOptionError(`${f}.workload.kind`, 'phases', 'any kind but phases (phases do not nest)');
        return { durationMs, workload: checkWorkloadSpec(w, `${f}.workload`, defaults) };
      });
      return { kind: 'phases', phases, loop: bool('loop', false) };
    }
    default: {
      allowOnly(s, field, ['kind', 'file', 'regionStart', 'regionSize', 'placement', 'loop', 'speed']);
      const file = s['file'];
      if (typeof file !== 'string' || file === '') throw new InvalidOptionError(`${field}.file`, file, 'the path of a trace file (binary or NDJSON)');
      const placement = s['placement'] ?? 'offset';
      if (placement !== 'offset' && placement !== 'scatter') throw new InvalidOptionError(`${field}.placement`, placement, 'one of offset, scatter');
      return {
        kind: 'trace', file, ...region(), placement, loop: bool('loop', true),
        speed: checkNumber(`${field}.speed`, s['speed'] ?? 1, R.speed),
      };
    }
  }
}
