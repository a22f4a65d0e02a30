import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { AutoConvergeController, type AutoConvergeParams } from '../../src/policies/controllers/auto-converge.js';
import { FakeControllerContext, spy, syncEvent } from '../helpers/controller-harness.js';

// Validation target 3 (reference §4.3, QEMU migration/ram.c migration_bitmap_sync / migration_trigger_throttle /
// mig_throttle_guest_down, defaults from migration/options.c): a sync period counts only once it is > 1 s old;
// it qualifies when the bytes dirtied in it exceed 50 % of the bytes transferred in it; every 2nd qualifying
// period fires (the counter is reset only when it fires); the throttle goes to 20 %, then +10 % per firing, up
// to 99 %.

const PAGE = 4096;
/** Bytes transferred per synthetic period and pages dirtied in it: dirty = 2 × threshold when qualifying. */
const XFER = 10_000 * PAGE;
const DIRTY_QUALIFYING = 10_000; // 10 000 pages × 4 KiB = 100 % of XFER > 50 %
const DIRTY_QUIET = 1_000; // 10 % of XFER: does not qualify

/** The throttle schedule with QEMU's defaults, by firing k = 1, 2, …: min(20 + 10(k − 1), 99). */
function scheduledPct(k: number): number {
  return Math.min(20 + 10 * (k - 1), 99);
}

/** Feeds an auto-converge controller: the setup sync at t = 0, then one sync per listed period. */
class Driver {
  readonly ctx = new FakeControllerContext({ pageSize: PAGE });
  readonly ac: AutoConvergeController;
  private syncs = 0;
  constructor(params: AutoConvergeParams = {}) {
    this.ac = new AutoConvergeController(params);
    this.sync(0, 0, 0); // the setup sync starts the first period
  }
  /** A sync `afterMs` after the previous one, having sent `xferBytes` and dirtied `newPages` since. */
  sync(afterMs: number, xferBytes: number, newPages: number): void {
    this.ctx.nowMs += afterMs;
    this.ctx.transferredBytes += xferBytes;
    this.ac.onSync(syncEvent(++this.syncs, null, newPages), this.ctx);
  }
  period(qualifying: boolean, lengthMs = 1500): void {
    this.sync(lengthMs, XFER, qualifying ? DIRTY_QUALIFYING : DIRTY_QUIET);
  }
}

describe('auto-converge schedule on synthetic syncs (target 3)', () => {
  it('fires on qualifying periods 2, 4, 6, …; 20 → 30 → … → 90 → 99 in 9 settings; 99 on period 18', () => {
    const d = new Driver();
    const firedOn: number[] = [];
    for (let q = 1; q <= 24; q++) {
      const before = d.ctx.throttles.length;
      d.period(true, 1001); // just over QEMU's 1 s gate
      if (d.ctx.throttles.length > before) firedOn.push(q);
    }
    expect(firedOn).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
    const pcts = d.ctx.throttles;
    expect(pcts.slice(0, 9)).toEqual([20, 30, 40, 50, 60, 70, 80, 90, 99]);
    expect(pcts.slice(0, 9)).toEqual(Array.from({ length: 9 }, (_, i) => scheduledPct(i + 1)));
    expect(pcts.indexOf(99)).toBe(8); // the 9th setting
    expect(pcts.slice(9)).toEqual([99, 99, 99]); // max-cpu-throttle holds
    // the controller's own trace agrees
    expect(d.ac.steps.map((s) => s.qualifyingPeriod)).toEqual(firedOn);
    expect(d.ac.steps.map((s) => s.pct)).toEqual(pcts);
    // 99 % comes on qualifying period 18: 18 periods of > 1 s after the first one began, so ≥ 18 s later
    const at99 = d.ac.steps[8]!;
    expect(at99.qualifyingPeriod).toBe(18);
    expect(at99.pct).toBe(99);
    expect(at99.atMs).toBeGreaterThanOrEqual(18_000);
  });

  it('a non-qualifying period does not reset the count: qualifying, non-qualifying, qualifying fires', () => {
    const d = new Driver();
    d.period(true);
    expect(d.ctx.throttles).toEqual([]);
    d.period(false);
    expect(d.ctx.throttles).toEqual([]);
    d.period(true);
    expect(d.ctx.throttles).toEqual([20]);
    expect(d.ac.steps[0]!.qualifyingPeriod).toBe(2);
    // and again with several quiet periods between the two qualifying ones
    d.period(true);
    d.period(false);
    d.period(false);
    d.period(false);
    expect(d.ctx.throttles).toEqual([20]);
    d.period(true);
    expect(d.ctx.throttles).toEqual([20, 30]);
  });

  it('two quiet periods never fire, however many', () => {
    const d = new Driver();
    for (let i = 0; i < 10; i++) d.period(false);
    expect(d.ctx.calls).toEqual([]);
  });

  it('syncs less than 1 s after the period began do not count, but what they saw belongs to the period', () => {
    const d = new Driver();
    // period 1 = [0, 1200]: the syncs at 400 and 800 ms are inside it. All of its dirtying is reported by them,
    // none by the sync that closes it: it qualifies only if their pages are kept.
    d.sync(400, XFER / 3, DIRTY_QUALIFYING / 2);
    d.sync(400, XFER / 3, DIRTY_QUALIFYING / 2);
    expect(d.ctx.throttles).toEqual([]); // if either short sync were a period, the 2nd would have fired here
    d.sync(400, XFER / 3, 0); // t = 1200: period 1 closes, qualifying (1st)
    expect(d.ctx.throttles).toEqual([]);
    d.sync(500, XFER / 2, DIRTY_QUALIFYING); // t = 1700: only 500 ms into period 2: not counted
    expect(d.ctx.throttles).toEqual([]);
    d.sync(600, XFER / 2, 0); // t = 2300: period 2 closes, qualifying (2nd): fires
    expect(d.ctx.throttles).toEqual([20]);
    expect(d.ctx.calls[0]!.atMs).toBe(2300);
  });

  it('the bytes transferred are counted over the whole period too (short syncs do not restart it)', () => {
    const d = new Driver();
    // Each period: syncs at +400 and +800 ms (too early to count), then one at +1200 ms that closes it; XFER is
    // sent between each pair, and 6 000 pages are dirtied only in the last part. Over the whole period the
    // threshold is 50 % of 3 × XFER = 15 000 pages' worth: not qualifying. Had a short sync restarted the
    // transfer count, the threshold would be 50 % of one XFER = 5 000 pages' worth, and two such periods fire.
    for (let period = 0; period < 2; period++) {
      d.sync(400, XFER, 0);
      d.sync(400, XFER, 0);
      d.sync(400, XFER, 6_000);
    }
    expect(d.ctx.throttles).toEqual([]);
  });

  it('tailslow, D = 2 × threshold, throttle 20: cpu_now 80, cpu_ideal 40, increment min(40, 10) = 10', () => {
    const d = new Driver({ tailslow: true });
    d.period(true);
    d.period(true);
    expect(d.ctx.throttles).toEqual([20]);
    d.period(true);
    d.period(true); // dirty = 100 % of XFER = 2 × the 50 % threshold
    expect(d.ctx.throttles).toEqual([20, 30]);
  });

  it('tailslow gives less than the increment when the dirty rate is just above the threshold', () => {
    const d = new Driver({ tailslow: true });
    d.period(true);
    d.period(true);
    d.period(true);
    // dirty = 1.05 × threshold (5 250 pages vs 50 % of 10 000 pages' worth). QEMU's cpu_now, cpu_ideal and
    // throttle_inc are uint64_t: cpu_ideal = (uint64_t)(80 × 5000 / 5250) = (uint64_t)76.19 = 76, so
    // throttle_inc = MIN(80 − 76, 10) = 4, and the throttle goes 20 → 24, not 30.
    d.sync(1500, XFER, 5_250);
    const cpuNow = 80;
    const cpuIdeal = Math.trunc((cpuNow * (0.5 * XFER)) / (5_250 * PAGE));
    expect(cpuIdeal).toBe(76);
    expect(d.ctx.throttles).toEqual([20, 20 + Math.min(cpuNow - cpuIdeal, 10)]);
    expect(d.ctx.throttles[1]).toBe(24);
    // without tailslow the same periods step by the full increment
    const plain = new Driver();
    plain.period(true);
    plain.period(true);
    plain.period(true);
    plain.sync(1500, XFER, 5_250);
    expect(plain.ctx.throttles).toEqual([20, 30]);
  });

  it('custom initial / increment / max are honoured and max caps the last step', () => {
    const d = new Driver({ initialPct: 35, incrementPct: 25, maxPct: 80 });
    for (let q = 0; q < 8; q++) d.period(true);
    expect(d.ctx.throttles).toEqual([35, 60, 80, 80]);
  });

  it('a custom trigger threshold moves the qualifying line', () => {
    // dirty = 100 % of the bytes sent: qualifies at 50 % and 99 %, not at 100 % (strictly greater is needed)
    for (const [threshold, fires] of [[50, true], [99, true], [100, false]] as const) {
      const d = new Driver({ triggerThresholdPct: threshold });
      d.period(true);
      d.period(true);
      expect(d.ctx.throttles.length > 0).toBe(fires);
    }
  });
});

/** The HEADLINE preset scaled down 8× (256 MiB guest, hot-cold writer ≈ 2 × the link): quick to run. */
const SMALL_HEADLINE: MigrationOptions = {
  memoryBytes: 256 * 1024 ** 2,
  populatedFraction: 0.5,
  workload: { kind: 'hot-cold', writesPerSec: 7_500, hotFraction: 0.25, hotProbability: 0.9 },
  bandwidthBytesPerSec: 125_000_000 / 8,
  maxTimeMs: 300_000,
  seed: 1,
};

describe('qemu+auto-converge on a small HEADLINE-like guest', () => {
  it('needs auto-converge: plain qemu does not converge in 300 s', () => {
    const r = migrate({ ...SMALL_HEADLINE, algorithm: 'qemu' });
    expect(r.status).toBe('cancelled');
  });

  it('follows the schedule, completes, and ends with the throttle lifted', () => {
    const s = spy(new AutoConvergeController());
    const r = migrate({ ...SMALL_HEADLINE, algorithm: 'qemu', controller: s.controller });
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    expect(r.summary.controller).toBe('auto-converge');

    const steps = s.inner.steps;
    expect(steps.length).toBeGreaterThanOrEqual(2);
    steps.forEach((step, k) => {
      expect(step.pct).toBe(scheduledPct(k + 1));
      expect(step.qualifyingPeriod).toBe(2 * (k + 1));
    });
    // a step is a throttle decision: ≥ 2 periods of > 1 s each lie between two of them
    for (let k = 1; k < steps.length; k++) expect(steps[k]!.atMs - steps[k - 1]!.atMs).toBeGreaterThan(2000);

    const last = steps[steps.length - 1]!;
    expect(r.summary.guest.maxThrottlePct).toBeCloseTo(last.pct, 9);
    expect(r.summary.maxThrottlePct).toBeCloseTo(last.pct, 9);

    // the stop-and-copy round runs with the throttle lifted; the last live round ran at the last step's pct
    const sc = r.rounds[r.rounds.length - 1]!;
    expect(sc.phase).toBe('stop-and-copy');
    expect(sc.throttlePct).toBe(0);
    const lastLive = r.rounds[r.rounds.length - 2]!;
    expect(lastLive.phase).toBe('live');
    expect(lastLive.throttlePct).toBeCloseTo(last.pct, 9);
    // no window closed after the pause shows a throttle
    const pauseAt = r.summary.totalTimeMs - r.summary.downtimeMs;
    for (const w of r.timeline.filter((x) => x.tMs > pauseAt)) expect(w.throttlePct).toBe(0);
    // and the vCPUs run unthrottled after completion
    expect(s.ctx().vcpus.length).toBe(1);
    for (const v of s.ctx().vcpus) {
      expect(v.dutyCycle).toBeNull();
      expect(v.throttlePct).toBe(0);
    }
    // the throttle cost the guest CPU beyond the pause
    expect(r.summary.guestCpuLostPct).toBeGreaterThan((100 * r.summary.downtimeMs) / r.summary.totalTimeMs);
  });

  it('gives the same report whether named or passed as an object', () => {
    const byName = migrate({ ...SMALL_HEADLINE, algorithm: 'qemu', controller: 'auto-converge' });
    const byObject = migrate({ ...SMALL_HEADLINE, algorithm: 'qemu', controller: new AutoConvergeController() });
    expect(byObject.summary).toEqual(byName.summary);
    expect(byObject.rounds).toEqual(byName.rounds);
  });

  it('a cancelled run lifts the throttle too', () => {
    const s = spy(new AutoConvergeController());
    const r = migrate({ ...SMALL_HEADLINE, algorithm: 'qemu', controller: s.controller, maxTimeMs: 20_000 });
    expect(r.status).toBe('cancelled');
    expect(s.inner.steps.length).toBeGreaterThan(0); // it was throttling when cancelled
    for (const v of s.ctx().vcpus) {
      expect(v.dutyCycle).toBeNull();
      expect(v.throttlePct).toBe(0);
    }
  });
});
