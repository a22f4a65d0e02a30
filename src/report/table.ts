/**
 * Plain-text rendering of a report for people: a per-round table and a summary block. Pure functions
 * returning strings, so other commands can lay several reports side by side with the same pieces.
 */
import { MiB, formatBytes, formatDuration, formatRate } from '../units.js';
import type { MigrationReport, ResolvedScenario, RoundRecord } from '../model/report.js';
import { statusText } from './status.js';

export interface Column {
  title: string;
  /** Printed on a second header line, so titles stay short. */
  unit?: string;
  /** Numbers align right (the default), words left. */
  align?: 'left' | 'right';
}

const GAP = '  ';

/** Rows of cells under their column headers, padded into aligned columns; lines end without trailing spaces. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  return tableLines(columns, rows).join('\n');
}

function tableLines(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const header = [columns.map((c) => c.title)];
  if (columns.some((c) => c.unit !== undefined)) header.push(columns.map((c) => c.unit ?? ''));
  const all = [...header, ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map((row) =>
    columns
      .map((c, i) => {
        const cell = row[i] ?? '';
        const width = widths[i] ?? 0;
        return c.align === 'left' ? cell.padEnd(width) : cell.padStart(width);
      })
      .join(GAP)
      .trimEnd(),
  );
}

const ROUND_COLUMNS: readonly Column[] = [
  { title: 'round' },
  { title: 'phase', align: 'left' },
  { title: 'start', unit: 's' },
  { title: 'end', unit: 's' },
  { title: 'normal', unit: 'pages' },
  { title: 'zero', unit: 'pages' },
  { title: 'skipped', unit: 'pages' },
  { title: 'sent', unit: 'MiB' },
  { title: 'dirtied', unit: 'pages' },
  { title: 'remaining', unit: 'pages' },
  { title: 'bandwidth', unit: 'MB/s' },
  { title: 'exp. downtime', unit: 'ms' },
  { title: 'throttle', unit: '%' },
];

function roundRow(r: RoundRecord): string[] {
  return [
    String(r.index),
    r.phase,
    (r.startMs / 1e3).toFixed(3),
    (r.endMs / 1e3).toFixed(3),
    String(r.normalPages),
    String(r.zeroPages),
    String(r.skippedPages),
    (r.bytes / MiB).toFixed(1),
    String(r.dirtiedPages),
    String(r.remainingPages),
    (r.bandwidthBytesPerSec / 1e6).toFixed(1),
    r.expectedDowntimeMs.toFixed(1),
    r.throttlePct.toFixed(1),
  ];
}

/**
 * The per-round table. With `headTailRounds`, a longer run shows only that many rounds at each end and
 * a line saying how many were left out.
 */
export function formatRounds(rounds: readonly RoundRecord[], headTailRounds?: number): string {
  const n = headTailRounds;
  if (n === undefined || rounds.length <= 2 * n) return formatTable(ROUND_COLUMNS, rounds.map(roundRow));
  const shown = [...rounds.slice(0, n), ...rounds.slice(-n)];
  const lines = tableLines(ROUND_COLUMNS, shown.map(roundRow));
  const headerLines = lines.length - shown.length;
  lines.splice(headerLines + n, 0, `  ... ${rounds.length - 2 * n} rounds omitted ...`);
  return lines.join('\n');
}

export interface SummaryField {
  label: string;
  value: string;
}

/** The summary as labelled, unit-carrying values: one per line here, one per row in a side-by-side table. */
export function summaryFields(report: MigrationReport): SummaryField[] {
  const s = report.summary;
  const g = s.guest;
  return [
    { label: 'status', value: statusText(s) },
    { label: 'total time', value: formatDuration(s.totalTimeMs) },
    { label: 'downtime', value: s.downtimeMs === null ? 'none (the guest kept running at the source)' : formatDuration(s.downtimeMs) },
    { label: 'setup time', value: formatDuration(s.setupTimeMs) },
    { label: 'transferred', value: `${formatBytes(s.transferredBytes)} (${s.transferredBytes} B)` },
    { label: 'pages sent', value: `${s.normalPages} normal, ${s.zeroPages} zero (${s.skippedPages} skipped)` },
    { label: 'rounds', value: String(s.rounds) },
    { label: 'guest CPU lost', value: `${s.guestCpuLostPct.toFixed(1)} % (${formatDuration(g.cpuLostMs)})` },
    { label: 'mean throttle', value: `${g.meanThrottlePct.toFixed(1)} %` },
    { label: 'max throttle', value: `${g.maxThrottlePct.toFixed(1)} %` },
    { label: 'algorithm', value: s.algorithm },
    { label: 'controller', value: s.controller },
  ];
}

export function formatSummary(report: MigrationReport): string {
  const fields = summaryFields(report);
  return formatTable([{ title: 'summary', align: 'left' }, { title: '', align: 'left' }], fields.map((f) => [f.label, f.value]));
}

/** One line naming what was migrated over what. */
export function formatScenario(s: ResolvedScenario, show: { algorithm?: boolean } = {}): string {
  const kinds = [...new Set(s.workloads.map((w) => w.kind))].join('/');
  const vcpus = `${s.vcpus} vCPU${s.vcpus === 1 ? '' : 's'}`;
  return (
    `${formatBytes(s.memoryBytes)} guest (${s.pages} pages of ${formatBytes(s.pageSize)}, ${s.populatedFraction * 100} % populated), ` +
    `${vcpus} running ${kinds}, link ${formatRate(s.bandwidthBytesPerSec)}, ${show.algorithm === false ? '' : `${s.algorithm} pre-copy, `}seed ${s.seed}`
  );
}

/** The whole human-readable report: scenario, rounds, summary. */
export function formatReport(report: MigrationReport, headTailRounds?: number): string {
  return [formatScenario(report.scenario), formatRounds(report.rounds, headTailRounds), formatSummary(report)].join('\n\n');
}
