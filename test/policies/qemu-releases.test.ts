/**
 * Each rule difference between neighbouring QEMU releases (src/policies/precopy/qemu-releases.ts), checked as in
 * ../shared/reference/qemu-versions-and-wire.md §A.6: each test runs two neighbouring releases and fails if the
 * rule that tells them apart stops doing so.
 */
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import type { ControllerContext } from '../../src/model/controller.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { ThrottleTrigger } from '../../src/policies/controllers/throttle-trigger.js';
import {
  DEFAULT_QEMU_VERSION, QEMU_RELEASES, QEMU_VERSIONS, qemuRelease, releaseCanComplete, releaseShouldSync, releaseThreshold,
} from '../../src/policies/precopy/qemu-releases.js';
import { OPTION_TABLE } from '../../src/model/option-table.js';

const MiB = 2 ** 20;
const syncTimes = (o: MigrationOptions) => migrate(o).rounds.map((r) => r.startMs);

describe('the release table', () => {
  it('offers 6.2 to 10.1 and defaults to the newest', () => {
    expect(QEMU_VERSIONS[0]).toBe('6.2');
    expect(DEFAULT_QEMU_VERSION).toBe(QEMU_VERSIONS[QEMU_VERSIONS.length - 1]);
    expect(OPTION_TABLE.qemuVersion.default).toBe('10.1');
  });

  it('refuses an unknown release, listing the supported ones', () => {
    const err = (() => { try { migrate({ qemuVersion: '7.1' as never }); } catch (e) { return e; } })() as InvalidOptionError;
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(err.field).toBe('qemuVersion');
    expect(err.message).toContain('6.2, 7.2, 8.0, 8.1, 8.2, 9.0, 9.1, 9.2, 10.0, 10.1');
  });

  it('releases that share pre-copy rules share a row (6.2 = 7.2, 9.0 = 9.1, 9.2 = 10.0) and give the same report', () => {
    const rules = (v: keyof typeof QEMU_RELEASES) => { const { commit: _, ...r } = qemuRelease(v); return r; };
    // They differ only in postcopy: 7.2 has postcopy-preempt (qapi: since 7.1), 10.0 switches over unlimited (40004007e6).
    expect(rules('6.2')).toEqual({ ...rules('7.2'), postcopyPreempt: false });
    expect(rules('9.0')).toEqual(rules('9.1'));
    expect(rules('9.2')).toEqual({ ...rules('10.0'), postcopySwitchoverUnlimited: false });
    const o: MigrationOptions = { memoryBytes: 32 * MiB, workload: { kind: 'uniform', writesPerSec: 3000 }, controller: 'auto-converge', maxTimeMs: 20_000 };
    const strip = (v: '9.2' | '10.0') => { const r = migrate({ ...o, qemuVersion: v }); return { rounds: r.rounds, summary: r.summary }; };
    expect(strip('9.2')).toEqual(strip('10.0'));
  });
});

// §A.6.2: avail-switchover-bandwidth = 4 096 000 B/s and 300 ms give T = 1 228 800 B = exactly 300 pages.
describe('completion test: 10.0 `P < T` vs 10.1 `P <= T` (§A.6.2)', () => {
  const o: MigrationOptions = { memoryBytes: 300 * 4096, workload: { kind: 'idle' }, availSwitchoverBandwidthBytesPerSec: 4_096_000, downtimeLimitMs: 300 };

  it('T is 300 pages', () => {
    expect(releaseThreshold(123.4, 300, 4_096_000)).toBe(300 * 4096);
    expect(releaseCanComplete(qemuRelease('10.1'), 300 * 4096, 300 * 4096, true)).toBe(true);
    expect(releaseCanComplete(qemuRelease('10.0'), 300 * 4096, 300 * 4096, true)).toBe(false);
  });

  it('with 300 pages pending after the setup sync, 10.1 completes at once and 10.0 iterates again', () => {
    const r101 = migrate({ ...o, qemuVersion: '10.1' });
    const r100 = migrate({ ...o, qemuVersion: '10.0' });
    expect(r101.status).toBe('completed');
    expect(r101.rounds.map((r) => r.phase)).toEqual(['live', 'stop-and-copy']);
    expect(r101.rounds[0]!.normalPages + r101.rounds[0]!.zeroPages).toBe(0);
    expect(r100.status).toBe('completed');
    expect(r100.rounds.length).toBe(3);
    expect(r100.rounds[0]!.normalPages + r100.rounds[0]!.zeroPages).toBeGreaterThan(0);
  });
});

describe('avail-switchover-bandwidth: 8.1 has none, 8.2 has it', () => {
  const o: MigrationOptions = { memoryBytes: 300 * 4096, workload: { kind: 'idle' }, availSwitchoverBandwidthBytesPerSec: 4_096_000 };
  it('8.1 refuses it, naming the option and the release that has it', () => {
    expect(() => migrate({ ...o, qemuVersion: '8.1' })).toThrow(/availSwitchoverBandwidthBytesPerSec.*from QEMU 8\.2/);
  });
  it('8.2 uses it for the threshold (and still compares with `<`, like 10.0)', () => {
    const r = migrate({ ...o, qemuVersion: '8.2' });
    expect(r.rounds.length).toBe(3);
    // A 1 GB/s figure makes T cover all of RAM at once: no page goes before the switch-over.
    const big = migrate({ ...o, qemuVersion: '8.2', memoryBytes: 4096 * 4096, availSwitchoverBandwidthBytesPerSec: 1e9 });
    expect(big.rounds[0]!.normalPages + big.rounds[0]!.zeroPages).toBe(0);
  });
});

describe('switchover-ack: 8.0 has none, 8.1 waits for the destination', () => {
  // While it waits with nothing left to send, QEMU syncs every iteration: 1 ms per sync here keeps that loop short.
  const o: MigrationOptions = { memoryBytes: 4 * MiB, workload: { kind: 'idle' }, syncCostPerGiBMs: 256 };
  it('8.0 refuses the capability', () => {
    expect(() => migrate({ ...o, qemuVersion: '8.0', switchoverAck: true })).toThrow(/switchoverAck.*from QEMU 8\.1/);
  });
  it('8.1 does not switch over before the ACK arrives, and iterates (and syncs) while it waits', () => {
    const without = migrate({ ...o, qemuVersion: '8.1' });
    const withAck = migrate({ ...o, qemuVersion: '8.1', switchoverAck: true, switchoverAckDelayMs: 2000 });
    expect(without.summary.totalTimeMs).toBeLessThan(1000);
    const stop = withAck.rounds[withAck.rounds.length - 1]!;
    expect(stop.startMs).toBeGreaterThanOrEqual(2000);
    expect(withAck.rounds.length).toBeGreaterThan(without.rounds.length);
  });
});

// §A.6.3: auto-converge on 9.2+: the first forced sync 5–10 s after the second natural sync, one every 5 s then.
describe('5 s dirty-sync timer with auto-converge: 9.1 has none, 9.2 has it (§A.6.3)', () => {
  // 16 MiB at 1 MiB/s: every pass takes several seconds; the guest re-dirties all of it meanwhile.
  const o: MigrationOptions = {
    memoryBytes: 16 * MiB, maxBandwidthBytesPerSec: MiB, workload: { kind: 'uniform', writesPerSec: 3000 }, controller: 'auto-converge', maxTimeMs: 40_000,
  };
  it('9.2 syncs 5-10 s after the second sync and then every 5 s; 9.1 only when a pass ends', () => {
    const t92 = syncTimes({ ...o, qemuVersion: '9.2' });
    const t91 = syncTimes({ ...o, qemuVersion: '9.1' });
    expect(t91[1]).toBe(t92[1]);
    const forced = t92[2]! - t92[1]!;
    expect(forced).toBeGreaterThanOrEqual(5000);
    expect(forced).toBeLessThanOrEqual(10_000);
    expect(t92[3]! - t92[2]!).toBeCloseTo(5000, -2);
    expect(t91[2]! - t91[1]!).toBeGreaterThan(10_000);
    expect(t92.length).toBeGreaterThan(t91.length);
  });
  it('the timer belongs to auto-converge: without it 9.2 syncs as 9.1', () => {
    const no = { ...o, controller: 'none' as const };
    expect(syncTimes({ ...no, qemuVersion: '9.2' })).toEqual(syncTimes({ ...no, qemuVersion: '9.1' }));
  });
});

/** A stand-in for the engine, as the trigger sees it. */
function fakeCtx(version: string, clockGranularityMs = 0): ControllerContext & { nowMs: number; transferredBytes: number; sendBursts: number } {
  const scenario = { ...migrate({ memoryBytes: 1 * MiB, workload: { kind: 'idle' } }).scenario, qemuVersion: version as never, clockGranularityMs };
  return { nowMs: 0, algorithm: 'qemu', pageSize: 4096, pages: 256, downtimeLimitMs: 300, linkBytesPerSec: 1e9, transferredBytes: 0, remainingPages: 0, bandwidthBytesPerSec: 0, vcpus: [], scenario, sendBursts: 0 } as never;
}
const sync = (newPages: number) => ({ syncCount: 2, ended: null, newPages, remainingPages: 0 });

describe("auto-converge's byte counter: 8.1 counts RAM bytes, 8.2 every byte", () => {
  // Per period: 8194 B sent in one burst (10 B of it section header and footer), 1 page (4096 B) dirtied.
  // 8.1: threshold = 50 % of 8184 = 4092 < 4096, the period qualifies; 8.2: 50 % of 8194 = 4097, it does not.
  function fires(version: string): boolean {
    const ctx = fakeCtx(version);
    const t = new ThrottleTrigger(50);
    t.onSync(sync(0), ctx);
    let fired = false;
    for (let i = 1; i <= 2; i++) {
      ctx.nowMs = 1001 * i;
      ctx.transferredBytes = 8194 * i;
      ctx.sendBursts = i;
      fired = t.onSync(sync(1), ctx) !== null;
    }
    return fired;
  }
  it('tells the two apart', () => {
    expect(qemuRelease('8.1').throttleXferCounter).toBe('ram');
    expect(qemuRelease('8.2').throttleXferCounter).toBe('all');
    expect(fires('8.1')).toBe(true);
    expect(fires('8.2')).toBe(false);
  });
});

describe("the period test reads QEMU's millisecond clock", () => {
  // Syncs at 1000.6 and 2001.2 ms, each period dirtying far more than it sent: an exact clock ends two periods
  // (the second fires), the millisecond clock reads 1000 at the first (not > 1000) and ends only one.
  function fires(granularity: number): boolean {
    const ctx = fakeCtx('10.1', granularity);
    const t = new ThrottleTrigger(50);
    t.onSync(sync(0), ctx);
    let fired = false;
    for (const at of [1000.6, 2001.2]) {
      ctx.nowMs = at;
      ctx.transferredBytes += 4096;
      fired = t.onSync(sync(100), ctx) !== null;
    }
    return fired;
  }
  it('fires on the exact clock only', () => {
    expect(fires(0)).toBe(true);
    expect(fires(1)).toBe(false);
  });
});

describe('sync trigger and dirty-limit by release (rules that coincide for RAM-only pre-copy)', () => {
  const T = 1000;
  it('7.2 syncs on R < T alone, 8.0 also needs M <= T', () => {
    const p = { ramBytes: 500, totalBytes: 2000, mustPrecopyBytes: 2000 };
    expect(releaseShouldSync(qemuRelease('7.2'), p, T)).toBe(true);
    expect(releaseShouldSync(qemuRelease('8.0'), p, T)).toBe(false);
  });
  it('8.2 syncs on M <= T and R < T, 9.0 on P < T', () => {
    const p = { ramBytes: 500, totalBytes: 1000, mustPrecopyBytes: 1000 };
    expect(releaseShouldSync(qemuRelease('8.2'), p, T)).toBe(true);
    expect(releaseShouldSync(qemuRelease('9.0'), p, T)).toBe(false);
  });
  it('without other pending state every trigger is R < T', () => {
    for (const v of QEMU_VERSIONS) {
      expect(releaseShouldSync(qemuRelease(v), { ramBytes: 999, totalBytes: 999, mustPrecopyBytes: 999 }, T)).toBe(true);
      expect(releaseShouldSync(qemuRelease(v), { ramBytes: 1000, totalBytes: 1000, mustPrecopyBytes: 1000 }, T)).toBe(false);
    }
  });
  it('dirty-limit: 8.0 refuses it, 8.1 runs it', () => {
    const o: MigrationOptions = { memoryBytes: 8 * MiB, workload: { kind: 'uniform', writesPerSec: 2000 }, controller: 'dirty-limit', maxTimeMs: 5000 };
    expect(() => migrate({ ...o, qemuVersion: '8.0' })).toThrow(/dirty-limit.*from QEMU 8\.1/);
    expect(migrate({ ...o, qemuVersion: '8.1' }).status).toBeDefined();
  });
});

describe('qemuVersion in experiment files and the scenario echo', () => {
  it('is a base option of an experiment, checked against the release table', async () => {
    const { checkExperiment } = await import('../../src/experiments/load.js');
    const exp = { name: 'qv', base: { memoryBytes: 8 * MiB, qemuVersion: '7.2' }, policies: ['qemu'] };
    expect(() => checkExperiment(exp, 'x.json')).not.toThrow();
    expect(() => checkExperiment({ ...exp, base: { ...exp.base, qemuVersion: '7.1' } }, 'x.json')).toThrow(/x\.json: invalid \$\.base\.qemuVersion: "7\.1"; expected one of 6\.2, 7\.2/);
  });
  it('is echoed in the report', () => {
    expect(migrate({ memoryBytes: 4 * MiB, qemuVersion: '8.2' }).scenario.qemuVersion).toBe('8.2');
    expect(migrate({ memoryBytes: 4 * MiB }).scenario.qemuVersion).toBe('10.1');
  });
});
