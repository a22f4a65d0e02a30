/**
 * A sweep as CSV: one row per run, for spreadsheets, pandas and R.
 *
 * Base units; no automatic unit choice: every quantity is in the unit its column name ends with (Ms =
 * milliseconds, Bytes, BytesPerSec, Pct = percent; counts have no suffix), whatever its size, so a column
 * never changes unit from one row or one sweep to the next. Numbers keep full precision (the shortest text
 * that reads back as the same double), never the rounded values the tables print. Quoting follows RFC 4180:
 * CRLF line ends, and a field with a comma, a double quote or a line break is quoted with its quotes doubled.
 * A null (the downtime of a cancelled run, the reason of a completed one) is an empty cell. A text cell that a
 * spreadsheet would take for a formula (it starts with =, +, -, @, a tab or a carriage return) gets a leading
 * single quote, as OWASP's CSV-injection guidance recommends; numbers are written as they are.
 */
import { OPTION_ROWS } from '../model/option-table.js';
import type { Summary } from '../model/report.js';
import type { RunRecord } from '../model/run-record.js';

type NumericSummaryField = {
  [K in keyof Summary]-?: Summary[K] extends number ? K : Summary[K] extends number | null ? K : never;
}[keyof Summary];

/** The summary's numbers, in this order. */
export const SUMMARY_COLUMNS: readonly NumericSummaryField[] = [
  'totalTimeMs', 'downtimeMs', 'setupTimeMs', 'transferredBytes', 'rounds', 'normalPages', 'zeroPages', 'skippedPages',
  'guestCpuLostPct', 'meanThrottlePct', 'maxThrottlePct', 'throttledMs',
];

/**
 * The scenario's scalar fields, in the option table's order (structured options, and the algorithm, controller
 * and seed that have columns of their own, are left out).
 */
export const SCENARIO_COLUMNS: readonly string[] = OPTION_ROWS.filter(([, r]) => !('noCsv' in r)).map(([name]) => name);

/** Prefix of the columns holding a sweep axis's value, followed by the axis path ("param_workload.writesPerSec"). */
export const PARAM_PREFIX = 'param_';

const LINE_END = '\r\n';

/** The sweep's axis paths, in the order they first appear. */
export function axisPaths(records: readonly RunRecord[]): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.params)) seen.add(k);
  return [...seen];
}

/** The header: id, index, experiment, policy, algorithm, controller, seed, the params, status, reason, the numbers. */
export function csvHeader(records: readonly RunRecord[]): string[] {
  return [
    'id', 'index', 'experiment', 'policy', 'algorithm', 'controller', 'seed',
    ...axisPaths(records).map((p) => PARAM_PREFIX + p),
    'status', 'reason', ...SUMMARY_COLUMNS, ...SCENARIO_COLUMNS,
  ];
}

/** One run's cells, as csvHeader orders them. */
function csvRow(r: RunRecord, axes: readonly string[]): unknown[] {
  const s = r.summary;
  return [
    r.id, r.index, r.experiment, r.policy, s.algorithm, s.controller, r.seed,
    ...axes.map((a) => r.params[a] ?? null),
    s.status, s.status === 'cancelled' ? s.reason : null,
    ...SUMMARY_COLUMNS.map((c) => s[c]),
    ...SCENARIO_COLUMNS.map((c) => (r.scenario as unknown as Record<string, unknown>)[c]),
  ];
}

/** The whole CSV text, header first, every line ending in CRLF. */
export function toCsv(records: readonly RunRecord[]): string {
  const axes = axisPaths(records);
  const lines = [csvHeader(records), ...records.map((r) => csvRow(r, axes))];
  return lines.map((cells) => cells.map(csvField).join(',') + LINE_END).join('');
}

/**
 * One cell: null and undefined are empty; numbers at full precision (String(x) round-trips a double);
 * objects and arrays (an axis over whole workloads, say) as compact JSON; then RFC 4180 quoting.
 */
export function csvField(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'string') text = neutralise(value);
  else if (typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else text = neutralise(JSON.stringify(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Text a spreadsheet would run as a formula, made inert with a leading single quote (OWASP, CSV Injection). */
function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
