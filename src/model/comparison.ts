import type { MigrationReport } from './report.js';

/** One policy's run in a comparison. */
export interface ComparisonRow {
  policy: string;
  report: MigrationReport;
  /** Wall-clock time the emulation took, ms (not part of the deterministic report). */
  wallMs: number;
}
