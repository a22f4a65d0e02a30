/**
 * The table a sweep prints at its end: per point (axis values) and policy, how many runs completed and the median
 * downtime, total time, data sent and guest CPU lost of the completed runs, with the min–max over seeds when
 * there are several.
 */
import type { RunRecord } from '../model/run-record.js';
import { axisLabel, axisValueText } from './axes.js';
import { axisPaths } from './csv.js';
import { OUTCOMES, summarizePoints, type Spread } from './point-summary.js';
import { formatTable, type Column } from './table.js';

function cell(s: Spread | null, digits: number, factor: number): string {
  if (s === null) return '-';
  const f = (x: number) => (x * factor).toFixed(digits);
  // The range only where it shows at the printed precision.
  return s.n > 1 && f(s.max) !== f(s.min) ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

const DIGITS: Record<string, number> = { downtime: 1, 'total-time': 2, 'data-sent': 2, 'guest-cpu-lost': 1 };

export function formatSweepSummary(records: readonly RunRecord[], options: { width?: number } = {}): string {
  const axes = axisPaths(records);
  const seeds = new Set(records.map((r) => r.seed)).size;
  const columns: Column[] = [
    ...axes.map((a) => ({ title: axisLabel(a) })),
    { title: 'policy', align: 'left' },
    { title: 'completed', unit: 'runs' },
    ...OUTCOMES.map((o, i) => ({ title: `${o.title.replace(/^./, (c) => c.toLowerCase())}${seeds > 1 ? ' median (min–max)' : ''}`, unit: o.unit, ...(i >= 2 ? { drop: 4 - i } : {}) })),
  ];
  const rows = summarizePoints(records).map((p) => [
    ...axes.map((a) => axisValueText(a, p.params[a])),
    p.policy,
    `${p.completed}/${p.runs}`,
    ...OUTCOMES.map((o) => cell(p.outcomes[o.id], DIGITS[o.id] ?? 2, o.factor)),
  ]);
  const head = `Results by point and policy, over ${seeds} seed${seeds === 1 ? '' : 's'} (completed runs only):`;
  return `${head}\n${formatTable(columns, rows, options)}\n`;
}
