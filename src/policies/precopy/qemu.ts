import { WINDOW_MS } from '../../engine/link.js';
import type { PrecopyContext } from '../../engine/precopy-context.js';
import { type PrecopyAlgorithm, type PrecopyOutcome, checkCaps } from './algorithm.js';
import { qemuCpuThrottle, qemuWire } from './qemu-wire.js';

/** QEMU ≥ 9.2 syncs the dirty bitmap this often while auto-converge is on, if nothing else did (cpu-throttle.c). */
export const QEMU_DIRTY_SYNC_TIMER_MS = 5000;

/**
 * QEMU 10.1's completion test (migration_iteration_run): switch over when what remains is at most the threshold
 * (`pending_size <= s->threshold_size` since 10.1; releases before compared with `<`).
 */
export function qemuCanSwitchOver(pendingBytes: number, thresholdBytes: number): boolean {
  return pendingBytes <= thresholdBytes;
}

/** QEMU's sync trigger (ram_state_pending_exact is asked only when the estimate falls below the threshold, 9.0+). */
export function qemuShouldSync(pendingBytes: number, thresholdBytes: number): boolean {
  return pendingBytes < thresholdBytes;
}

/**
 * QEMU pre-copy as of QEMU 10.1: qemu/qemu migration/migration.c (migration_iteration_run,
 * migration_update_counters, migration_rate_limit, migration_completion), migration/ram.c (ram_save_iterate,
 * migration_bitmap_sync, ram_save_complete), migration/migration-stats.c and migration/cpu-throttle.c.
 * Reference: migration-algorithms.md §4.1–§4.2 (whose ≤ / < rules are those of QEMU 8.2 and 9.0–10.0).
 *
 * - Bandwidth is measured per ≥ 100 ms window; threshold = bandwidth × downtime-limit (0 until the first
 *   window closes).
 * - Each iteration first checks what is still unsent: below the threshold, the dirty log is synced
 *   (pending_exact; since QEMU 9.0 `pending < threshold`); unsent pages carry over, so near the end a sync
 *   comes every iteration (every burst of at most 50 ms).
 * - Switch-over when what remains is at most the threshold (`<=` since QEMU 10.1); completion stops the guest
 *   and syncs once more, so dirty-sync-count counts both syncs, as QEMU's does.
 * - max-bandwidth rate-limits pre-copy: a window's budget is max-bandwidth / 10; once more than that has been
 *   sent (the page that crosses it is still sent) the thread waits for the window to end. Stop-and-copy runs
 *   at link capacity (the rate limit is lifted at completion).
 * - With auto-converge (the auto-converge controller), QEMU ≥ 9.2 also syncs every 5 s if no sync happened
 *   since the last tick and at least two syncs have been done (cpu_throttle_dirty_sync_timer_tick).
 * - A controller's CPU share is imposed with cpu-throttle (qemu-wire.ts).
 * - QEMU never gives up by itself; the run's max time and max data caps cancel it.
 * Not modelled: MAX_WAIT checked only every 64 pages on a whole-millisecond clock (bursts here end at exactly
 * 50 ms), postcopy, multifd, XBZRLE, compression, avail-switchover-bandwidth.
 */
export const qemu: PrecopyAlgorithm = {
  name: 'qemu',
  wire: qemuWire,
  cpuShare: qemuCpuThrottle,
  run(ctx: PrecopyContext): PrecopyOutcome {
    const s = ctx.scenario;
    const windowBudget = s.maxBandwidthBytesPerSec / (1000 / WINDOW_MS);
    // The timer belongs to the auto-converge capability (cpu_throttle_dirty_sync_timer), not to throttling in general.
    const timer = ctx.controllerName === 'auto-converge';
    let nextTickMs = QEMU_DIRTY_SYNC_TIMER_MS;
    let syncsAtTick = 0;
    ctx.setup();
    ctx.sync();
    for (;;) {
      const capped = checkCaps(ctx);
      if (capped) return capped;
      if (timer && ctx.nowMs >= nextTickMs) {
        if (ctx.syncCount > 1 && ctx.syncCount === syncsAtTick) ctx.sync();
        syncsAtTick = ctx.syncCount;
        nextTickMs += QEMU_DIRTY_SYNC_TIMER_MS;
      }
      const w = ctx.window;
      if (w.bytes > windowBudget) {
        ctx.idleUntil(w.startMs + WINDOW_MS);
        continue;
      }
      const threshold = (ctx.bandwidthBytesPerSec * s.downtimeLimitMs) / 1000;
      let pending = ctx.remainingPages * s.pageSize;
      if (qemuShouldSync(pending, threshold)) {
        ctx.sync();
        pending = ctx.remainingPages * s.pageSize;
      }
      if (qemuCanSwitchOver(pending, threshold) || ctx.controllerWantsStop(() => ctx.remainingPages)) {
        ctx.stopAndCopy();
        return { status: 'completed' };
      }
      ctx.burst(Math.max(0, windowBudget - w.bytes), { wrap: true, skipDirty: false });
    }
  },
};
