import type { ResolvedScenario, RoundRecord, Summary, TimelineSample } from './report.js';

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
  /** The report's timeline, thinned to at most RECORD_TIMELINE_POINTS samples (src/batch/record.ts). */
  timeline: TimelineSample[];
}
