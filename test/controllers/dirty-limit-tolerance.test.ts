import { describe, expect, it } from 'vitest';
import { DIRTYLIMIT_TOLERANCE_RANGE_MBPS, DirtyLimitController } from '../../src/policies/controllers/dirty-limit.js';
import { FakeControllerContext, roundRecord, syncEvent } from '../helpers/controller-harness.js';

// QEMU system/dirtylimit.c dirtylimit_adjust_throttle: a vCPU whose measured rate is within
// DIRTYLIMIT_TOLERANCE_RANGE (25 MB/s) of its quota is left alone; beyond it the sleep per ring-full moves.

const PAGES_PER_MIB = 256; // 4 KiB pages

/** A dirty-limit controller switched on by two qualifying sync periods, then one 1 s period at `mbps`. */
function periodAt(mbps: number): number {
  const ctx = new FakeControllerContext({ pageSize: 4096 });
  const c = new DirtyLimitController(); // quota 1 MB/s
  c.onSync(syncEvent(1, null, 1000), ctx);
  for (const [k, t] of [[2, 1001], [3, 2002]] as const) {
    ctx.nowMs = t;
    ctx.transferredBytes += 1000; // far less than the 4 MB dirtied: the period qualifies
    c.onSync(syncEvent(k, roundRecord({ index: k - 1, startMs: t - 1001, endMs: t }), 1000), ctx);
  }
  expect(ctx.calls.some((x) => x.kind === 'reset-rings')).toBe(true); // switched on
  const v = ctx.vcpus[0]!;
  ctx.nowMs += 1000;
  v.ringEntries += mbps * PAGES_PER_MIB;
  v.cpuObtainedMs += 1000;
  c.onWindow({ startMs: ctx.nowMs - 100, endMs: ctx.nowMs, bytes: 0, ringEntries: 0 }, ctx);
  return c.sleepUsPerFull[0]!;
}

describe('dirty-limit tolerance: 25 MB/s around the quota', () => {
  it('is QEMU\'s DIRTYLIMIT_TOLERANCE_RANGE', () => {
    expect(DIRTYLIMIT_TOLERANCE_RANGE_MBPS).toBe(25);
  });

  it.each([
    [1 + 20, false], // 20 MB/s over the quota: within 25, nothing changes (a 5 MB/s tolerance would throttle)
    [1 + 25, false], // exactly at the tolerance: still within (QEMU tests > DIRTYLIMIT_TOLERANCE_RANGE)
    [1 + 26, true], // beyond it: the sleep per ring-full grows
    [1 + 40, true],
  ])('a vCPU dirtying %i MB/s against a 1 MB/s quota is throttled: %s', (mbps, throttled) => {
    expect(periodAt(mbps) > 0).toBe(throttled);
  });
});
