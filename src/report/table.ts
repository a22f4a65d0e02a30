/**
 * Plain-text rendering of a report for people: a per-round table and a summary block. Pure functions
 * returning strings, so other commands can lay several reports side by side with the same pieces.
 */
import { MiB, formatBytes, formatDuration, formatRateExact } from '../units.js';
import type { PostcopyStats } from '../model/report.js';
import type { MigrationReport, ResolvedScenario, RoundRecord } from '../model/report.js';
import type { ManagementEvent } from '../model/management-events.js';
import { statusText } from './status.js';
import { finiteExtent } from '../util/extent.js';

export interface Column {
  title: string;
  /** Printed on a second header line, so titles stay short. */
  unit?: string;
  /** Numbers align right (the default), words left. */
  align?: 'left' | 'right';
  /** May be left out when the table is too wide for the terminal: the lowest number goes first. */
  drop?: number;
}

export interface TableOptions {
  /** Most characters per line: columns with a `drop` rank are left out, lowest first, until the table fits. */
  width?: number;
}

const GAP = '  ';

/**
 * Rows of cells under their column headers, padded into aligned columns; lines end without trailing spaces. With
 * a `width`, droppable columns go until the table fits, and a last line names them.
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  return fittedLines(columns, rows, options).join('\n');
}

function fittedLines(columns: readonly Column[], rows: readonly (readonly string[])[], options: TableOptions): string[] {
  let keep = columns.map((_, i) => i);
  const lines = () => tableLines(keep.map((i) => columns[i]!), rows.map((r) => keep.map((i) => r[i] ?? '')));
  let out = lines();
  const width = options.width;
  if (width === undefined) return out;
  const order = columns.map((c, i) => [c.drop, i] as const).filter((x): x is readonly [number, number] => x[0] !== undefined).sort((a, b) => a[0] - b[0]);
  const dropped: string[] = [];
  for (const [, i] of order) {
    if (finiteExtent(out.map((l) => l.length)).max <= width) break;
    keep = keep.filter((k) => k !== i);
    dropped.push(columns[i]!.title);
    out = lines();
  }
  if (dropped.length > 0) out.push(`(${dropped.length} column${dropped.length === 1 ? '' : 's'} left out to fit ${width} characters: ${dropped.join(', ')}; --wide shows all)`);
  return out;
}

function tableLines(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const header = [columns.map((c) => c.title)];
  if (columns.some((c) => c.unit !== undefined)) header.push(columns.map((c) => c.unit ?? ''));
  const all = [...header, ...rows];
  const widths = columns.map((_, i) => finiteExtent(all.map((row) => (row[i] ?? '').length)).max);
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
  { title: 'start', unit: 's', drop: 5 },
  { title: 'end', unit: 's' },
  { title: 'normal', unit: 'pages', drop: 4 },
  { title: 'zero', unit: 'pages', drop: 1 },
  { title: 'skipped', unit: 'pages', drop: 2 },
  { title: 'sent', unit: 'MiB' },
  { title: 'dirtied', unit: 'pages', drop: 6 },
  { title: 'remaining', unit: 'pages' },
  { title: 'bandwidth', unit: 'MB/s', drop: 7 },
  { title: 'exp. downtime', unit: 'ms', drop: 3 },
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
export function formatRounds(rounds: readonly RoundRecord[], headTailRounds?: number, options: TableOptions = {}, events: readonly ManagementEvent[] = []): string {
  const n = headTailRounds;
  const cut = n !== undefined && rounds.length > 2 * n;
  const shown = cut ? [...rounds.slice(0, n), ...rounds.slice(-n)] : [...rounds];
  const lines = fittedLines(ROUND_COLUMNS, shown.map(roundRow), options);
  const headerLines = ROUND_COLUMNS.some((c) => c.unit !== undefined) ? 2 : 1;
  // Each management event goes under the round it happened in (those of omitted rounds under the omission line).
  const body: string[] = [];
  const under = (from: number, to: number) => events.filter((e) => e.round >= from && e.round <= to).map(eventLine);
  shown.forEach((r, i) => {
    body.push(lines[headerLines + i]!);
    body.push(...under(i === 0 ? 0 : r.index, r.index));
    if (cut && i === n! - 1) {
      body.push(`  ... ${rounds.length - 2 * n!} rounds omitted ...`);
      body.push(...under(r.index + 1, rounds[rounds.length - n!]!.index - 1));
    }
  });
  body.push(...under((shown[shown.length - 1]?.index ?? 0) + 1, Number.POSITIVE_INFINITY));
  return [...lines.slice(0, headerLines), ...body, ...lines.slice(headerLines + shown.length)].join('\n');
}

/** One management event as a line of the round table: when, what, why (and when QEMU applied it, if later). */
export function eventLine(e: ManagementEvent): string {
  const value = e.value === null ? '' : e.kind === 'downtime-limit' ? ` ${e.value} ms` : e.kind === 'max-bandwidth' ? ` ${formatRateExact(e.value as number)}` : ` ${String(e.value)}`;
  const applied = e.appliedMs === null ? ' (never applied: the run ended first)' : e.appliedMs > e.tMs ? ` (applied at ${(e.appliedMs / 1e3).toFixed(3)} s)` : '';
  return `    > ${(e.tMs / 1e3).toFixed(3)} s  ${e.kind}${value}: ${e.reason}${applied}`;
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
    ...wireFields(s),
    ...postcopyFields(s.postcopy),
    ...(report.management === undefined ? [] : [{ label: 'management', value: managementSummary(report) }]),
  ];
}

/** The postcopy phase, when the run switched to it. */
function postcopyFields(pc: PostcopyStats | undefined): SummaryField[] {
  if (pc === undefined) return [];
  return [
    { label: 'postcopy', value: `requested at ${formatDuration(pc.requestedAtMs)} (${pc.trigger}), switched at ${formatDuration(pc.switchAtMs)}${pc.preempt ? ', preempt' : ''}` },
    { label: 'postcopy downtime', value: `${formatDuration(pc.downtimeMs)} (stop to device state sent; discard bitmap ${pc.discardRanges} ranges, ${formatBytes(pc.discardBytes)})` },
    { label: 'pages after switch', value: `${pc.pagesAtSwitch}: ${pc.pushedNormalPages + pc.pushedZeroPages} pushed, ${pc.faultedNormalPages + pc.faultedZeroPages} fetched on fault` },
    { label: 'remote faults', value: `${pc.remoteFaults} × ${formatDuration(pc.faultLatencyMs)} = ${formatDuration(pc.vcpuBlockedMs)} of vCPU time blocked` },
    { label: 'guest writes', value: `${pc.achievedWritesPerSec.toFixed(0)} pages/s achieved of ${pc.wantedWritesPerSec.toFixed(0)} wanted, from resume to last page` },
    { label: 'risk window', value: `${formatDuration(pc.riskWindowMs)} (switch to last page: a host or link failure loses the VM)` },
  ];
}

/** XBZRLE and multifd statistics, when the run had them (QEMU's query-migrate names in brackets). */
function wireFields(s: MigrationReport['summary']): SummaryField[] {
  const out: SummaryField[] = [];
  const x = s.xbzrle;
  if (x !== undefined) {
    out.push({ label: 'xbzrle', value: `${x.pages} pages encoded, ${formatBytes(x.bytes)} [bytes], ${x.cacheMiss} cache misses [cache-miss], miss rate ${x.cacheMissRate.toFixed(3)}` });
    out.push({ label: '', value: `encoding rate ${x.encodingRate.toFixed(1)}, ${x.overflow} overflows, ${x.unchangedPages} unchanged pages not sent, encoder CPU ${formatDuration(x.encodeCpuMs)}` });
  }
  const m = s.multifd;
  if (m !== undefined) {
    out.push({ label: 'multifd', value: `${m.channels} channels: ${m.pages} pages, ${m.zeroPages} zero pages in packets, ${m.packets} packets + ${m.syncPackets} sync packets, ${formatBytes(m.bytes)} on the wire` });
    out.push({ label: '', value: `${formatBytes(m.uncompressedBytes)} of pages -> ${formatBytes(m.compressedBytes)} (ratio ${m.compressionRatio.toFixed(2)}), compress CPU ${formatDuration(m.compressCpuMs)}, multifd-bytes as counted ${m.countedBytes} B` });
  }
  return out;
}

/** The management layer and its final action: "nova: abort at 1600.500 s". */
function managementSummary(report: MigrationReport): string {
  const m = report.management!;
  const last = [...m.events].reverse().find((e) => e.kind === 'abort' || e.kind === 'pause' || e.kind === 'postcopy');
  return last === undefined ? `${m.name} (${m.events.length} parameter changes, no final action)` : `${m.name}: ${last.kind} at ${(last.tMs / 1e3).toFixed(3)} s`;
}

export function formatSummary(report: MigrationReport): string {
  const fields = summaryFields(report);
  return formatTable([{ title: 'summary', align: 'left' }, { title: '', align: 'left' }], fields.map((f) => [f.label, f.value]));
}

/**
 * What was migrated over what: the guest, then the link and QEMU's max-bandwidth cap (the pre-copy rate limit of
 * qemu only; stop-and-copy and the other algorithms run at the link), saying which one limits pre-copy.
 * `algorithms` are those that ran (default the scenario's); rates are in MB/s, as in the round table, with the
 * exact value as a flag takes it.
 */
export function formatScenario(s: ResolvedScenario, show: { algorithm?: boolean; algorithms?: readonly string[] } = {}): string {
  const kinds = [...new Set(s.workloads.map((w) => w.kind))].join('/');
  const vcpus = `${s.vcpus} vCPU${s.vcpus === 1 ? '' : 's'}`;
  return (
    `${formatBytes(s.memoryBytes)} guest (${s.pages} pages of ${formatBytes(s.pageSize)}, ${s.populatedFraction * 100} % populated), ` +
    `${vcpus} running ${kinds}, ${show.algorithm === false ? '' : `${s.algorithm} pre-copy, `}seed ${s.seed}\n` +
    formatLink(s, show.algorithms ?? [s.algorithm])
  );
}

/** A rate as typed and in MB/s: '10Gbit/s = 1250.0 MB/s'. */
function rateText(bytesPerSec: number): string {
  return `${formatRateExact(bytesPerSec)} = ${(bytesPerSec / 1e6).toFixed(1)} MB/s`;
}

/** The link's capacity: its rate, or its trace (file, or the inline points' range), less background traffic. */
function linkText(s: ResolvedScenario): string {
  const t = s.linkTrace;
  let text = rateText(s.bandwidthBytesPerSec);
  if (typeof t === 'string') text = `trace ${t}`;
  else if (t !== null) {
    const points = Array.isArray(t) ? t : (t as { points: readonly { bytesPerSec: number }[] }).points;
    const rates = finiteExtent(points.map((p) => p.bytesPerSec / 1e6));
    text = `trace of ${points.length} points, ${rates.min.toFixed(1)} to ${rates.max.toFixed(1)} MB/s`;
  }
  if (s.backgroundBytesPerSec > 0) text += `, less ${rateText(s.backgroundBytesPerSec)} of background traffic`;
  if (s.backgroundTrace !== null) text += `, less a background trace`;
  return text;
}

/** The link, the max-bandwidth cap, and which of the two is the bottleneck of pre-copy. */
export function formatLink(s: ResolvedScenario, algorithms: readonly string[]): string {
  const link = `link ${linkText(s)}`;
  const cap = `QEMU max-bandwidth ${rateText(s.maxBandwidthBytesPerSec)}`;
  if (!algorithms.includes('qemu')) return `${link}, ${cap} (qemu only; not used here)`;
  if (s.maxBandwidthBytesPerSec < s.bandwidthBytesPerSec) {
    return `${link}, ${cap}: qemu's pre-copy is capped at max-bandwidth, so the cap, not the link, is its bottleneck (raise it with --max-bandwidth)`;
  }
  return `${link}, ${cap}: the link is the bottleneck`;
}

/** The whole human-readable report: scenario, rounds, summary. */
export function formatReport(report: MigrationReport, headTailRounds?: number, options: TableOptions = {}): string {
  return [formatScenario(report.scenario), formatRounds(report.rounds, headTailRounds, options, report.management?.events), formatSummary(report)].join('\n\n');
}

/**
 * The width tables should fit: the terminal's when standard output is one, else $COLUMNS when set, else none
 * (a pipe or a file gets every column). `wide` turns fitting off.
 */
export function terminalWidth(wide: boolean | undefined, stream: { isTTY?: boolean; columns?: number } = process.stdout): number | undefined {
  if (wide === true) return undefined;
  if (stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0) return stream.columns;
  const env = Number(process.env['COLUMNS']);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}
