/**
 * From QEMU's dirty-rate estimate to a workload. `query-dirty-rate` (after `calc-dirty-rate`) reports
 * `dirty-rate` in MiB/s for the whole VM, and with mode dirty-ring a `vcpu-dirty-rate` list of
 * `{id, dirty-rate}` [SRC qemu qapi/migration.json DirtyRateInfo, 8.2+ wording "in units of MiB/s"].
 * The estimate counts each page once over `calc-time` (page sampling hashes a page at the start and the end),
 * so it is a rate of *distinct* pages: D = rate·T pages in T. A uniform writer over H pages dirties
 * H·(1 − e^(−wT/H)) distinct pages in T (reference §2.3), so the write rate that reproduces the estimate is
 * w = −(H/T)·ln(1 − D/H) [REC: inverting the occupancy model]; with D ≥ H every page was dirty and no rate fits.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { MiB } from '../units.js';
import type { UniformSpec } from '../model/workloads.js';

export interface QemuDirtyRate {
  /** Whole-VM estimate, MiB/s. */
  dirtyRateMiBps: number | undefined;
  /** Per-vCPU estimates (dirty-ring mode), MiB/s, by vCPU id. */
  vcpuMiBps: number[];
  /** The measurement window in milliseconds (calc-time, with calc-time-unit). */
  calcTimeMs: number;
  mode: string;
}

/** Reads query-dirty-rate's JSON (bare or wrapped in QMP's {"return": ...}); `file` names it in errors. */
export function parseQueryDirtyRate(value: unknown, file: string): QemuDirtyRate {
  const v = (value as { return?: unknown } | null)?.return ?? value;
  if (typeof v !== 'object' || v === null) throw new InvalidOptionError(file, value, 'the JSON object query-dirty-rate returns');
  const o = v as Record<string, unknown>;
  if (o['status'] !== undefined && o['status'] !== 'measured') {
    throw new InvalidOptionError(`${file}: status`, o['status'], '"measured" (run calc-dirty-rate and wait for it to finish)');
  }
  const unit = o['calc-time-unit'] ?? 'second';
  const calc = o['calc-time'];
  if (typeof calc !== 'number' || !(calc > 0)) throw new InvalidOptionError(`${file}: calc-time`, calc, 'a positive number (seconds, or milliseconds with calc-time-unit "millisecond")');
  if (unit !== 'second' && unit !== 'millisecond') throw new InvalidOptionError(`${file}: calc-time-unit`, unit, '"second" or "millisecond"');
  const rate = o['dirty-rate'];
  if (rate !== undefined && (typeof rate !== 'number' || rate < 0)) throw new InvalidOptionError(`${file}: dirty-rate`, rate, 'a number of MiB/s >= 0');
  const list = o['vcpu-dirty-rate'];
  const vcpus: number[] = [];
  if (list !== undefined) {
    if (!Array.isArray(list)) throw new InvalidOptionError(`${file}: vcpu-dirty-rate`, list, 'a list of {"id", "dirty-rate"}');
    for (const [i, e] of list.entries()) {
      const r = (e as Record<string, unknown> | null)?.['dirty-rate'];
      if (typeof r !== 'number' || r < 0) throw new InvalidOptionError(`${file}: vcpu-dirty-rate[${i}].dirty-rate`, r, 'a number of MiB/s >= 0');
      vcpus.push(r);
    }
  }
  if (rate === undefined && vcpus.length === 0) throw new InvalidOptionError(`${file}: dirty-rate`, undefined, 'a measured dirty-rate or vcpu-dirty-rate list');
  return { dirtyRateMiBps: rate as number | undefined, vcpuMiBps: vcpus, calcTimeMs: unit === 'second' ? calc * 1e3 : calc, mode: String(o['mode'] ?? 'page-sampling') };
}

/**
 * Write rate (page writes/s, all vCPUs) of a uniform writer over H pages that dirties `distinct` pages in T s:
 * w = −(H/T)·ln(1 − distinct/H) (the occupancy model, migration-algorithms.md §2.3, inverted).
 */
export function writeRateForDistinct(distinctPages: number, H: number, T: number): number {
  return (-H / T) * Math.log1p(-distinctPages / H);
}

/**
 * Uniform workloads reproducing the estimate on a VM of `pages` pages of `pageSizeBytes`: one per vCPU
 * when QEMU measured per-vCPU rates (each over the whole memory), else one for the whole VM.
 */
export function workloadsFromDirtyRate(q: QemuDirtyRate, pages: number, pageSizeBytes: number): UniformSpec[] {
  const rates = q.vcpuMiBps.length > 0 ? q.vcpuMiBps : [q.dirtyRateMiBps!];
  const T = q.calcTimeMs / 1e3;
  return rates.map((mib, i) => {
    const distinct = (mib * MiB * T) / pageSizeBytes;
    if (distinct >= pages) {
      throw new InvalidOptionError(q.vcpuMiBps.length > 0 ? `vcpu-dirty-rate[${i}]` : 'dirty-rate', mib,
        `under ${((pages * pageSizeBytes) / MiB / T).toFixed(1)} MiB/s: at ${mib} MiB/s for ${T} s every one of the ${pages} pages would be dirty, which no write rate reproduces`);
    }
    const w = writeRateForDistinct(distinct, pages, T);
    return { kind: 'uniform', writesPerSec: Math.round(w * 1000) / 1000 };
  });
}
