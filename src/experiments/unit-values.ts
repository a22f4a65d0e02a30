/**
 * Unit strings in experiment files: "1Gbit/s", "300ms", "8GiB", "25000pages/s" are read as the CLI reads them, by
 * the unit kind of the option's row (src/model/option-table.ts) or the workload field's (src/model/workloads.ts);
 * numbers stay numbers in the base unit (B, B/s, ms, pages/s). Only strings of unit kinds are touched, so every
 * other check still sees the value as given.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { FieldSpec } from '../model/fields.js';
import { OPTION_TABLE, optionSpec } from '../model/option-table.js';
import { WORKLOAD_KINDS, WORKLOAD_TABLE } from '../model/workloads.js';
import { parseBytes, parseDuration, parseRate, parseWriteRate } from '../units.js';

/** A workload field's row, by name (the kinds share rows, e.g. writesPerSec). */
const WORKLOAD_FIELD = new Map<string, FieldSpec>(
  WORKLOAD_KINDS.flatMap((k) => Object.entries(WORKLOAD_TABLE[k].fields as Record<string, FieldSpec>)),
);

/** The row of a dotted option path: "bandwidthBytesPerSec", "workload.writesPerSec". */
function specOf(path: string): { kind: string } | undefined {
  const [head, field] = path.split('.');
  if (field === undefined) return optionSpec(head!);
  return head === 'workload' ? WORKLOAD_FIELD.get(field) : undefined;
}

/**
 * `value` in the base unit of `path`'s row: a unit string parsed by its kind, anything else unchanged. `where`
 * names it in errors (an InvalidOptionError with the parser's `accepted`); `pageSize` turns a byte rate into pages.
 */
export function unitValue(path: string, value: unknown, where: string, pageSize: number): unknown {
  if (typeof value !== 'string') return value;
  switch (specOf(path)?.kind) {
    case 'bytes': return parseBytes(where, value);
    case 'rate': return parseRate(where, value);
    case 'duration': return parseDuration(where, value);
    case 'page-rate': return parseWriteRate(where, value, pageSize);
    default: return value;
  }
}

/** unitValue(), a bad string reported through `fail(value, accepted)` (accepted also names the base unit). */
export function checkedUnitValue(path: string, value: unknown, pageSize: number, fail: (value: unknown, accepted: string) => never): unknown {
  try {
    return unitValue(path, value, 'value', pageSize);
  } catch (err) {
    const unit = (specOf(path) as FieldSpec | undefined)?.rule?.unit;
    if (err instanceof InvalidOptionError) fail(value, `${err.accepted}; or a number${unit ? ` in ${unit}` : ''}`);
    throw err;
  }
}

/**
 * A copy of scenario options with unit strings in base units, the workload (one spec or a list) included.
 * `fail(path, value, accepted)` reports a bad string at its path inside `options`.
 */
export function withUnitValues(
  options: Record<string, unknown>, fail: (path: (string | number)[], value: unknown, accepted: string) => never,
): Record<string, unknown> {
  const at = (path: (string | number)[], name: string, value: unknown, pageSize: number): unknown =>
    checkedUnitValue(name, value, pageSize, (v, accepted) => fail(path, v, accepted));
  const page = at(['pageSize'], 'pageSize', options['pageSize'], 0);
  const pageSize = typeof page === 'number' ? page : OPTION_TABLE.pageSize.default;
  const workload = (w: unknown, path: (string | number)[]): unknown =>
    typeof w === 'object' && w !== null && !Array.isArray(w)
      ? Object.fromEntries(Object.entries(w).map(([k, v]) => [k, at([...path, k], `workload.${k}`, v, pageSize)]))
      : w;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (k !== 'workload') out[k] = at([k], k, v, pageSize);
    else out[k] = Array.isArray(v) ? v.map((x, i) => workload(x, [k, i])) : workload(v, [k]);
  }
  return out;
}
