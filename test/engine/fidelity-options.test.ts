/** The zero-page layout, the guest under throttle and QEMU's clock (options of issue 10). */
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { ReferencePageStore } from '../../src/core/reference-page-store.js';
import { parseThrottledWriteFraction } from '../../src/engine/throttled-writes.js';
import { populateLayout } from '../../src/engine/zero-pages.js';
import type { MigrationOptions } from '../../src/model/options.js';

const MiB = 2 ** 20;
const bit = (a: Uint32Array, p: number) => (a[p >>> 5]! >>> (p & 31)) & 1;
const populated = (s: ReferencePageStore) => Array.from({ length: s.pages }, (_, p) => bit(s.populated, p));

describe('zeroPageLayout', () => {
  const store = () => new ReferencePageStore(1000);
  it("'top' is a prefix of populated pages, every zero page at the top", () => {
    const s = store();
    populateLayout(s, 'top', 0.3, []);
    expect(populated(s).join('')).toBe('1'.repeat(300) + '0'.repeat(700));
  });
  it("'spread' spreads the populated pages evenly: every tenth of memory holds its share", () => {
    const s = store();
    populateLayout(s, 'spread', 0.3, []);
    const p = populated(s);
    expect(p.reduce((a, b) => a + b, 0)).toBe(300);
    for (let i = 0; i < 10; i++) expect(p.slice(i * 100, i * 100 + 100).reduce((a, b) => a + b, 0)).toBe(30);
  });
  it("'spread' populates a workload's region first, so its writes land on populated pages", () => {
    const s = store();
    populateLayout(s, 'spread', 0.3, [{ kind: 'uniform', writesPerSec: 1, regionStart: 0.5, regionSize: 0.2 }]);
    const p = populated(s);
    expect(p.slice(500, 700).every((x) => x === 1)).toBe(true);
    expect(p.reduce((a, b) => a + b, 0)).toBe(300);
  });
  it("'zero:A-B' makes exactly those pages zero", () => {
    const s = store();
    populateLayout(s, 'zero:0-9,990-999', 0.5, []);
    const p = populated(s);
    expect(p.slice(0, 10).every((x) => x === 0) && p.slice(990).every((x) => x === 0)).toBe(true);
    expect(p.slice(10, 990).every((x) => x === 1)).toBe(true);
  });
  it('refuses malformed or out-of-range ranges, naming the option', () => {
    expect(() => migrate({ memoryBytes: MiB, zeroPageLayout: 'zero:300-200' })).toThrow(/invalid zeroPageLayout: "zero:300-200"/);
    expect(() => migrate({ memoryBytes: MiB, zeroPageLayout: 'zero:0-256' })).toThrow(/within the VM's pages 0-255/);
    expect(() => migrate({ memoryBytes: MiB, zeroPageLayout: 'middle' })).toThrow(/'spread', 'top' or 'zero:A-B,C-D'/);
  });
  it('moves the first re-sync: with the zero pages at the top the first pass ends in one fast burst', () => {
    const o: MigrationOptions = { memoryBytes: 64 * MiB, workload: { kind: 'uniform', writesPerSec: 2000, regionSize: 0.25 }, algorithm: 'qemu', maxBandwidthBytesPerSec: 32 * MiB };
    const top = migrate({ ...o, zeroPageLayout: 'top' });
    const spread = migrate({ ...o, zeroPageLayout: 'spread' });
    expect(top.summary.zeroPages).toBe(spread.summary.zeroPages);
    expect(top.rounds[1]!.startMs).not.toBe(spread.rounds[1]!.startMs);
  });
});

describe('throttledWriteFraction', () => {
  it("'ideal' is 1 - p", () => {
    const f = parseThrottledWriteFraction('x', 'ideal');
    expect(f(0)).toBe(1);
    expect(f(0.4)).toBeCloseTo(0.6, 12);
  });
  it("a table gives its points and interpolates F / (1 - p) between them", () => {
    const f = parseThrottledWriteFraction('x', 'table:20=0.7,40=0.45');
    expect(f(0)).toBe(1);
    expect(f(0.2)).toBeCloseTo(0.7, 12);
    expect(f(0.4)).toBeCloseTo(0.45, 12);
    // halfway: ratio (0.875 + 0.75) / 2 = 0.8125 of (1 - 0.3)
    expect(f(0.3)).toBeCloseTo(0.7 * 0.8125, 12);
    // beyond the last point the ratio is held: 0.75 of (1 - 0.6)
    expect(f(0.6)).toBeCloseTo(0.4 * 0.75, 12);
  });
  it("'sleep-tax:C' is (1 - p) - C p", () => {
    expect(parseThrottledWriteFraction('x', 'sleep-tax:0.1')(0.5)).toBeCloseTo(0.45, 12);
  });
  it('refuses a bad table, naming the option', () => {
    expect(() => migrate({ throttledWriteFraction: 'table:40=0.5,20=0.7' })).toThrow(/invalid throttledWriteFraction.*must ascend/);
    expect(() => migrate({ throttledWriteFraction: 'table:20=1.5' })).toThrow(/invalid throttledWriteFraction/);
  });
  it('a throttled guest writes what the table says, an unthrottled one at full speed', () => {
    const o: MigrationOptions = {
      memoryBytes: 16 * MiB, workload: { kind: 'uniform', writesPerSec: 10_000 }, maxTimeMs: 3000, maxBandwidthBytesPerSec: MiB,
      controller: () => ({ name: 'half-speed', onSync(_e, ctx) { ctx.setCpuShare(0.5); } }),
    };
    const writes = (t: string) => migrate({ ...o, throttledWriteFraction: t }).summary.guest.vcpus[0]!.writes;
    const ideal = migrate({ ...o, throttledWriteFraction: 'ideal' });
    expect(ideal.summary.maxThrottlePct).toBeGreaterThan(0);
    // the table interpolates 1 − p; its float rounding can move the last whole write of the run
    expect(Math.abs(writes('table:1=0.99,99=0.01') - ideal.summary.guest.vcpus[0]!.writes)).toBeLessThanOrEqual(1);
    expect(writes('sleep-tax:0.5')).toBeLessThan(ideal.summary.guest.vcpus[0]!.writes);
    // unthrottled (no controller): only the table's 0 % entry matters
    const free = { ...o, controller: 'none' as const };
    const half = migrate({ ...free, throttledWriteFraction: 'table:0=0.5' }).summary;
    const full = migrate(free).summary;
    expect(half.guest.vcpus[0]!.writes / half.guest.vcpus[0]!.cpuObtainedMs).toBeCloseTo((full.guest.vcpus[0]!.writes / full.guest.vcpus[0]!.cpuObtainedMs) / 2, 3);
  });
});

// §A.6.1: 128 MiB/s, 300 ms: budget 13 421 772 B, 3 271 pages cross it; a window sends 3 271 × 4104 B + 18 B.
describe("QEMU's clock (clockGranularityMs, windowWakeLatencyMs, syncCostPerGiBMs)", () => {
  const o: MigrationOptions = { memoryBytes: 256 * MiB, populatedFraction: 1, workload: { kind: 'idle' }, bandwidthBytesPerSec: 2e9, maxTimeMs: 1300 };
  const WINDOW_BYTES = 3271 * 4104 + 18;
  it('a window measures whole milliseconds on the millisecond clock, though it lasts a little longer', () => {
    const r = migrate(o);
    const w = r.timeline[1]!;
    expect(w.bandwidthBytesPerSec).toBe((WINDOW_BYTES / 100) * 1000);
    // ten windows are not exactly 1000 ms: each ends at a clock reading, after a late wake-up
    expect(Math.abs(r.timeline[11]!.tMs - r.timeline[1]!.tMs - 1000)).toBeGreaterThan(0.01);
    const exact = migrate({ ...o, clockGranularityMs: 0, windowWakeLatencyMs: 0, syncCostPerGiBMs: 0 });
    expect(exact.timeline[11]!.tMs - exact.timeline[1]!.tMs).toBeCloseTo(1000, 9);
  });
  it('a sync takes time with the link idle, and the last one counts in the downtime', () => {
    const free = migrate({ ...o, maxTimeMs: 600_000, syncCostPerGiBMs: 0 });
    const slow = migrate({ ...o, maxTimeMs: 600_000, syncCostPerGiBMs: 40 });
    expect(slow.summary.downtimeMs! - free.summary.downtimeMs!).toBeCloseTo(10, 6);
  });
});
