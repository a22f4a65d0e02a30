/** Per-policy figures over a sweep's runs, for the report's summary table. */
import type { RunRecord } from '../model/run-record.js';
import { policyOrder } from './charts.js';

export interface PolicySummary {
  policy: string;
  runs: number;
  completed: number;
  /** Median over the completed runs; null when none completed. */
  medianDowntimeMs: number | null;
  /** Median over the completed runs (a cancelled run's total time is only when it gave up); null when none completed. */
  medianTotalTimeMs: number | null;
  /** Mean over all runs. */
  meanGuestCpuLostPct: number;
}

/** One summary per policy, in the order the policies first appear. */
export function summarizePolicies(records: readonly RunRecord[]): PolicySummary[] {
  return policyOrder(records).map((policy) => {
    const runs = records.filter((r) => r.policy === policy);
    const done = runs.filter((r) => r.summary.status === 'completed');
    return {
      policy,
      runs: runs.length,
      completed: done.length,
      medianDowntimeMs: median(done.map((r) => r.summary.downtimeMs ?? 0)),
      medianTotalTimeMs: median(done.map((r) => r.summary.totalTimeMs)),
      meanGuestCpuLostPct: runs.reduce((a, r) => a + r.summary.guestCpuLostPct, 0) / runs.length,
    };
  });
}

/** The median (mean of the middle two for an even count), or null for no values. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
