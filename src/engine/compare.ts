import type { MigrationReport } from '../report/types.js';
import { migrate } from './migrate.js';
import type { MigrationOptions } from './options.js';
import { type Policy, policyLabel } from './policy.js';

/** One policy's run in a comparison. */
export interface ComparisonRow {
  policy: string;
  report: MigrationReport;
  /** Wall-clock time the emulation took, ms (not part of the deterministic report). */
  wallMs: number;
}

/** Runs one scenario under several policies (same seed, same workload) and returns their reports in order. */
export function compare(base: MigrationOptions, policies: readonly Policy[]): ComparisonRow[] {
  return policies.map((p) => {
    const t0 = performance.now();
    const report = migrate({ ...base, algorithm: p.algorithm, controller: p.controller });
    return { policy: policyLabel(p), report, wallMs: performance.now() - t0 };
  });
}
