/**
 * A drain for people: a header naming the link and the limits, a summary line, one row per VM in start order;
 * and, for several drains of the same host (1 vs 2 vs 4 at a time), one row per drain.
 */
import type { DrainReport } from '../model/drain.js';
import { formatBytes, formatRateExact } from '../units.js';
import { formatTable, type Column, type TableOptions } from './table.js';

const GiB = 1024 ** 3;

const VM_COLUMNS: readonly Column[] = [
  { title: 'vm', align: 'left' },
  { title: 'policy', align: 'left', drop: 3 },
  { title: 'memory', unit: 'GiB', drop: 4 },
  { title: 'start', unit: 's' },
  { title: 'end', unit: 's' },
  { title: 'total time', unit: 's' },
  { title: 'downtime', unit: 'ms' },
  { title: 'status', align: 'left' },
  { title: 'sent', unit: 'GiB' },
  { title: 'mean rate', unit: 'MB/s', drop: 2 },
  { title: 'guest CPU lost', unit: 'vCPU-s' },
  { title: 'runs', drop: 1 },
];

const DRAIN_COLUMNS: readonly Column[] = [
  { title: 'concurrency' },
  { title: 'order', align: 'left', drop: 2 },
  { title: 'makespan', unit: 's' },
  { title: 'completed' },
  { title: 'cancelled' },
  { title: 'sent', unit: 'GiB' },
  { title: 'max downtime', unit: 'ms' },
  { title: 'sum downtime', unit: 's', drop: 3 },
  { title: 'guest CPU lost', unit: 'vCPU-s' },
  { title: 'link used', unit: '%' },
  { title: 'runs', drop: 1 },
];

/** The drain's link in words: its rate or trace, background traffic, round-trip time. */
export function drainLinkText(d: DrainReport['drain']): string {
  const trace = d.linkTrace === null ? formatRateExact(d.bandwidthBytesPerSec) : `trace ${typeof d.linkTrace === 'string' ? d.linkTrace : 'given inline'}`;
  const bg = d.backgroundBytesPerSec > 0 || d.backgroundTrace !== null
    ? `, background ${d.backgroundBytesPerSec > 0 ? formatRateExact(d.backgroundBytesPerSec) : ''}${d.backgroundTrace !== null ? `${d.backgroundBytesPerSec > 0 ? ' + ' : ''}trace` : ''}`
    : '';
  return `link ${trace}${bg}${d.linkRttMs > 0 ? `, RTT ${d.linkRttMs} ms` : ''}`;
}

function header(r: DrainReport): string {
  const d = r.drain;
  const m = r.summary;
  const mem = r.vms.reduce((a, v) => a + v.memoryBytes, 0);
  const host = d.hostMemoryBytes === null ? '' : ` of a ${formatBytes(d.hostMemoryBytes)} host`;
  return [
    `Drain of ${m.vms} VMs (${formatBytes(mem)}${host}), ${d.concurrency} at a time, order ${d.order}; ${drainLinkText(d)}, shared max-min fairly`,
    `makespan ${(m.makespanMs / 1000).toFixed(2)} s; ${m.completed} completed, ${m.cancelled} cancelled; ${(m.transferredBytes / GiB).toFixed(2)} GiB sent ` +
      `(link ${(m.linkUtilization * 100).toFixed(1)} % used); guest CPU lost ${(m.guestCpuLostMs / 1000).toFixed(2)} vCPU-s; ` +
      `downtime max ${m.maxDowntimeMs === null ? '-' : `${m.maxDowntimeMs.toFixed(1)} ms`}, sum ${(m.totalDowntimeMs / 1000).toFixed(3)} s; ${m.engineRuns} engine runs`,
    ...(m.cancelled > 0 ? [`cancelled: ${r.vms.filter((v) => v.status === 'cancelled').map((v) => `${v.name} (${v.reason})`).join(', ')}`] : []),
  ].join('\n');
}

/** One drain: header, summary line, and the VMs in the order they started. */
export function formatDrain(r: DrainReport, options: TableOptions = {}): string {
  const rows = [...r.vms].sort((a, b) => a.startRank - b.startRank).map((v) => [
    v.name,
    v.policy,
    (v.memoryBytes / GiB).toFixed(1),
    (v.startMs / 1000).toFixed(2),
    (v.endMs / 1000).toFixed(2),
    (v.totalTimeMs / 1000).toFixed(2),
    v.downtimeMs === null ? '-' : v.downtimeMs.toFixed(1),
    v.status === 'completed' ? 'completed' : `cancelled (${v.reason})`,
    (v.transferredBytes / GiB).toFixed(2),
    (v.meanRateBytesPerSec / 1e6).toFixed(1),
    (v.guestCpuLostMs / 1000).toFixed(2),
    String(v.engineRuns),
  ]);
  return `${header(r)}\n\n${formatTable(VM_COLUMNS, rows, options)}`;
}

/** Several drains of the same VMs side by side (e.g. 1, 2 and 4 at a time). */
export function formatDrainComparison(reports: readonly DrainReport[], options: TableOptions = {}): string {
  const first = reports[0];
  if (first === undefined) return '';
  const mem = first.vms.reduce((a, v) => a + v.memoryBytes, 0);
  const rows = reports.map((r) => {
    const m = r.summary;
    return [
      String(r.drain.concurrency),
      r.drain.order,
      (m.makespanMs / 1000).toFixed(2),
      String(m.completed),
      String(m.cancelled),
      (m.transferredBytes / GiB).toFixed(2),
      m.maxDowntimeMs === null ? '-' : m.maxDowntimeMs.toFixed(1),
      (m.totalDowntimeMs / 1000).toFixed(3),
      (m.guestCpuLostMs / 1000).toFixed(2),
      (m.linkUtilization * 100).toFixed(1),
      String(m.engineRuns),
    ];
  });
  return `Drain of ${first.summary.vms} VMs (${formatBytes(mem)}); ${drainLinkText(first.drain)}, shared max-min fairly\n\n${formatTable(DRAIN_COLUMNS, rows, options)}`;
}
