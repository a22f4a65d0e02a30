import type { ScenarioRun } from '../experiments/types.js';
import type { MigrationReport } from '../model/report.js';
import type { RunRecord } from '../model/run-record.js';

export type { RunRecord };

/** Most timeline samples a run record keeps (evenly thinned, first and last kept). */
export const RECORD_TIMELINE_POINTS = 600;

/** Builds the record of a finished run. */
export function toRunRecord(experiment: { name: string; fingerprint: string }, run: ScenarioRun, report: MigrationReport): RunRecord {
  return {
    format: 'livemig-run/1',
    experiment: experiment.name,
    fingerprint: experiment.fingerprint,
    index: run.index,
    id: run.id,
    params: run.params,
    seed: run.seed,
    policy: run.policy,
    scenario: report.scenario,
    summary: report.summary,
    rounds: report.rounds,
    timeline: thin(report.timeline, RECORD_TIMELINE_POINTS),
  };
}

/** Keeps at most `n` evenly spaced items, always the first and the last. */
export function thin<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(xs[Math.round((i * (xs.length - 1)) / (n - 1))]!);
  return out;
}
