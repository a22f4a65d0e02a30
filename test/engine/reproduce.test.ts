import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { ALGORITHMS } from '../../src/model/algorithms.js';
import { CONTROLLERS } from '../../src/model/controllers.js';
import { scenarioOptions } from '../../src/api/scenario-options.js';
import { MiB } from '../helpers/stores.js';

describe('a report reproduces itself', () => {
  for (const algorithm of ALGORITHMS) {
    for (const controller of CONTROLLERS) {
      it(`${algorithm}+${controller}: migrate(scenarioOptions(report.scenario)) gives the same report`, () => {
        const report = migrate({
          memoryBytes: 64 * MiB,
          bandwidthBytesPerSec: 25e6,
          workload: [{ kind: 'hot-cold', writesPerSec: 9000, hotFraction: 0.2 }, { kind: 'compute' }],
          algorithm,
          controller: controller === 'cpu-scheduling' ? { name: controller, targetRound: 3 } : controller,
          maxTimeMs: 60_000,
          maxDataBytes: 2e9,
          seed: 5,
        });
        expect(JSON.stringify(migrate(scenarioOptions(report.scenario)))).toBe(JSON.stringify(report));
      });
    }
  }

  it('a custom controller is named but must be passed again', () => {
    const report = migrate({ memoryBytes: 16 * MiB, controller: { name: 'mine', onSync() {} } });
    expect(() => scenarioOptions(report.scenario)).toThrow(/scenario.controller/);
  });
});
