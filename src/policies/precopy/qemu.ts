import { type MigrationContext, qemuWire } from '../../engine/context.js';
import { WINDOW_MS } from '../../engine/defaults.js';
import { type PrecopyAlgorithm, type PrecopyOutcome, checkCaps } from './algorithm.js';

/**
 * QEMU pre-copy as in qemu/qemu migration/migration.c (migration_iteration_run, migration_update_counters,
 * migration_rate_limit), migration/ram.c (ram_save_iterate, migration_bitmap_sync) and
 * migration/migration-stats.c. Reference: migration-algorithms.md §4.1–§4.2.
 *
 * - Bandwidth is measured per 100 ms window; threshold = bandwidth × downtime-limit (0 until the first
 *   window closes).
 * - The dirty log is synced only when what is still unsent falls to the threshold or below
 *   (pending_exact); unsent pages carry over, so near the end syncs come every window.
 * - Switch-over when, after that sync, what remains is still below the threshold (or nothing remains);
 *   completion syncs once more with the guest stopped, so dirty-sync-count counts both, as QEMU's does.
 * - max-bandwidth rate-limits pre-copy: a window's budget is max-bandwidth / 10, the page that crosses it is
 *   still sent, and the thread then waits for the window to end. Stop-and-copy runs at link capacity.
 * - QEMU never gives up by itself; the run's max time and max data caps cancel it.
 */
export const qemu: PrecopyAlgorithm = {
  name: 'qemu',
  wire: qemuWire,
  run(ctx: MigrationContext): PrecopyOutcome {
    const s = ctx.options.scenario;
    const windowBudget = s.maxBandwidthBytesPerSec / (1000 / WINDOW_MS);
    ctx.setup();
    ctx.sync();
    for (;;) {
      const capped = checkCaps(ctx);
      if (capped) return capped;
      const w = ctx.window;
      if (w.bytes >= windowBudget) {
        ctx.idleUntil(w.startMs + WINDOW_MS);
        continue;
      }
      const threshold = (ctx.bandwidthBytesPerSec * s.downtimeLimitMs) / 1000;
      let pending = ctx.remainingPages * s.pageSize;
      if (pending <= threshold) {
        ctx.sync();
        pending = ctx.remainingPages * s.pageSize;
      }
      if (pending === 0 || pending < threshold || ctx.controllerWantsStop(ctx.remainingPages)) {
        ctx.stopAndCopy();
        return { status: 'completed' };
      }
      ctx.burst(windowBudget - w.bytes, { wrap: true, skipDirty: false });
    }
  },
};
