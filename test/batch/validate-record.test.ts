import { describe, expect, it } from 'vitest';
import { toRunRecord } from '../../src/batch/record.js';
import { recordProblem } from '../../src/batch/validate-record.js';
import { ALGORITHMS, CONTROLLERS, PRESETS, WORKLOAD_KINDS, WORKLOAD_TABLE, compare, migrate, type MigrationReport } from '../../src/index.js';

const MiB = 1024 ** 2;
const meta = { name: 'x', fingerprint: 'f'.repeat(64) };
const run = { index: 0, id: 'p0', params: {}, seed: 1, policy: 'qemu', options: {} };

/** The validator must not refuse what livemig itself writes: every preset and algorithm × controller × workload. */
describe('recordProblem accepts every record livemig writes', () => {
  const reports: [string, MigrationReport][] = [];
  for (const preset of Object.values(PRESETS)) for (const row of compare(preset.base, preset.policies)) reports.push([`${preset.name} ${row.policy}`, row.report]);
  for (const algorithm of ALGORITHMS) {
    for (const controller of CONTROLLERS) {
      // Every kind that runs with at most a rate (phases and trace need more; the goldens cover them).
      for (const kind of WORKLOAD_KINDS.filter((k) => Object.entries(WORKLOAD_TABLE[k].fields).every(([f, spec]) => f === 'writesPerSec' || !('required' in spec) && 'default' in spec))) {
        const workload = kind === 'idle' || kind === 'compute' ? { kind } : { kind, writesPerSec: 6000 };
        const report = migrate({
          memoryBytes: 32 * MiB, bandwidthBytesPerSec: 12.5e6, workload: [workload as never, { kind: 'hot-cold', writesPerSec: 2500 }],
          algorithm, controller, maxTimeMs: 30_000, seed: 7,
        });
        reports.push([`${algorithm}+${controller} ${kind}`, report]);
      }
    }
  }
  it(`all ${reports.length} reports`, () => {
    for (const [name, report] of reports) {
      const record = JSON.parse(JSON.stringify(toRunRecord(meta, run, report))) as unknown;
      expect(recordProblem(record), name).toBeNull();
    }
  });
});
