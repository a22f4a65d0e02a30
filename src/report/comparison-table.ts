import type { ComparisonRow } from '../api/compare.js';
import { formatTable, type Column, type TableOptions } from './table.js';
import { statusText } from './status.js';
import type { PostcopyStats } from '../model/report.js';

const COLUMNS: readonly Column[] = [
  { title: 'policy', align: 'left' },
  { title: 'status', align: 'left' },
  { title: 'total time', unit: 's' },
  { title: 'downtime', unit: 'ms' },
  { title: 'vs. no controller', unit: 'downtime', drop: 4 },
  { title: 'sent', unit: 'GiB' },
  { title: 'rounds', drop: 3 },
  { title: 'guest CPU lost', unit: '%' },
  { title: 'mean throttle', unit: '%', drop: 2 },
  { title: 'max throttle', unit: '%', drop: 5 },
  { title: 'wall', unit: 'ms', drop: 1 },
];

/** Shown when a policy switched to postcopy: its remote faults, the vCPU time they blocked, its risk window. */
const POSTCOPY_COLUMNS: readonly Column[] = [
  { title: 'faults', drop: 6 },
  { title: 'blocked', unit: 's', drop: 6 },
  { title: 'risk window', unit: 's', drop: 6 },
];

/**
 * One scenario under several policies, side by side: liveness (total time, downtime) next to cost (data sent,
 * guest CPU lost, throttle). A controlled policy's downtime is compared with the same algorithm without a
 * controller when that run is in the table.
 */
export function formatComparison(rows: readonly ComparisonRow[], options: TableOptions = {}): string {
  // The baseline of an algorithm is its first policy without a controller (and without postcopy).
  const baseline = new Map<string, (typeof rows)[number]['report']['summary']>();
  for (const r of rows) {
    const s = r.report.summary;
    if (s.controller === 'none' && s.postcopy === undefined && !baseline.has(s.algorithm)) baseline.set(s.algorithm, s);
  }
  const postcopy = rows.some((r) => r.report.summary.postcopy !== undefined);
  return formatTable(
    postcopy ? [...COLUMNS.slice(0, -1), ...POSTCOPY_COLUMNS, COLUMNS[COLUMNS.length - 1]!] : COLUMNS,
    rows.map((r) => {
      const s = r.report.summary;
      const b = baseline.get(s.algorithm);
      let versus = '';
      if (s.controller !== 'none' && b !== undefined) {
        if (b.downtimeMs === null) versus = 'base never ended';
        else if (s.downtimeMs !== null) versus = `${(((s.downtimeMs - b.downtimeMs) / b.downtimeMs) * 100).toFixed(1)} %`;
      }
      return [
        r.policy,
        statusText(s),
        (s.totalTimeMs / 1000).toFixed(2),
        s.downtimeMs === null ? '-' : s.downtimeMs.toFixed(1),
        versus,
        (s.transferredBytes / 1024 ** 3).toFixed(2),
        String(s.rounds),
        s.guestCpuLostPct.toFixed(1),
        s.meanThrottlePct.toFixed(1),
        s.maxThrottlePct.toFixed(1),
        ...(postcopy ? postcopyCells(s.postcopy) : []),
        r.wallMs.toFixed(0),
      ];
    }),
    options,
  );
}

function postcopyCells(pc: PostcopyStats | undefined): string[] {
  if (pc === undefined) return ['-', '-', '-'];
  return [String(pc.remoteFaults), (pc.vcpuBlockedMs / 1000).toFixed(2), (pc.riskWindowMs / 1000).toFixed(2)];
}
