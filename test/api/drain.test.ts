/**
 * drain(): several VMs over one shared link. Oracles: the same migrations run alone (concurrency 1), a
 * migration alone on half the link (two identical VMs sharing it, SimGrid's max-min model), the closed-form
 * max-min shares, the link's capacity (never exceeded), and the destination consistency of every VM.
 */
import { describe, expect, it } from 'vitest';
import { drain } from '../../src/api/drain.js';
import { migrate } from '../../src/api/migrate.js';
import { scenarioOptions } from '../../src/api/scenario-options.js';
import { flowRates, maxMinShares } from '../../src/engine/link-share.js';
import { CapacityError, InvalidOptionError } from '../../src/errors/index.js';
import type { DrainOptions, DrainReport } from '../../src/model/drain.js';
import type { MigrationOptions } from '../../src/model/options.js';
import type { PageStore } from '../../src/core/page-store.js';
import { shareAt } from '../../src/api/drain-invariants.js';
import { PiecewiseRate } from '../../src/model/piecewise-rate.js';
import { destinationViolations } from '../helpers/consistency.js';
import { MiB } from '../helpers/stores.js';

const VMS: DrainOptions['vms'] = [
  { name: 'a', memoryBytes: 64 * MiB, workload: { kind: 'hot-cold', writesPerSec: 6000 }, seed: 1 },
  { name: 'b', memoryBytes: 32 * MiB, workload: { kind: 'uniform', writesPerSec: 3000, regionSize: 0.5 }, seed: 2, algorithm: 'xen' },
  { name: 'c', memoryBytes: 96 * MiB, workload: { kind: 'sequential', writesPerSec: 2000 }, seed: 3, controller: 'auto-converge' },
  { name: 'd', memoryBytes: 48 * MiB, workload: { kind: 'hot-cold', writesPerSec: 9000 }, seed: 4, maxBandwidthBytesPerSec: 20e6 },
];
const LINK = 100e6;

function errorOf(f: () => unknown): InvalidOptionError | CapacityError {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidOptionError || e instanceof CapacityError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('max-min shares (closed forms)', () => {
  it('equal shares; a bounded flow takes its bound and the others split the rest', () => {
    expect(maxMinShares(10, [Infinity, Infinity]).shares).toEqual([5, 5]);
    expect(maxMinShares(10, [1, 3, Infinity]).shares).toEqual([1, 3, 6]);
    expect(maxMinShares(10, [2, Infinity, Infinity]).shares).toEqual([2, 4, 4]);
    expect(maxMinShares(10, [4, Infinity, Infinity]).shares).toEqual([10 / 3, 10 / 3, 10 / 3]); // 4 is above the fair share
    expect(maxMinShares(10, [6, Infinity]).shares).toEqual([5, 5]); // bound above the fair share: not binding
    expect(maxMinShares(12, [Infinity, 3, 3, Infinity]).shares).toEqual([3, 3, 3, 3]);
    expect(maxMinShares(10, [2, 2]).allBounded).toBe(true);
  });
  it('what a flow may send: the share, or, when every flow is bounded, the share plus an equal part of the rest', () => {
    expect(flowRates(10, [1, 3, Infinity])).toEqual([1, 3, 6]);
    expect(flowRates(10, [2, 2])).toEqual([5, 5]);
    expect(flowRates(10, [1, 3])).toEqual([4, 6]);
    expect(flowRates(10, [3])).toEqual([10]); // alone, a flow has the whole link
    for (const caps of [[1, 3, Infinity], [2, 2], [1, 3], [0.5, 0.5, 0.5]]) expect(flowRates(10, caps).reduce((a, b) => a + b, 0)).toBeCloseTo(10, 12);
  });
});

describe('concurrency 1: the drain is the migrations run alone, one after the other', () => {
  it('each report is migrate() alone, bit for bit; the makespan is the sum of their times', () => {
    const r = drain({ vms: VMS, concurrency: 1, bandwidthBytesPerSec: LINK });
    let t = 0;
    r.vms.forEach((v, i) => {
      const { name, ...options } = VMS[i]!;
      void name;
      const alone = migrate({ ...(options as MigrationOptions), bandwidthBytesPerSec: LINK });
      expect(JSON.stringify(r.reports[i])).toBe(JSON.stringify(alone));
      expect(v.startMs).toBe(t);
      t += alone.summary.totalTimeMs;
      expect(v.endMs).toBe(t);
      expect(v.engineRuns).toBe(1);
    });
    expect(r.summary.makespanMs).toBe(t);
    expect(r.summary.transferredBytes).toBe(r.reports.reduce((a, x) => a + x.summary.transferredBytes, 0));
  });
  it('order: smallest-first, largest-first and least-dirty-first start the VMs in that order', () => {
    const names = (r: DrainReport) => [...r.vms].sort((x, y) => x.startMs - y.startMs).map((v) => v.name).join('');
    expect(names(drain({ vms: VMS, order: 'smallest-first' }))).toBe('bdac');
    expect(names(drain({ vms: VMS, order: 'largest-first' }))).toBe('cadb');
    // write rates × page size: a 6000, b 3000, c 2000, d 9000 pages/s
    expect(names(drain({ vms: VMS, order: 'least-dirty-first' }))).toBe('cbad');
    expect(names(drain({ vms: VMS }))).toBe('abcd');
  });
});

describe('sharing the link like SimGrid (max-min fair flows)', () => {
  const vm: MigrationOptions = { memoryBytes: 64 * MiB, workload: { kind: 'hot-cold', writesPerSec: 4000 }, seed: 9, maxBandwidthBytesPerSec: LINK };
  it('two identical VMs on one link take exactly as long as one on half the link', () => {
    const r = drain({ vms: [vm, vm], concurrency: 2, bandwidthBytesPerSec: LINK });
    const half = migrate({ ...vm, bandwidthBytesPerSec: LINK / 2 });
    expect(r.summary.makespanMs).toBe(half.summary.totalTimeMs);
    for (const rep of r.reports) expect(JSON.stringify(rep)).toBe(JSON.stringify(half));
  });
  it('k identical VMs at once on k times the link: each as one alone', () => {
    for (const k of [3, 4]) {
      const r = drain({ vms: [{ ...vm, count: k, seed: 9 }], concurrency: k, bandwidthBytesPerSec: LINK * k });
      r.reports.forEach((rep, j) => {
        const alone = migrate({ ...vm, seed: 9 + j, bandwidthBytesPerSec: LINK });
        expect(rep.summary.totalTimeMs).toBe(alone.summary.totalTimeMs);
      });
    }
  });
  it('a migration bounded below its share leaves the rest to the others', () => {
    // d is qemu at 20 MB/s max-bandwidth; b is xen, which does not limit itself: b gets 80 MB/s while d runs.
    const r = drain({ vms: [VMS[3]!, VMS[1]!], concurrency: 2, bandwidthBytesPerSec: LINK });
    const [d, b] = r.vms;
    expect(shareAt(d!.share, 0)).toBe(20e6);
    expect(shareAt(b!.share, 0)).toBe(80e6);
    // after one ends, the other has the whole link
    const first = Math.min(d!.endMs, b!.endMs);
    const other = d!.endMs > b!.endMs ? d! : b!;
    expect(shareAt(other.share, first)).toBe(LINK);
  });
});

describe('with concurrency k the link is never exceeded', () => {
  const link = { linkTrace: [{ timeMs: 0, bytesPerSec: 120e6 }, { timeMs: 1500, bytesPerSec: 30e6 }, { timeMs: 4000, bytesPerSec: 90e6 }], backgroundBytesPerSec: 10e6 };
  for (const k of [2, 3, 4]) {
    it(`concurrency ${k}, a changing link with background traffic`, () => {
      const r = drain({ vms: VMS, concurrency: k, ...link });
      const capacity = PiecewiseRate.fromPoints(link.linkTrace.map((p) => ({ ...p, bytesPerSec: p.bytesPerSec - 10e6 })), 'step');
      // every VM's bytes between two of its samples within its share then; the shares within the link at every change
      r.vms.forEach((v, i) => {
        let t = 0;
        let b = 0;
        for (const x of r.reports[i]!.timeline) {
          const share = PiecewiseRate.of(v.share.map((s) => ({ ...s, startMs: s.startMs - v.startMs })));
          expect(x.transferredBytes - b).toBeLessThanOrEqual(share.integrateFor(t, x.tMs - t) * (1 + 1e-9) + 1e-6);
          t = x.tMs;
          b = x.transferredBytes;
        }
      });
      const times = [...new Set(r.vms.flatMap((v) => [v.startMs, v.endMs, ...v.share.map((s) => s.startMs)]))].sort((a, b) => a - b);
      for (const t of times) {
        const on = r.vms.filter((v) => v.startMs <= t && t < v.endMs);
        expect(on.length).toBeLessThanOrEqual(k);
        expect(on.reduce((a, v) => a + shareAt(v.share, t), 0)).toBeLessThanOrEqual(capacity.at(t) * (1 + 1e-12));
      }
      // in any 100 ms of drain time, the VMs together sent no more than the link carried (from their timelines)
      expect(r.summary.transferredBytes).toBeLessThanOrEqual(capacity.integrateFor(0, r.summary.makespanMs));
      expect(r.summary.completed).toBe(VMS.length);
    });
  }
  it('more at once than one at a time: shorter makespan for capped migrations on a wide link', () => {
    const capped = { vms: [{ memoryBytes: 64 * MiB, count: 4, maxBandwidthBytesPerSec: 20e6, workload: { kind: 'hot-cold' as const, writesPerSec: 1000 } }], bandwidthBytesPerSec: LINK };
    const one = drain({ ...capped, concurrency: 1 });
    const four = drain({ ...capped, concurrency: 4 });
    expect(four.summary.makespanMs).toBeLessThan(one.summary.makespanMs / 3);
  });
});

describe("each VM's migration is consistent (every page's last write sent)", () => {
  it('concurrency 2 and 3, the last run of each VM', () => {
    for (const k of [2, 3]) {
      const last = new Map<number, { store: PageStore; status: string }>();
      const r = drain({ vms: VMS, concurrency: k, bandwidthBytesPerSec: LINK }, { trace: true, onRun: (i, rep, store) => last.set(i, { store, status: rep.status }) });
      expect(last.size).toBe(VMS.length);
      expect(r.summary.engineRuns).toBeGreaterThan(VMS.length); // shares changed, so some VMs were run again
      for (const { store, status } of last.values()) {
        expect(status).toBe('completed');
        expect(destinationViolations(store, 5)).toStrictEqual([]);
      }
    }
  });
});

describe('bad drains are refused, naming the field', () => {
  it('concurrency 0, or not a whole number', () => {
    expect(errorOf(() => drain({ vms: VMS, concurrency: 0 })).field).toBe('concurrency');
    expect(errorOf(() => drain({ vms: VMS, concurrency: 1.5 })).field).toBe('concurrency');
  });
  it('VMs that do not fit the host', () => {
    const e = errorOf(() => drain({ vms: VMS, hostMemoryBytes: 200 * MiB }));
    expect(e.field).toBe('vms');
    expect(e.message).toMatch(/hostMemoryBytes \(209715200 B\)/);
    expect(drain({ vms: VMS, hostMemoryBytes: 240 * MiB }).summary.vms).toBe(4); // exactly the sum fits
  });
  it('a bad trace, a bad VM field, a link option on a VM, unknown keys', () => {
    expect(errorOf(() => drain({ vms: VMS, linkTrace: [{ timeMs: 0, bytesPerSec: 1 }, { timeMs: 0, bytesPerSec: 2 }] })).field).toBe('linkTrace[1].timeMs');
    expect(errorOf(() => drain({ vms: [VMS[0]!, { memoryBytes: -1 }] })).field).toBe('vms[1].memoryBytes');
    expect(errorOf(() => drain({ vms: [{ bandwidthBytesPerSec: 1e9 } as never] })).field).toBe('vms[0].bandwidthBytesPerSec');
    expect(errorOf(() => drain({ vms: VMS, base: { linkTrace: 'x.csv' } as never })).field).toBe('base.linkTrace');
    expect(errorOf(() => drain({ vms: VMS, concurency: 2 } as never)).message).toMatch(/did you mean concurrency/);
    expect(errorOf(() => drain({ vms: [] })).field).toBe('vms');
    expect(errorOf(() => drain({ vms: VMS, base: { count: 2 } })).field).toBe('base.count');
    expect(errorOf(() => drain({ vms: [{ count: 0 }] })).field).toBe('vms[0].count');
    expect(errorOf(() => drain({ vms: VMS, order: 'random' as never })).field).toBe('order');
    expect(errorOf(() => drain({ vms: [{ workload: { kind: 'trace', file: 'traces/redis-set.lmtrace' }, memoryBytes: 256 * MiB }], order: 'least-dirty-first' })).field).toBe('order');
    expect(errorOf(() => drain({ vms: [{ memoryBytes: 2 ** 50 }] })).field).toBe('vms[0].memoryBytes');
  });
  it('a VM policy in the text form sets algorithm, controller and brace options', () => {
    const r = drain({ vms: [{ memoryBytes: 16 * MiB, policy: 'qemu{downtime-limit=50ms}+auto-converge' }, { memoryBytes: 16 * MiB, policy: 'xen' }] });
    expect(r.reports[0]!.scenario.downtimeLimitMs).toBe(50);
    expect(r.reports[0]!.summary.controller).toBe('auto-converge');
    expect(r.vms.map((v) => v.policy)).toEqual(['qemu{downtime-limit=50ms}+auto-converge', 'xen']);
    expect(r.reports[1]!.scenario.algorithm).toBe('xen');
    expect(errorOf(() => drain({ vms: [{ policy: 'qemu{bandwidth=1Gbit/s}' }] })).field).toBe('vms[0].policy.bandwidthBytesPerSec');
    expect(errorOf(() => drain({ vms: [{ policy: 'qemu', algorithm: 'xen' }] })).field).toBe('vms[0].algorithm');
    expect(errorOf(() => drain({ vms: [{ policy: 'qemo' }] })).field).toBe('vms[0].policy');
  });
  it('one VM at a time on steps: its report replays alone from its echo', () => {
    const r = drain({ vms: VMS.slice(0, 2), concurrency: 2, linkTrace: [{ timeMs: 0, bytesPerSec: 80e6 }, { timeMs: 700, bytesPerSec: 40e6 }] });
    for (const rep of r.reports) {
      expect(rep.scenario.linkTrace).not.toBe(null);
      expect(JSON.stringify(migrate(scenarioOptions(rep.scenario)))).toBe(JSON.stringify(rep));
    }
  });
  it('copies: count makes named copies with consecutive seeds', () => {
    const r = drain({ vms: [{ name: 'web', count: 3, memoryBytes: 16 * MiB, seed: 5 }] });
    expect(r.vms.map((v) => v.name)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(r.reports.map((x) => x.scenario.seed)).toEqual([5, 6, 7]);
  });
});
