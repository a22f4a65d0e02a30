import { formatTable } from '../src/report/table.js';
import type { Cell, Column, Row } from './types.js';

/** A number with `digits` significant digits, thousands kept readable (1,234,567 → "1.23M" via si()). */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toString();
}

/** SI-prefixed number: 1.23k, 45.6M, 7.89G. */
export function si(x: number, digits = 3): string {
  const a = Math.abs(x);
  for (const [f, p] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (a >= f) return `${sig(x / f, digits)}${p}`;
  }
  return sig(x, digits);
}

/** SI-prefixed quantity with a unit: siUnit(36.9e9, 'B') = "36.9 GB". */
export function siUnit(x: number, unit: string, digits = 3): string {
  const a = Math.abs(x);
  for (const [f, p] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (a >= f) return `${sig(x / f, digits)} ${p}${unit}`;
  }
  return `${sig(x, digits)} ${unit}`;
}

/** Binary-prefixed bytes: 64 GiB, 1 TiB, 2 MiB. */
export function bytes(x: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = x;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${sig(v, 3)} ${units[i]}`;
}

/** Milliseconds with a sensible unit. */
export function ms(x: number): string {
  if (x >= 60_000) return `${sig(x / 60_000, 3)} min`;
  if (x >= 1000) return `${sig(x / 1000, 3)} s`;
  if (x >= 1) return `${sig(x, 3)} ms`;
  return `${sig(x * 1000, 3)} µs`;
}

export function pct(x: number): string {
  return `±${x.toFixed(1)}%`;
}

function defaultFormat(v: Cell): string {
  if (v === null) return '-';
  if (typeof v === 'number') return sig(v);
  return String(v);
}

/** Renders rows as an aligned plain-text table, with the report's table renderer (src/report/table.ts). */
export function table(columns: Column[], rows: Row[]): string {
  const cells = rows.map((r) => columns.map((c) => (c.format ?? defaultFormat)(r[c.key] ?? null, r)));
  const right = (c: Column) => c.align === 'right' || (c.align === undefined && rows.some((r) => typeof r[c.key] === 'number'));
  return formatTable(columns.map((c) => ({ title: c.label, align: right(c) ? 'right' : 'left' })), cells);
}

/** The columns every migration-level group shows for a run's outcome (rows carry these keys). */
export const MIGRATION_COLUMNS: Column[] = [
  { key: 'status', label: 'status' },
  { key: 'emulatedMs', label: 'emulated', format: (v) => ms(v as number) },
  { key: 'downtimeMs', label: 'downtime', format: (v) => (v === null ? '-' : ms(v as number)) },
  { key: 'rounds', label: 'rounds' },
  { key: 'transferredBytes', label: 'sent', format: (v) => siUnit(v as number, 'B') },
];

/** Columns of a run measured in a fresh node child: its peak and baseline RSS (KiB) and emulated time / wall time. */
export const CHILD_PROCESS_COLUMNS: Column[] = [
  { key: 'maxRssKiB', label: 'peak RSS', format: (v) => bytes((v as number) * 1024) },
  { key: 'baselineRssKiB', label: 'baseline RSS', format: (v) => bytes((v as number) * 1024) },
  { key: 'emulatedOverWall', label: 'emulated/wall', format: (v) => `${Math.round(v as number)}x` },
];
