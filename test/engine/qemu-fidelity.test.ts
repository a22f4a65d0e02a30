import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type FidelityRecord, fidelity } from '../../bench/fidelity.js';
import { loadQemuCases } from '../../bench/qemu-cases.js';

// Medians over seeds 1–10 recorded with the per-write touch loop, before distinct-page sampling (issue 8).
const baseline = JSON.parse(readFileSync(new URL('../../bench/fidelity-baseline.json', import.meta.url), 'utf8')) as FidelityRecord[];

describe.skipIf(loadQemuCases().length === 0)('qemu-7.2 validation cases keep their fidelity', () => {
  const now = fidelity();
  for (const b of baseline) {
    it(`${b.id}: same outcome per seed, medians of time and bytes within 0.5 %`, () => {
      const r = now.find((x) => x.id === b.id)!;
      expect(r.outcomes).toEqual(b.outcomes);
      expect(Math.abs(r.medianTotalTimeMs / b.medianTotalTimeMs - 1)).toBeLessThan(0.005);
      expect(Math.abs(r.medianTransferredBytes / b.medianTransferredBytes - 1)).toBeLessThan(0.005);
    });
  }
});
