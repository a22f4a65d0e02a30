import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import type { Controller } from '../../src/model/controller.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';

/** A controller with state: it throttles 10 points more at every sync it sees. */
function stepper(): Controller {
  let pct = 0;
  return {
    name: 'stepper',
    onSync(_e, ctx) {
      pct = Math.min(90, pct + 10);
      ctx.setCpuShare(1 - pct / 100);
    },
  };
}

const base = {
  memoryBytes: 64 * 2 ** 20,
  bandwidthBytesPerSec: 25e6,
  workload: { kind: 'uniform', writesPerSec: 8000 } as const,
  algorithm: 'xen' as const,
};

describe('your own controller', () => {
  it('as a factory: a fresh controller per run, so runs are independent and reproducible', () => {
    const a = migrate({ ...base, controller: stepper });
    const b = migrate({ ...base, controller: stepper });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.summary.controller).toBe('stepper');
    expect(a.summary.maxThrottlePct).toBeGreaterThan(0);
  });

  it('as one object reused: its state carries over to the next run (documented)', () => {
    const one = stepper();
    const first = migrate({ ...base, controller: one });
    const second = migrate({ ...base, controller: one });
    expect(second.rounds[0]!.throttlePct).toBeGreaterThan(first.rounds[0]!.throttlePct);
  });

  it('a factory that does not return a controller is refused, naming the field', () => {
    expect(() => migrate({ ...base, controller: (() => ({ nope: true })) as unknown as () => Controller })).toThrow(InvalidOptionError);
    expect(() => migrate({ ...base, controller: (() => ({ nope: true })) as unknown as () => Controller })).toThrow(/invalid controller/);
  });
});
