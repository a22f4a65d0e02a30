import type { ScenarioRun } from '../experiments/types.js';
import type { ResolvedScenario, RoundRecord, Summary, TimelineSample } from '../report/types.js';
import type { MigrationReport } from '../report/types.js';

/** Most timeline samples a run record keeps (evenly thinned, first and last kept). */
export const RECORD_TIMELINE_POINTS = 600;

/**
 * One finished run of a sweep: one line of results.ndjson. Everything in it is deterministic (no wall
 * times), so a sweep gives the same records whatever the number of workers, order aside.
 */
export interface RunRecord {
  format: 'livemig-run/1';
  /** The experiment's name and fingerprint, so results are never mixed across experiments. */
  experiment: string;
  fingerprint: string;
  index: number;
  id: string;
  /** Axis values of this run, by axis path. */
  params: Record<string, unknown>;
  seed: number;
  policy: string;
  scenario: ResolvedScenario;
  summary: Summary;
  rounds: RoundRecord[];
  /** The report's timeline, thinned to at most RECORD_TIMELINE_POINTS samples. */
  timeline: TimelineSample[];
}

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
