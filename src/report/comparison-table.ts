import type { ComparisonRow } from '../api/compare.js';
import { formatTable, type Column } from './table.js';
import { statusText } from './status.js';

const COLUMNS: readonly Column[] = [
  { title: 'policy', align: 'left' },
  { title: 'status', align: 'left' },
  { title: 'total time', unit: 's' },
  { title: 'downtime', unit: 'ms' },
  { title: 'vs. no controller', unit: 'downtime' },
  { title: 'sent', unit: 'GiB' },
  { title: 'rounds' },
  { title: 'guest CPU lost', unit: '%' },
  { title: 'mean throttle', unit: '%' },
  { title: 'max throttle', unit: '%' },
  { title: 'wall', unit: 'ms' },
];

/**
 * One scenario under several policies, side by side: liveness (total time, downtime) next to cost (data sent,
 * guest CPU lost, throttle). A controlled policy's downtime is compared with the same algorithm without a
 * controller when that run is in the table.
 */
export function formatComparison(rows: readonly ComparisonRow[]): string {
  const baseline = new Map(rows.filter((r) => r.report.summary.controller === 'none').map((r) => [r.report.summary.algorithm, r.report.summary]));
  return formatTable(
    COLUMNS,
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
        r.wallMs.toFixed(0),
      ];
    }),
  );
}
