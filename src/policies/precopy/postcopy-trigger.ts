/**
 * When QEMU pre-copy asks for postcopy (QMP migrate-start-postcopy), from the scenario's trigger options; a
 * controller asks through ControllerContext.startPostcopy. The switch itself follows at the migration thread's
 * next iteration (migration_iteration_run, in the release's order: qemu.ts).
 * - postcopyAfterSyncs N: once dirty-sync-count ≥ N (the setup sync counts as 1), as guestperf's
 *   --post-copy-iters compares QEMU's dirty-sync-count (../shared/reference/peers.md; guestperf polls every
 *   50 ms, this asks at once).
 * - postcopyAfterMs T: at T ms after the migration started (a management timeout, or a moment of the user's).
 * - postcopyStallSyncs N [REC]: pre-copy has stalled when, for N syncs in a row, the bytes still to send just after
 *   the sync were not below the least seen just after any earlier sync (the setup sync, with all of RAM to send,
 *   is not counted). This is KubeVirt's progress test (VEP 248 keeps the best remaining bytes so far) with a
 *   count of syncs in place of its timeout, so that it reads the same on every link speed.
 */
import type { PrecopyContext } from '../../engine/precopy-context.js';

export class PostcopyTrigger {
  private best = Number.POSITIVE_INFINITY;
  private stalled = 0;

  constructor(private readonly ctx: PrecopyContext) {}

  /** Called after every sync of live pre-copy: the stall test. */
  afterSync(): void {
    const s = this.ctx.scenario;
    if (s.postcopyStallSyncs === null || this.ctx.syncCount < 2) return;
    const left = this.ctx.remainingPages * s.pageSize;
    if (left < this.best) {
      this.best = left;
      this.stalled = 0;
    } else if (++this.stalled >= s.postcopyStallSyncs) {
      this.ctx.requestPostcopy('stall');
    }
  }

  /** Called at every iteration: the sync-count and time triggers. */
  poll(): void {
    const s = this.ctx.scenario;
    if (s.postcopyAfterSyncs !== null && this.ctx.syncCount >= s.postcopyAfterSyncs) this.ctx.requestPostcopy('syncs');
    if (s.postcopyAfterMs !== null && this.ctx.nowMs >= s.postcopyAfterMs) this.ctx.requestPostcopy('time');
  }
}
