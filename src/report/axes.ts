/**
 * Sweep axes as users write them: `bandwidth`, not `bandwidthBytesPerSec` (the option table's flag names), with
 * values in the units the flags take ("10Gbit/s", "300ms") and chart units by the row's unit kind. Browser-safe
 * (no Node imports), for the report and the playground alike.
 */
import type { FieldSpec } from '../model/fields.js';
import { optionSpec, type OptionSpec } from '../model/option-table.js';
import { WORKLOAD_KINDS, WORKLOAD_TABLE } from '../model/workloads.js';
import { GiB, MiB, formatBytesExact, formatDurationExact, formatRateExact } from '../units.js';
import { finiteExtent } from '../util/extent.js';

const WORKLOAD_FIELD = new Map<string, FieldSpec>(
  WORKLOAD_KINDS.flatMap((k) => Object.entries(WORKLOAD_TABLE[k].fields as Record<string, FieldSpec>)),
);

/** The row of an axis path: an option ("bandwidthBytesPerSec") or a workload field ("workload.writesPerSec"). */
export function axisRow(path: string): OptionSpec | FieldSpec | undefined {
  const [head, field, more] = path.split('.');
  if (more !== undefined) return undefined;
  if (field === undefined) return optionSpec(head!);
  return head === 'workload' ? WORKLOAD_FIELD.get(field) : undefined;
}

/** The axis as a user writes it: its flag without the dashes ("bandwidth", "write-rate"), else the path. */
export function axisLabel(path: string): string {
  return axisRow(path)?.flag?.replace(/^--/, '') ?? path;
}

/** A value as its flag takes it: "10Gbit/s", "2GiB", "300ms", "60000pages/s"; others as they are. */
export function axisValueText(path: string, v: unknown): string {
  if (typeof v !== 'number') return typeof v === 'string' ? v : JSON.stringify(v);
  switch (axisRow(path)?.kind) {
    case 'bytes': return formatBytesExact(v);
    case 'rate': return formatRateExact(v);
    case 'duration': return formatDurationExact(v);
    case 'page-rate': return `${v}pages/s`;
    default: return String(v);
  }
}

/** "bandwidth 10Gbit/s, downtime-limit 300ms". */
export function pointText(params: Record<string, unknown>, paths: readonly string[] = Object.keys(params)): string {
  return paths.map((p) => `${axisLabel(p)} ${axisValueText(p, params[p])}`).join(', ');
}

/** How a chart plots an axis: the unit of its title and the factor from base units. */
export interface AxisScale {
  title: string;
  unit: string;
  factor: number;
}

/** The chart unit of an axis, by its unit kind and the size of its values. */
export function axisScale(path: string, values: readonly number[]): AxisScale {
  const max = Math.max(0, finiteExtent(values).max);
  const label = axisLabel(path);
  const pick = (unit: string, factor: number): AxisScale => ({ title: unit === '' ? label : `${label} (${unit})`, unit, factor });
  switch (axisRow(path)?.kind) {
    case 'rate': return max >= 1e9 / 8 ? pick('Gbit/s', 8 / 1e9) : pick('Mbit/s', 8 / 1e6);
    case 'bytes': return max >= GiB ? pick('GiB', 1 / GiB) : pick('MiB', 1 / MiB);
    case 'duration': return max >= 10_000 ? pick('s', 1 / 1000) : pick('ms', 1);
    case 'page-rate': return pick('pages/s', 1);
    case 'fraction': return pick('', 1);
    default: return pick('', 1);
  }
}

/**
 * Whether sorted distinct positive values form a geometric series (each about the same ratio, above 1.5, times
 * the one before; two values count when they are 10× apart or more): such an axis is plotted on a log scale.
 */
export function isGeometric(values: readonly number[]): boolean {
  const xs = [...new Set(values.filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);
  if (xs.length < 2 || xs[0]! <= 0) return false;
  if (xs.length === 2) return xs[1]! / xs[0]! >= 10;
  const ratios = xs.slice(1).map((x, i) => x / xs[i]!);
  const mean = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
  return mean >= 1.5 && ratios.every((r) => Math.abs(Math.log(r / mean)) <= Math.log(1.35));
}
