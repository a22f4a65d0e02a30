import { describe, expect, it } from 'vitest';
import { SdpsController } from '../../src/policies/controllers/sdps.js';
import { FakeControllerContext } from '../helpers/controller-harness.js';

// The reconstruction's share (reference §5): with D the pages newly dirtied per second in a window, R its transmit
// rate and f the share the vCPUs had, D0 = D / f; SDPS leaves f' = max(minShare, targetRatio · R / D0) when
// D0 > targetRatio · R, as sleeps of maxSleepMs between runs of maxSleepMs · f' / (1 − f').

const PAGE = 4096;

function windowOf(ctx: FakeControllerContext, c: SdpsController, ms: number, sentBytes: number, dirtiedPages: number): void {
  const startMs = ctx.nowMs;
  ctx.nowMs += ms;
  c.onWindow({ startMs, endMs: ctx.nowMs, bytes: sentBytes, ringEntries: dirtiedPages }, ctx);
}

function lastCycle(ctx: FakeControllerContext): { runMs: number; sleepMs: number } | null {
  const duty = ctx.calls.filter((x) => x.kind === 'duty');
  const last = duty[duty.length - 1];
  return last?.kind === 'duty' ? last.cycle : null;
}

describe('SDPS: the share follows targetRatio · R / D0, window by window', () => {
  it('two windows with different rates give the two shares of the formula, de-normalised by the share in force', () => {
    const ctx = new FakeControllerContext({ pageSize: PAGE });
    const c = new SdpsController({ maxSleepMs: 2, targetRatio: 0.9, minShare: 0.01 });
    // Window 1 (100 ms, full speed): R = 10 MB/s; D = 1000 pages / 0.1 s = 40.96 MB/s, so f = 0.9 · 10 / 40.96.
    windowOf(ctx, c, 100, 1_000_000, 1000);
    const f1 = (0.9 * 10e6) / ((1000 * PAGE) / 0.1);
    expect(lastCycle(ctx)!.sleepMs).toBe(2);
    expect(lastCycle(ctx)!.runMs).toBeCloseTo((2 * f1) / (1 - f1), 12);
    // Window 2 (200 ms at share f1): R = 20 MB/s; D = 500 pages / 0.2 s, D0 = D / f1.
    windowOf(ctx, c, 200, 4_000_000, 500);
    const d0 = (500 * PAGE) / 0.2 / f1;
    const f2 = (0.9 * 20e6) / d0;
    expect(f2).not.toBeCloseTo(f1, 3);
    expect(lastCycle(ctx)!.runMs).toBeCloseTo((2 * f2) / (1 - f2), 12);
  });

  it('the share is floored at minShare and released once the full-speed rate is below the target', () => {
    const ctx = new FakeControllerContext({ pageSize: PAGE });
    const c = new SdpsController({ minShare: 0.2 });
    windowOf(ctx, c, 100, 1000, 1000); // R tiny: 0.9 R / D0 far below 0.2
    expect(lastCycle(ctx)!.runMs).toBeCloseTo((2 * 0.2) / 0.8, 12);
    windowOf(ctx, c, 100, 1e9, 1); // D0 = (1 page / 0.1 s) / 0.2 ≪ 0.9 R
    expect(lastCycle(ctx)).toBeNull();
  });
});
