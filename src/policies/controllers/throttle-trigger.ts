import type { ControllerContext, SyncEvent } from '../../model/controller.js';

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
    if (Number.isNaN(this.periodStartMs)) {
      // ram_state_init: the first period starts at setup.
      this.periodStartMs = ctx.nowMs;
      this.bytesXferPrev = ctx.transferredBytes;
      return null;
    }
    this.dirtyPagesPeriod += e.newPages;
    if (!(ctx.nowMs > this.periodStartMs + SYNC_PERIOD_MIN_MS)) return null;
    const fire = this.check(this.dirtyPagesPeriod * ctx.pageSize, ctx.transferredBytes - this.bytesXferPrev);
    this.periodStartMs = ctx.nowMs;
    this.dirtyPagesPeriod = 0;
    this.bytesXferPrev = ctx.transferredBytes;
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
