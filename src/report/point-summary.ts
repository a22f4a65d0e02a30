/**
 * Outcomes per sweep point (one combination of axis values) and policy, across seeds: median with min and max.
 * Never pooled over axis values, so each figure is of one scenario. Browser-safe.
 */
import type { RunRecord } from '../model/run-record.js';

/** The outcomes summarised: field of the summary, people's name, chart unit and factor from base units. */
export const OUTCOMES = [
  { id: 'downtime', title: 'Downtime', unit: 'ms', factor: 1, of: (r: RunRecord) => r.summary.downtimeMs },
  { id: 'total-time', title: 'Total time', unit: 's', factor: 1 / 1000, of: (r: RunRecord) => r.summary.totalTimeMs },
  { id: 'data-sent', title: 'Data sent', unit: 'GiB', factor: 1 / 1024 ** 3, of: (r: RunRecord) => r.summary.transferredBytes },
  { id: 'guest-cpu-lost', title: 'Guest CPU lost', unit: '%', factor: 1, of: (r: RunRecord) => r.summary.guestCpuLostPct },
] as const;

export type OutcomeId = (typeof OUTCOMES)[number]['id'];

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Values summarised (completed runs). */
  n: number;
}

export interface PointSummary {
  params: Record<string, unknown>;
  policy: string;
  runs: number;
  completed: number;
  /** Over the completed runs (a cancelled run's total time is only when it gave up); null when none completed. */
  outcomes: Record<OutcomeId, Spread | null>;
}

/** The median (mean of the middle two for an even count). */
function medianOf(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(xs: readonly number[]): Spread | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return { median: medianOf(s), min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/** One summary per point × policy: points in the order they first appear, policies in that order within each. */
export function summarizePoints(records: readonly RunRecord[]): PointSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const key = JSON.stringify([r.params, r.policy]);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((runs) => {
    const done = runs.filter((r) => r.summary.status === 'completed');
    const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o.id, spread(done.map((r) => o.of(r)).filter((v): v is number => v !== null))])) as Record<OutcomeId, Spread | null>;
    return { params: runs[0]!.params, policy: runs[0]!.policy, runs: runs.length, completed: done.length, outcomes };
  });
}
