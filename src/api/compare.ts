import type { ComparisonRow } from '../model/comparison.js';
import type { MigrationOptions } from '../model/options.js';
import { migrate } from './migrate.js';
import { type Policy, toPolicy, policyLabel, policyScenario } from './policy.js';

export type { ComparisonRow };

/**
 * Runs one scenario under several policies (same guest, workload and seed) and returns their reports in order.
 * A policy is a Policy object or its text form, "xen+cpu-scheduling:targetRound=4", "qemu{downtime-limit=500ms}";
 * its options override the base scenario's for that policy only.
 */
export function compare(base: Omit<MigrationOptions, 'algorithm' | 'controller'>, policies: readonly (Policy | string)[]): ComparisonRow[] {
  const parsed = policies.map((p, i) => toPolicy(p, `policies[${i}]`));
  return parsed.map((p, i) => {
    const scenario = policyScenario(base, p, `policies[${i}]`);
    const t0 = performance.now();
    const report = migrate(scenario);
    return { policy: policyLabel(p), report, wallMs: performance.now() - t0 };
  });
}
