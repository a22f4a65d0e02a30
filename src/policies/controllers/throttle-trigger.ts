import { clockOf } from '../../engine/clock.js';
import type { ControllerContext, SyncEvent } from '../../model/controller.js';
import { qemuRelease } from '../precopy/qemu-releases.js';
import { QEMU_SECTION_BYTES } from '../precopy/qemu-wire.js';

/** Rate statistics and throttle decisions need at least this long since the last period (ram.c). */
export const SYNC_PERIOD_MIN_MS = 1000;
/** Qualifying periods per firing: `++dirty_rate_high_cnt >= 2` (ram.c). */
export const TRIGGER_COUNT = 2;

/** What the trigger saw in the period on which it fired. */
export interface TriggerFire {
  bytesDirtyPeriod: number;
  bytesDirtyThreshold: number;
  /** Qualifying periods so far (1-based), this one included. */
  qualifyingPeriod: number;
}

/**
 * QEMU's migration_trigger_throttle with its period bookkeeping from migration_bitmap_sync (qemu/qemu
 * migration/ram.c; reference §4.3), shared by auto-converge and dirty-limit. At a sync at least 1 s after
 * the period began: the period qualifies when the bytes dirtied in it exceed `thresholdPct` % of the bytes
 * transferred in it; every 2nd qualifying period fires. The counter is reset only when it fires, so the two
 * need not be consecutive.
 */
export class ThrottleTrigger {
  private periodStartMs = Number.NaN;
  private bytesXferPrev = 0;
  private dirtyPagesPeriod = 0;
  private highCount = 0;
  private qualifying = 0;

  constructor(private readonly thresholdPct: number) {}

  /** Feeds one sync; returns the firing, or null. */
  onSync(e: SyncEvent, ctx: ControllerContext): TriggerFire | null {
    const now = clockMs(ctx);
    const xfer = periodXferBytes(ctx);
    if (Number.isNaN(this.periodStartMs)) {
      // ram_state_init: the first period starts at setup.
      this.periodStartMs = now;
      this.bytesXferPrev = xfer;
      return null;
    }
    this.dirtyPagesPeriod += e.newPages;
    if (!(now > this.periodStartMs + SYNC_PERIOD_MIN_MS)) return null;
    const fire = this.check(this.dirtyPagesPeriod * ctx.pageSize, xfer - this.bytesXferPrev);
    this.periodStartMs = now;
    this.dirtyPagesPeriod = 0;
    this.bytesXferPrev = xfer;
    return fire;
  }

  /** The test of one completed period. */
  check(bytesDirtyPeriod: number, bytesXferPeriod: number): TriggerFire | null {
    // Integer arithmetic in QEMU (uint64_t).
    const bytesDirtyThreshold = Math.floor((bytesXferPeriod * this.thresholdPct) / 100);
    if (!(bytesDirtyPeriod > bytesDirtyThreshold)) return null;
    this.qualifying++;
    if (++this.highCount < TRIGGER_COUNT) return null;
    this.highCount = 0;
    return { bytesDirtyPeriod, bytesDirtyThreshold, qualifyingPeriod: this.qualifying };
  }
}

/** The time migration_bitmap_sync reads: QEMU's millisecond clock on the qemu algorithm (src/engine/clock.ts). */
export function clockMs(ctx: ControllerContext): number {
  return ctx.scenario !== undefined && ctx.algorithm === 'qemu' ? clockOf(ctx.scenario).read(ctx.nowMs) : ctx.nowMs;
}

/**
 * The transferred-bytes counter of the period test (bytes_xfer_prev in migration_bitmap_sync): on QEMU ≤ 8.1
 * ram_counters.transferred / mig_stats.transferred, which leaves out each iteration's section header and
 * footer; from 8.2 migration_transferred_bytes, every byte (qemu-releases.ts throttleXferCounter). Elsewhere
 * every byte sent.
 */
export function periodXferBytes(ctx: ControllerContext): number {
  const s = ctx.scenario;
  if (s === undefined || ctx.algorithm !== 'qemu' || qemuRelease(s.qemuVersion).throttleXferCounter === 'all') return ctx.transferredBytes;
  return ctx.transferredBytes - (ctx.sendBursts ?? 0) * QEMU_SECTION_BYTES;
}
