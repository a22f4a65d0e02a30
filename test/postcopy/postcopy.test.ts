import { describe, expect, it } from 'vitest';
import { migrate, runMigration } from '../../src/api/migrate.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import type { Controller } from '../../src/model/controller.js';
import type { MigrationOptions } from '../../src/model/options.js';
import type { CompletedReport, MigrationReport, RoundRecord } from '../../src/model/report.js';
import { DISCARD_COMMAND_BYTES, accessesIn, discardBytes } from '../../src/engine/postcopy.js';
import { postcopyDestinationViolations } from '../helpers/consistency.js';
import { PRECOPY_ALGORITHMS } from '../../src/policies/precopy/index.js';
import { GiB, MiB, type StoreKind, bit, makeStore, resolveTest, storeMismatches, type TestOptions } from '../helpers/stores.js';

/** Runs on a store the test keeps; records the to-send bitmap and the largest stamp (send or write) when the last live round ends. */
function traced(options: TestOptions, kind: StoreKind = 'wasm') {
  const resolved = resolveTest({ ...options, trace: true });
  const store = makeStore(kind, resolved.scenario.pages, true);
  let atSwitch: { toSend: Uint32Array; stamp: number } | null = null;
  resolved.hooks = {
    onRound(r: RoundRecord) {
      if (r.phase !== 'live') return;
      let stamp = 0;
      for (const s of store.lastSend!) if (s > stamp) stamp = s;
      for (const w of store.lastWrite!) if (w > stamp) stamp = w;
      atSwitch = { toSend: store.toSend.slice(), stamp };
    },
  };
  const report = runMigration(resolved, store);
  return { report, store, atSwitch: atSwitch! };
}

const hotCold = { kind: 'hot-cold', writesPerSec: 25_000 } as const;
/** A link slow enough that these small guests never converge by themselves. */
const slow = { bandwidthBytesPerSec: 20e6, maxBandwidthBytesPerSec: 20e6 } as const;
/** A 32 MiB guest whose 16 MiB hot set never fits the 20 MB/s link's threshold: pre-copy alone does not converge. */
const heavy: MigrationOptions = { memoryBytes: 32 * MiB, workload: { kind: 'hot-cold', writesPerSec: 60_000, hotFraction: 0.5 }, ...slow, maxTimeMs: 60_000 };
const completedPostcopy = (r: MigrationReport): CompletedReport & { summary: { postcopy: NonNullable<CompletedReport['summary']['postcopy']> } } => {
  expect(r.status).toBe('completed');
  expect(r.summary.postcopy).toBeDefined();
  return r as never;
};

describe('postcopy: every page received exactly once after the switch, and the destination consistent', () => {
  const cases: [string, TestOptions][] = [
    ['after 3 syncs, hot-cold', { memoryBytes: 16 * MiB, workload: hotCold, postcopyAfterSyncs: 3, ...slow }],
    ['preempt, uniform, two vCPUs', { memoryBytes: 16 * MiB, vcpus: 2, workload: { kind: 'uniform', writesPerSec: 20_000 }, postcopyAfterSyncs: 2, postcopyPreempt: true, ...slow }],
    ['at once (pure postcopy), sequential', { memoryBytes: 8 * MiB, workload: { kind: 'sequential', writesPerSec: 5_000 }, postcopyAfterMs: 0 }],
    ['mid-pass at 40 ms, hot-cold, qemu 7.2', { memoryBytes: 32 * MiB, workload: hotCold, postcopyAfterMs: 40, qemuVersion: '7.2', postcopyReadsPerWrite: 3 }],
    ['stall, hot-cold over a slow link', { ...heavy, postcopyStallSyncs: 2 }],
  ];
  for (const [name, options] of cases) {
    it(name, () => {
      const { report, store, atSwitch } = traced(options);
      const pc = completedPostcopy(report).summary.postcopy;
      // The pages sent after the switch are exactly those the discard bitmap marked, each once.
      const after: number[] = [];
      const marked: number[] = [];
      for (let p = 0; p < store.pages; p++) {
        if (store.lastSend![p]! > atSwitch.stamp) after.push(p);
        if (bit(atSwitch.toSend, p)) marked.push(p);
      }
      expect(after).toStrictEqual(marked);
      expect(pc.pagesAtSwitch).toBe(marked.length);
      // The discard bitmap's ranges are the runs of marked pages.
      expect(pc.discardRanges).toBe(marked.filter((p, i) => i === 0 || marked[i - 1] !== p - 1).length);
      const sends = pc.pushedNormalPages + pc.pushedZeroPages + pc.faultedNormalPages + pc.faultedZeroPages;
      expect(sends).toBe(after.length); // a page sent twice would count twice here but once in `after`
      expect(store.countBits('toSend')).toBe(0);
      // Populated pages among them go as normal pages, the others as zero pages.
      const populated = marked.filter((p) => bit(store.populated, p)).length;
      expect(pc.pushedNormalPages + pc.faultedNormalPages).toBe(populated);
      expect(postcopyDestinationViolations(store, atSwitch.stamp, 5)).toStrictEqual([]);
      // Not vacuous: the destination guest wrote pages, and (unless it never faulted) fetched some.
      if (options.workload !== undefined) expect(store.lastWrite!.some((w) => w > atSwitch.stamp)).toBe(true);
    });
  }

  it('the checker catches a page pushed after the destination guest wrote it', () => {
    const { store, atSwitch } = traced(cases[0]![1]);
    const p = store.lastWrite!.findIndex((w) => w > atSwitch.stamp);
    expect(p).toBeGreaterThanOrEqual(0);
    store.lastSend![p] = store.lastWrite![p]! + 1;
    expect(postcopyDestinationViolations(store, atSwitch.stamp).map((v) => v.page)).toStrictEqual([p]);
  });

  it('the Wasm core and its TypeScript twin give the same run, stores included', () => {
    for (const options of [cases[0]![1], cases[1]![1], { ...cases[3]![1], memoryBytes: 64 * MiB, workload: { kind: 'uniform', writesPerSec: 400_000 } } as TestOptions]) {
      for (const trace of [false, true]) {
        const run = (kind: StoreKind) => {
          const resolved = resolveTest({ ...options, trace });
          const store = makeStore(kind, resolved.scenario.pages, trace);
          return { report: runMigration(resolved, store), store };
        };
        const a = run('wasm');
        const b = run('reference');
        expect(JSON.stringify(b.report)).toBe(JSON.stringify(a.report));
        expect(storeMismatches(a.store, b.store)).toStrictEqual([]);
      }
    }
  });
});

describe('postcopy pages: a pure postcopy sends each page once, populated pages as normal pages', () => {
  it('idle guest, postcopy at once: one discard range, every page pushed, none faulted', () => {
    const memoryBytes = 8 * MiB;
    const r = completedPostcopy(migrate({ memoryBytes, workload: { kind: 'idle' }, postcopyAfterMs: 0, populatedFraction: 0.25 }));
    const pc = r.summary.postcopy;
    const pages = memoryBytes / 4096;
    expect(pc.pagesAtSwitch).toBe(pages);
    expect(pc.pushedNormalPages).toBe(pages / 4);
    expect(pc.pushedZeroPages).toBe((pages * 3) / 4);
    expect(pc.remoteFaults).toBe(0);
    expect(pc.discardRanges).toBe(1);
    expect(pc.discardBytes).toBe(16 + DISCARD_COMMAND_BYTES);
    // nothing went before the switch: the setup sync, then the switch
    expect(r.rounds.map((x) => x.phase)).toStrictEqual(['live', 'postcopy']);
    expect(r.summary.normalPages + r.summary.zeroPages).toBe(pages);
  });

  it('the discard bitmap: 12 ranges a command of 14 bytes (1 + 2 + 2 + 1 + 1 + "pc.ram" + 1) around them', () => {
    expect(DISCARD_COMMAND_BYTES).toBe(14);
    expect(discardBytes(12)).toBe(12 * 16 + 14);
    expect(discardBytes(13)).toBe(13 * 16 + 2 * 14);
    expect(discardBytes(0)).toBe(0);
  });
});

describe('switch order: up to 10.0 the completion test runs first, 10.1 tests postcopy first (§A.2, §B.3)', () => {
  // An idle guest: after the first pass nothing is left, so the sync at the end of it (dirty-sync-count 2) both
  // requests postcopy and passes the completion test.
  // 32 MiB: the pass outlasts the first 100 ms window, so the threshold is not 0 when it ends.
  const o: MigrationOptions = { memoryBytes: 32 * MiB, workload: { kind: 'idle' }, postcopyAfterSyncs: 2 };
  it('10.0 completes as pre-copy', () => {
    const r = migrate({ ...o, qemuVersion: '10.0' });
    expect(r.status).toBe('completed');
    expect(r.summary.postcopy).toBeUndefined();
    expect(r.rounds.at(-1)!.phase).toBe('stop-and-copy');
  });
  it('10.1 switches to postcopy, which pushes what 10.0 sends in its stop-and-copy', () => {
    const pc = completedPostcopy(migrate({ ...o, qemuVersion: '10.1' })).summary.postcopy;
    const last = migrate({ ...o, qemuVersion: '10.0' }).rounds.at(-1)!;
    expect(pc.pagesAtSwitch).toBeGreaterThan(0);
    expect(pc.pagesAtSwitch).toBe(last.normalPages + last.zeroPages);
    expect(pc.remoteFaults).toBe(0);
  });
  it('where pre-copy cannot complete, both releases switch at the same moment', () => {
    const w = { ...o, workload: hotCold, memoryBytes: 16 * MiB, ...slow };
    const a = completedPostcopy(migrate({ ...w, qemuVersion: '10.0' })).summary.postcopy;
    const b = completedPostcopy(migrate({ ...w, qemuVersion: '10.1' })).summary.postcopy;
    expect(a.switchAtMs).toBe(b.switchAtMs);
  });
});

describe('remote faults: blocked time = faults × latency, and the fault count in closed form', () => {
  // Every page populated and never sent (postcopy at once), a uniform writer over all of memory with no reads: each
  // access faults with probability q(t) = pages still missing / pages, and q falls linearly over the push time P
  // (pages all cost the same; the faults take a negligible share). A vCPU that needs 1/A per access plus L per fault
  // faults at A q / (1 + A L q), so over the push: F = (P / L)(1 − ln(1 + a) / a) with a = A L.
  const memoryBytes = 4 * GiB;
  const A = 1000;
  const push = (((memoryBytes / 4096) * 4104) / 125e6) * 1000;
  for (const [mode, preempt, L] of [['vanilla', false, 10], ['preempt', true, 0.5]] as const) {
    it(`${mode}: L = ${L} ms`, () => {
      let faults = 0;
      const seeds = [1, 2, 3];
      for (const seed of seeds) {
        const r = migrate({
          memoryBytes, populatedFraction: 1, seed, workload: { kind: 'uniform', writesPerSec: A }, postcopyAfterMs: 0, postcopyPreempt: preempt,
          postcopyReadsPerWrite: 0,
        });
        const pc = completedPostcopy(r).summary.postcopy;
        expect(pc.faultLatencyMs).toBe(L);
        expect(pc.vcpuBlockedMs).toBeCloseTo(pc.remoteFaults * L, 6);
        // The risk window is the push (plus the switch's few ms): every page at link rate.
        expect(pc.riskWindowMs).toBeGreaterThan(push);
        expect(pc.riskWindowMs).toBeLessThan(push * 1.001 + pc.downtimeMs + 20);
        faults += pc.remoteFaults;
      }
      const a = A * (L / 1000);
      const expected = (push / L) * (1 - Math.log(1 + a) / a);
      expect(Math.abs(faults / seeds.length / expected - 1)).toBeLessThan(0.03);
    });
  }

  it('accessesIn solves k/A + L·E[faults(k)] = run time', () => {
    // All pages missing and many of them: E[faults(k)] ≈ k, so k = R / (1/A + L).
    const k = accessesIn(50, 1, 10, [{ held: 1e12, count: 1e12, share: 1 }]);
    expect(k).toBeCloseTo(50 / (1 + 10), 6);
    expect(accessesIn(50, 1, 0, [{ held: 10, count: 10, share: 1 }])).toBe(50);
    // Nothing missing: no blocking at all.
    expect(accessesIn(50, 2, 10, [{ held: 0, count: 100, share: 1 }])).toBeCloseTo(100, 6);
  });

  it('preempt faults more but waits less than vanilla on the same guest', () => {
    const o: MigrationOptions = { memoryBytes: 64 * MiB, workload: hotCold, postcopyAfterSyncs: 3 };
    const v = completedPostcopy(migrate(o)).summary.postcopy;
    const p = completedPostcopy(migrate({ ...o, postcopyPreempt: true })).summary.postcopy;
    expect(p.achievedWritesPerSec).toBeGreaterThan(v.achievedWritesPerSec);
    expect(v.achievedWritesPerSec).toBeLessThan(v.wantedWritesPerSec);
  });
});

describe('triggers', () => {
  it('after N syncs: the switch follows the sync that makes dirty-sync-count N (N vs N + 1)', () => {
    for (const n of [3, 4]) {
      const r = completedPostcopy(migrate({ ...heavy, postcopyAfterSyncs: n }));
      const live = r.rounds.filter((x) => x.phase === 'live');
      expect(live.length).toBe(n);
      expect(r.summary.postcopy.trigger).toBe('syncs');
    }
  });

  it('at a time: requested at the first iteration at or after it', () => {
    const r = completedPostcopy(migrate({ ...heavy, postcopyAfterMs: 1500 }));
    expect(r.summary.postcopy.requestedAtMs).toBeGreaterThanOrEqual(1500);
    expect(r.summary.postcopy.requestedAtMs).toBeLessThan(1500 + 60);
    expect(r.summary.postcopy.trigger).toBe('time');
  });

  it('on a stall: the first sync after which N syncs in a row left no less than the least before', () => {
    for (const n of [2, 3]) {
      const r = completedPostcopy(migrate({ ...heavy, postcopyStallSyncs: n }));
      const live = r.rounds.filter((x) => x.phase === 'live');
      // The definition, replayed on the rounds (each round's remainingPages is what its opening sync left).
      let best = Infinity;
      let stalled = 0;
      let at = -1;
      for (let i = 1; i < live.length && at < 0; i++) {
        const left = live[i]!.remainingPages;
        if (left < best) { best = left; stalled = 0; } else if (++stalled >= n) at = i;
      }
      expect(at).toBe(live.length - 1);
      expect(r.summary.postcopy.trigger).toBe('stall');
    }
  });

  it('a converging pre-copy never needs its fallback', () => {
    const r = migrate({ memoryBytes: 32 * MiB, workload: { kind: 'uniform', writesPerSec: 2000 }, postcopyAfterSyncs: 50 });
    expect(r.status).toBe('completed');
    expect(r.summary.postcopy).toBeUndefined();
  });

  it('hybrid: auto-converge throttles pre-copy, then postcopy takes over', () => {
    const r = completedPostcopy(migrate({ ...heavy, controller: 'auto-converge', postcopyAfterSyncs: 8 }));
    expect(r.summary.maxThrottlePct).toBeGreaterThan(0);
    expect(r.summary.postcopy.trigger).toBe('syncs');
  });
});

describe('the controller seam: startPostcopy()', () => {
  const onThirdSync = (): Controller => ({
    name: 'switcher',
    onSync(e, ctx) { if (e.syncCount === 3) ctx.startPostcopy(); },
  });
  const o = heavy;

  it('switches at the next iteration with postcopy-ram on', () => {
    const r = completedPostcopy(migrate({ ...o, postcopyRam: true, controller: onThirdSync }));
    expect(r.summary.postcopy.trigger).toBe('controller');
    expect(r.rounds.filter((x) => x.phase === 'live').length).toBe(3);
  });

  it('without the capability: an InvalidOptionError naming the controller', () => {
    const e = (() => { try { migrate({ ...o, controller: onThirdSync }); } catch (x) { return x; } })() as InvalidOptionError;
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e.field).toContain('switcher');
    expect(e.field).toContain('startPostcopy');
  });

  it('on Xen: refused, naming the controller and the algorithm', () => {
    const e = (() => { try { migrate({ ...o, algorithm: 'xen', controller: onThirdSync }); } catch (x) { return x; } })() as InvalidOptionError;
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e.message).toContain('switcher');
    expect(e.message).toContain('qemu');
  });
});

describe('refused', () => {
  for (const algorithm of ['xen', 'simgrid', 'stop-and-copy'] as const) {
    it(`${algorithm} refuses postcopy options`, () => {
      for (const [k, v] of [['postcopyRam', true], ['postcopyAfterSyncs', 5], ['postcopyAfterMs', 100], ['postcopyStallSyncs', 2]] as const) {
        const e = (() => { try { migrate({ memoryBytes: 8 * MiB, algorithm, [k]: v }); } catch (x) { return x; } })() as InvalidOptionError;
        expect(e).toBeInstanceOf(InvalidOptionError);
        expect(e.field).toBe(k);
        expect(e.message).toContain('qemu');
      }
    });
  }
  it('postcopy-preempt on QEMU 6.2 (it exists from 7.2 here) and without postcopy-ram', () => {
    expect(() => migrate({ memoryBytes: 8 * MiB, qemuVersion: '6.2', postcopyRam: true, postcopyPreempt: true })).toThrow(/postcopyPreempt.*7\.2/);
    expect(() => migrate({ memoryBytes: 8 * MiB, qemuVersion: '7.2', postcopyRam: true, postcopyPreempt: true })).not.toThrow();
    expect(() => migrate({ memoryBytes: 8 * MiB, postcopyPreempt: true })).toThrow(/postcopyPreempt/);
  });
});

describe('max-postcopy-bandwidth: the push at its rate; the switch at it up to 9.2, unlimited from 10.0 (40004007e6)', () => {
  const o: MigrationOptions = { memoryBytes: 32 * MiB, workload: { kind: 'idle' }, postcopyAfterMs: 0, maxPostcopyBandwidthBytesPerSec: 10e6, deviceStateBytes: 1_000_000 };
  const wire = PRECOPY_ALGORITHMS.qemu.wire(4096);
  const pkg = discardBytes(1) + 1_000_000 + wire.burstTrailerBytes;
  const syncMs = 0.25 / 32; // syncCostPerGiBMs × 32 MiB
  it('9.2 vs 10.0 downtime', () => {
    const a = completedPostcopy(migrate({ ...o, qemuVersion: '9.2' })).summary.postcopy;
    const b = completedPostcopy(migrate({ ...o, qemuVersion: '10.0' })).summary.postcopy;
    expect(a.downtimeMs).toBeCloseTo(syncMs + (pkg / 10e6) * 1000, 9);
    expect(b.downtimeMs).toBeCloseTo(syncMs + (pkg / 125e6) * 1000, 9);
  });
  it('the push takes its bytes / max-postcopy-bandwidth', () => {
    const r = completedPostcopy(migrate({ ...o, qemuVersion: '10.1' }));
    const pc = r.summary.postcopy;
    expect(pc.lastPageAtMs - (pc.switchAtMs + pc.downtimeMs)).toBeCloseTo((pc.postcopyBytes / 10e6) * 1000, 6);
    // and without the limit, at the link
    const u = completedPostcopy(migrate({ ...o, maxPostcopyBandwidthBytesPerSec: undefined })).summary.postcopy;
    expect(u.lastPageAtMs - (u.switchAtMs + u.downtimeMs)).toBeCloseTo((u.postcopyBytes / 125e6) * 1000, 6);
  });
});

describe('bounded on any link', () => {
  it('a link slower than one page per 50 ms step still moves a page each step (it once looped forever at 1 B/s)', () => {
    for (const workload of [{ kind: 'idle' } as const, { kind: 'uniform', writesPerSec: 1000 } as const]) {
      const r = completedPostcopy(migrate({ memoryBytes: 8 * 4096, bandwidthBytesPerSec: 1, postcopyAfterMs: 0, workload }));
      expect(r.summary.postcopy.pagesAtSwitch).toBe(8);
    }
  });
});
