/**
 * Links that change (linkTrace, backgroundBytesPerSec, backgroundTrace, linkRttMs): the piecewise capacity
 * integrates exactly (closed forms), a trace that never changes is a constant link bit for bit, QEMU's
 * bandwidth estimate follows a drop within one window, and bad traces are refused naming the field and line.
 */
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { InvalidOptionError } from '../../src/errors/index.js';
import type { MigrationOptions } from '../../src/model/options.js';
import type { MigrationReport } from '../../src/model/report.js';
import { parseRateTraceText } from '../../src/model/rate-trace.js';
import { ALGORITHMS } from '../../src/model/algorithms.js';
import { PiecewiseRate } from '../../src/model/piecewise-rate.js';
import { destinationViolations } from '../helpers/consistency.js';
import { MiB, runOn } from '../helpers/stores.js';

const FIX = 'test/fixtures/links';

/** The report without the echo of the options that differ (the behaviour must not). */
function body(r: MigrationReport, drop: string[]): string {
  const copy = structuredClone(r) as unknown as { scenario: Record<string, unknown> };
  for (const k of drop) delete copy.scenario[k];
  return JSON.stringify(copy);
}

describe('PiecewiseRate: exact integrals and their inverse', () => {
  it('steps: bytes are rate × time per step; time to send crosses steps exactly', () => {
    const r = PiecewiseRate.fromPoints([{ timeMs: 0, bytesPerSec: 1000 }, { timeMs: 1000, bytesPerSec: 3000 }, { timeMs: 2000, bytesPerSec: 0 }], 'step');
    expect(r.integrateFor(0, 1000)).toBe(1000);
    expect(r.integrateFor(500, 1000)).toBe(500 + 1500);
    expect(r.integrateFor(0, 10_000)).toBe(4000); // nothing after the outage starts
    expect(r.timeToSend(0, 2500)).toBe(1500); // 1000 B in the first second, 1500 B at 3000 B/s = 500 ms
    expect(r.timeToSend(0, 4001)).toBe(Infinity); // the link never carries the last byte
  });
  it('linear: a ramp carries its trapezoid; the inverse solves the quadratic', () => {
    // 0 → 2000 B/s over 2 s: 2000 B in all; the first 500 B take t with 1000·t²/2 = 500 (t in s): 1 s
    const r = PiecewiseRate.fromPoints([{ timeMs: 0, bytesPerSec: 0 }, { timeMs: 2000, bytesPerSec: 2000 }], 'linear');
    expect(r.integrateFor(0, 2000)).toBeCloseTo(2000, 9);
    expect(r.timeToSend(0, 500)).toBeCloseTo(1000, 9);
    expect(r.timeToSend(0, 2000 + 4000)).toBeCloseTo(4000, 9); // then 2000 B/s for 2 s more
    expect(r.at(500)).toBe(500);
  });
  it('equal neighbours merge: a flat trace is one constant segment', () => {
    expect(PiecewiseRate.fromPoints([{ timeMs: 0, bytesPerSec: 7 }, { timeMs: 5, bytesPerSec: 7 }], 'step').constantRate).toBe(7);
    expect(PiecewiseRate.fromPoints([{ timeMs: 0, bytesPerSec: 7 }, { timeMs: 5, bytesPerSec: 7 }], 'linear').constantRate).toBe(7);
    expect(PiecewiseRate.fromPoints([{ timeMs: 0, bytesPerSec: 7 }, { timeMs: 5, bytesPerSec: 8 }], 'step').constantRate).toBe(null);
  });
  it('minus background: clamped at 0, split where the difference crosses zero', () => {
    const link = PiecewiseRate.fromPoints([{ timeMs: 0, bytesPerSec: 100 }, { timeMs: 1000, bytesPerSec: 0 }], 'linear');
    const net = link.minusClamped(PiecewiseRate.constant(50));
    // 100 → 0 minus 50 crosses 0 at 500 ms; the net triangle carries 50 B/s × 0.5 s / 2 = 12.5 B
    expect(net.integrateFor(0, 5000)).toBeCloseTo(12.5, 9);
    expect(net.at(250)).toBeCloseTo(25, 9);
    expect(net.at(750)).toBe(0);
  });
});

describe('a link trace that never changes is a constant link, bit for bit', () => {
  const base: MigrationOptions = {
    memoryBytes: 64 * MiB, bandwidthBytesPerSec: 125e6, maxBandwidthBytesPerSec: 125e6,
    workload: { kind: 'hot-cold', writesPerSec: 12_000 }, maxTimeMs: 60_000, seed: 5,
  };
  const traces: [string, MigrationOptions['linkTrace']][] = [
    ['one inline point', [{ timeMs: 0, bytesPerSec: 125e6 }]],
    ['inline steps of one value', [{ timeMs: 0, bytesPerSec: 125e6 }, { timeMs: 700, bytesPerSec: 125e6 }, { timeMs: 1500, bytesPerSec: 125e6 }]],
    ['linear points of one value', { interpolation: 'linear', points: [{ timeMs: 0, bytesPerSec: 125e6 }, { timeMs: 2500, bytesPerSec: 125e6 }] }],
    ['a CSV file', `${FIX}/flat.csv`],
    ['a JSON file', `${FIX}/flat.json`],
  ];
  for (const algorithm of ALGORITHMS) {
    for (const [name, linkTrace] of traces) {
      it(`${algorithm}: ${name}`, () => {
        const plain = migrate({ ...base, algorithm });
        const traced = migrate({ ...base, algorithm, linkTrace });
        expect(traced.scenario.linkTrace).not.toBe(null);
        expect(body(traced, ['linkTrace'])).toBe(body(plain, ['linkTrace']));
      });
    }
  }
  it('constant background traffic is a narrower link, bit for bit', () => {
    for (const algorithm of ALGORITHMS) {
      const narrow = migrate({ ...base, algorithm, bandwidthBytesPerSec: 100e6 });
      const shared = migrate({ ...base, algorithm, backgroundBytesPerSec: 25e6 });
      expect(body(shared, ['bandwidthBytesPerSec', 'backgroundBytesPerSec'])).toBe(body(narrow, ['bandwidthBytesPerSec', 'backgroundBytesPerSec']));
    }
  });
  it('a round-trip time does not move pre-copy (it is for postcopy faults and multifd syncs)', () => {
    const r = migrate({ ...base, linkRttMs: 40 });
    expect(r.scenario.linkRttMs).toBe(40);
    expect(body(r, ['linkRttMs'])).toBe(body(migrate(base), ['linkRttMs']));
  });
  it('the trace is not ignored: a slower constant trace changes the run', () => {
    const slow = migrate({ ...base, linkTrace: [{ timeMs: 0, bytesPerSec: 50e6 }] });
    const plain50 = migrate({ ...base, bandwidthBytesPerSec: 50e6 });
    expect(body(slow, ['linkTrace', 'bandwidthBytesPerSec'])).toBe(body(plain50, ['linkTrace', 'bandwidthBytesPerSec']));
    expect(slow.summary.totalTimeMs).not.toBe(migrate(base).summary.totalTimeMs);
  });
});

describe("QEMU's bandwidth estimate follows a drop within one window", () => {
  // Exact clock and free syncs, max-bandwidth above the link: every window is spent sending, so it measures the link.
  const drop = 10_000;
  const options: MigrationOptions = {
    memoryBytes: 2048 * MiB, maxBandwidthBytesPerSec: 1e12, workload: { kind: 'uniform', writesPerSec: 1000 },
    clockGranularityMs: 0, windowWakeLatencyMs: 0, syncCostPerGiBMs: 0, populatedFraction: 1, maxTimeMs: 120_000,
    linkTrace: [{ timeMs: 0, bytesPerSec: 125e6 }, { timeMs: drop, bytesPerSec: 125e6 / 4 }],
  };
  it('windows before the drop measure the link, the first whole window after it measures a quarter', () => {
    const r = migrate(options);
    const tl = r.timeline;
    const windows = tl.map((x, i) => ({ start: i === 0 ? 0 : tl[i - 1]!.tMs, end: x.tMs, bw: x.bandwidthBytesPerSec }));
    expect(r.status).toBe('completed');
    const live = windows.filter((w) => w.end < r.rounds.at(-1)!.startMs);
    const before = live.filter((w) => w.start > 1000 && w.end <= drop);
    const after = live.filter((w) => w.start >= drop);
    expect(before.length).toBeGreaterThan(10);
    expect(after.length).toBeGreaterThan(10);
    for (const w of before) expect(w.bw / 125e6).toBeCloseTo(1, 6);
    // the first window wholly after the drop already reads the new rate: one window, no smoothing
    expect(after[0]!.bw / (125e6 / 4)).toBeCloseTo(1, 6);
    // the window across the drop reads the mix of the two rates, weighted by time
    const across = live.find((w) => w.start < drop && w.end > drop)!;
    const mix = (125e6 * (drop - across.start) + (125e6 / 4) * (across.end - drop)) / (across.end - across.start);
    expect(across.bw / mix).toBeCloseTo(1, 6);
  });
  it('the migration takes longer than on the steady link, and the destination is consistent', () => {
    const { report, store } = runOn({ ...options, trace: true });
    const steady = migrate({ ...options, linkTrace: undefined, bandwidthBytesPerSec: 125e6 });
    expect(report.status).toBe('completed');
    expect(report.summary.totalTimeMs).toBeGreaterThan(steady.summary.totalTimeMs);
    expect(destinationViolations(store, 5)).toStrictEqual([]);
  });
});

describe('outages and linear ramps', () => {
  it('a 2 s outage sends nothing during it and delays the end by about its length', () => {
    // The page in flight when the link dies waits for it (as a blocked socket write does): one step spans the outage.
    const base: MigrationOptions = { memoryBytes: 256 * MiB, workload: { kind: 'uniform', writesPerSec: 500 }, maxBandwidthBytesPerSec: 1e12, clockGranularityMs: 0, windowWakeLatencyMs: 0, syncCostPerGiBMs: 0 };
    const steady = migrate(base);
    const cut = migrate({ ...base, linkTrace: [{ timeMs: 0, bytesPerSec: 125e6 }, { timeMs: 500, bytesPerSec: 0 }, { timeMs: 2500, bytesPerSec: 125e6 }] });
    expect(cut.status).toBe('completed');
    expect(cut.timeline.some((x) => x.tMs > 500 && x.tMs < 2500)).toBe(false);
    const before = cut.timeline.filter((x) => x.tMs <= 500).at(-1)!;
    const across = cut.timeline.find((x) => x.tMs >= 2500)!;
    // what crossed the outage is the rest of one 50 ms burst (at most 50 ms of link) and the page over its budget
    expect(across.transferredBytes - before.transferredBytes).toBeLessThanOrEqual(125e6 * 0.1 + 4200);
    expect(cut.summary.totalTimeMs - steady.summary.totalTimeMs).toBeGreaterThan(1900);
    expect(cut.summary.totalTimeMs - steady.summary.totalTimeMs).toBeLessThan(2600);
  });
  it('a link that dies for good: cancelled at max time, in bounded time', () => {
    const r = migrate({ memoryBytes: 64 * MiB, maxTimeMs: 20_000, linkTrace: [{ timeMs: 0, bytesPerSec: 1e6 }, { timeMs: 1000, bytesPerSec: 0 }] });
    expect(r.status).toBe('cancelled');
    expect(r.summary.totalTimeMs).toBe(20_000);
  });
  it('every algorithm on a linear ramp with background traffic stays consistent and within the link', () => {
    for (const algorithm of ALGORITHMS) {
      const { report, store } = runOn({
        algorithm, memoryBytes: 64 * MiB, workload: { kind: 'hot-cold', writesPerSec: 8000 }, trace: true,
        linkTrace: { interpolation: 'linear', points: [{ timeMs: 0, bytesPerSec: 20e6 }, { timeMs: 3000, bytesPerSec: 200e6 }, { timeMs: 6000, bytesPerSec: 60e6 }] },
        backgroundTrace: [{ timeMs: 0, bytesPerSec: 0 }, { timeMs: 1000, bytesPerSec: 30e6 }, { timeMs: 4000, bytesPerSec: 0 }],
        backgroundBytesPerSec: 5e6,
      });
      // (the invariant checker, on in the suite, also checks each window against the capacity)
      expect(report.status).toBe('completed');
      expect(destinationViolations(store, 5)).toStrictEqual([]);
    }
  });
});

describe('bad traces are refused, naming the field (and the file line)', () => {
  const bad = (linkTrace: unknown, field: RegExp) => {
    let err: unknown;
    try {
      migrate({ memoryBytes: 16 * MiB, linkTrace: linkTrace as MigrationOptions['linkTrace'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).field).toMatch(field);
  };
  it('inline', () => {
    bad([], /^linkTrace$/);
    bad([{ timeMs: 0, bytesPerSec: -1 }], /^linkTrace\[0\]\.bytesPerSec$/);
    bad([{ timeMs: 0, bytesPerSec: 1 }, { timeMs: -5, bytesPerSec: 1 }], /^linkTrace\[1\]\.timeMs$/);
    bad([{ timeMs: 0, bytesPerSec: 1 }, { timeMs: 10, bytesPerSec: 1 }, { timeMs: 10, bytesPerSec: 2 }], /^linkTrace\[2\]\.timeMs$/);
    bad([{ timeMs: 5, bytesPerSec: 1 }], /^linkTrace\[0\]\.timeMs$/);
    bad([{ timeMs: 0, bytesPerSec: 1, burst: 3 }], /^linkTrace\[0\]\.burst$/);
    bad([{ timeMs: 0, bytesPerSec: Number.NaN }], /^linkTrace\[0\]\.bytesPerSec$/);
    bad({ interpolation: 'cubic', points: [{ timeMs: 0, bytesPerSec: 1 }] }, /^linkTrace\.interpolation$/);
    bad({ points: [{ timeMs: 0, bytesPerSec: 1 }], unit: 'bits' }, /^linkTrace\.unit$/);
    bad(null, /^linkTrace$/);
    bad('', /^linkTrace$/);
  });
  it('files', () => {
    bad(`${FIX}/negative-rate.csv`, /^linkTrace \(.*negative-rate\.csv:3\) bytesPerSec$/);
    bad(`${FIX}/backwards.csv`, /^linkTrace \(.*backwards\.csv:4\) timeMs$/);
    bad(`${FIX}/empty.csv`, /^linkTrace \(.*empty\.csv\)$/);
    bad(`${FIX}/bad-header.csv`, /^linkTrace \(.*bad-header\.csv:1\) header$/);
    bad(`${FIX}/no-such-file.csv`, /^linkTrace$/);
    expect(() => migrate({ backgroundTrace: [{ timeMs: 1, bytesPerSec: 1 }] })).toThrow(/invalid backgroundTrace\[0\]\.timeMs/);
  });
  it('CSV text: the interpolation line and comments', () => {
    const t = parseRateTraceText('linkTrace', 'x.csv', '# interpolation: linear\n# from iperf3\n\ntimeMs,bytesPerSec\n0,10\n100,20\n');
    expect(t).toEqual({ interpolation: 'linear', points: [{ timeMs: 0, bytesPerSec: 10 }, { timeMs: 100, bytesPerSec: 20 }] });
    expect(() => parseRateTraceText('linkTrace', 'x.csv', 'timeMs,bytesPerSec\n0,10\n# interpolation: linear\n')).toThrow(/x\.csv:3/);
    expect(() => parseRateTraceText('linkTrace', 'x.csv', 'timeMs,bytesPerSec\n0,10,3\n')).toThrow(/x\.csv:2/);
    expect(() => parseRateTraceText('linkTrace', 'x.csv', 'timeMs,bytesPerSec\n0,fast\n')).toThrow(/x\.csv:2\) bytesPerSec/);
  });
});
