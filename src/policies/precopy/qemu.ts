import { WINDOW_MS } from '../../engine/link.js';
import type { PrecopyContext } from '../../engine/precopy-context.js';
import { type PrecopyAlgorithm, type PrecopyOutcome, checkCaps } from './algorithm.js';
import { clockOf } from '../../engine/clock.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { qemuCpuThrottle, qemuWire } from './qemu-wire.js';
import { qemuWireConfig } from './qemu-wire-features.js';
import { postcopyCapable } from '../../engine/postcopy.js';
import { PostcopyTrigger } from './postcopy-trigger.js';
import { QEMU_RELEASES, QEMU_VERSIONS, type QemuReleaseRules, qemuRelease, releaseCanComplete, releaseShouldSync, releaseThreshold } from './qemu-releases.js';

/** QEMU ≥ 9.2 syncs the dirty bitmap this often while auto-converge is on, if nothing else did (cpu-throttle.c). */
export const QEMU_DIRTY_SYNC_TIMER_MS = 5000;

/**
 * QEMU 10.1's completion test (migration_iteration_run): switch over when what remains is at most the threshold
 * (`pending_size <= s->threshold_size` since 10.1; releases before compared with `<`). The rule of any release
 * is releaseCanComplete (qemu-releases.ts).
 */
export function qemuCanSwitchOver(pendingBytes: number, thresholdBytes: number): boolean {
  return pendingBytes <= thresholdBytes;
}

/** QEMU's sync trigger (ram_state_pending_exact is asked only when the estimate falls below the threshold, 9.0+). */
export function qemuShouldSync(pendingBytes: number, thresholdBytes: number): boolean {
  return pendingBytes < thresholdBytes;
}

/**
 * QEMU pre-copy, with the rules of the release `qemuVersion` (6.2 to 10.1, qemu-releases.ts): qemu/qemu
 * migration/migration.c (migration_iteration_run, migration_update_counters, migration_rate_limit,
 * migration_completion), migration/ram.c (ram_save_iterate, migration_bitmap_sync, ram_save_complete),
 * migration/migration-stats.c and migration/cpu-throttle.c. Reference: migration-algorithms.md §4.1–§4.2 and
 * qemu-versions-and-wire.md §A.
 *
 * - Bandwidth is measured per ≥ 100 ms window on QEMU's millisecond clock (src/engine/clock.ts);
 *   threshold = bandwidth × downtime-limit, truncated to whole bytes (0 until the first window closes); with
 *   avail-switchover-bandwidth (8.2+) that parameter / 1000 replaces the bandwidth.
 * - Each iteration first checks what is still unsent: below the threshold the dirty log is synced (the
 *   release's sync trigger; all coincide at `R < T` without postcopy); unsent pages carry over, so near the
 *   end a sync comes every iteration (every burst of at most 50 ms).
 * - Switch-over when what remains passes the release's completion test (`< T` up to 10.0, `<= T` in 10.1)
 *   and, with switchover-ack (8.1+), once the destination's ACK has arrived; completion stops the guest and
 *   syncs once more, so dirty-sync-count counts both syncs, as QEMU's does.
 * - max-bandwidth rate-limits pre-copy: a window's budget is max-bandwidth / 10 (integer division); once more
 *   than that has been sent (the page that crosses it is still sent) the thread sleeps until the window's
 *   end on the clock, and wakes a little late. Stop-and-copy runs at link capacity (the rate limit is lifted).
 * - With auto-converge (the auto-converge controller), QEMU ≥ 9.2 also syncs every 5 s if no sync happened
 *   since the last tick and at least two syncs have been done (cpu_throttle_dirty_sync_timer_tick).
 * - A controller's CPU share is imposed with cpu-throttle (qemu-wire.ts); dirty-limit needs QEMU ≥ 8.1.
 * - QEMU never gives up by itself; the run's max time and max data caps cancel it.
 * - XBZRLE, multifd and compression (qemu-wire-features.ts, src/engine/wire-model.ts): bursts scan through the
 *   wire model, whose bytes the rate limit and the bandwidth estimate count as the release does.
 * - Postcopy (postcopy-ram, src/engine/postcopy.ts): a trigger option (postcopy-trigger.ts) or a controller
 *   requests it; with postcopy-ram on, RAM is postcopiable, so the must-precopy part is 0 and the switch comes at
 *   the next iteration (M ≤ T always holds). Up to 10.0 the completion test runs first, so an iteration whose
 *   pending fits the threshold still ends as pre-copy; 10.1 tests postcopy first (migration_iteration_run).
 * Not modelled: MAX_WAIT checked only every 64 pages (bursts here end at exactly 50 ms); postcopy together with
 * XBZRLE or multifd (refused: livemig's postcopy push sends plain pages).
 */
export const qemu: PrecopyAlgorithm = {
  name: 'qemu',
  wire: qemuWire,
  cpuShare: qemuCpuThrottle,
  run(ctx: PrecopyContext): PrecopyOutcome {
    const s = ctx.scenario;
    const rules = qemuRelease(s.qemuVersion);
    checkReleaseOptions(s, rules, ctx.controllerName);
    const wireConfig = qemuWireConfig(s, rules, qemuWire(s.pageSize));
    if (wireConfig !== null) ctx.configureWire(wireConfig);
    const clock = clockOf(s);
    // The timer belongs to the auto-converge capability (cpu_throttle_dirty_sync_timer), not to throttling in general.
    const timer = rules.dirtySyncTimer && ctx.controllerName === 'auto-converge';
    const ackAtMs = s.switchoverAck ? s.switchoverAckDelayMs : 0;
    let nextTickMs = QEMU_DIRTY_SYNC_TIMER_MS;
    let syncsAtTick = 0;
    const postcopyRam = postcopyCapable(s);
    const trigger = new PostcopyTrigger(ctx);
    const postcopyOpts = { switchoverUnlimited: rules.postcopySwitchoverUnlimited };
    ctx.setup();
    ctx.sync();
    for (;;) {
      const capped = checkCaps(ctx);
      if (capped) return capped;
      if (postcopyRam) trigger.poll();
      if (timer && ctx.nowMs >= nextTickMs) {
        if (ctx.syncCount > 1 && ctx.syncCount === syncsAtTick) { ctx.sync(); trigger.afterSync(); }
        syncsAtTick = ctx.syncCount;
        nextTickMs += QEMU_DIRTY_SYNC_TIMER_MS;
      }
      // max-bandwidth and downtime-limit as QEMU holds them now (a management layer may change them).
      const windowBudget = Math.floor(ctx.maxBandwidthBytesPerSec / (1000 / WINDOW_MS));
      const w = ctx.window;
      if (w.bytes > windowBudget) {
        ctx.idleUntil(clock.rateLimitWakeMs(ctx.nowMs, w.startMs));
        continue;
      }
      const threshold = releaseThreshold(ctx.bandwidthBytesPerSec / 1000, ctx.downtimeLimitMs, s.availSwitchoverBandwidthBytesPerSec);
      let ram = ctx.remainingPages * s.pageSize;
      // With postcopy-ram, RAM counts as postcopiable: nothing must go before postcopy (ram_state_pending_*).
      if (releaseShouldSync(rules, { ramBytes: ram, totalBytes: ram, mustPrecopyBytes: postcopyRam ? 0 : ram }, threshold)) {
        ctx.sync();
        trigger.afterSync();
        if (postcopyRam) trigger.poll();
        ram = ctx.remainingPages * s.pageSize;
      }
      // migration_can_switchover: the capability off, or the destination's ACK received.
      const acked = ctx.nowMs >= ackAtMs;
      // Postcopy starts when requested and M (0 with postcopy-ram) ≤ T, which always holds; 10.1 asks first.
      const toPostcopy = postcopyRam && ctx.postcopyRequest !== null && acked;
      if (toPostcopy && rules.postcopyFirst) return ctx.postcopy(postcopyOpts);
      if (releaseCanComplete(rules, ram, threshold, acked) || ctx.controllerWantsStop(() => ctx.remainingPages)) {
        return ctx.stopAndCopy();
      }
      if (toPostcopy) return ctx.postcopy(postcopyOpts);
      ctx.burst(Math.max(0, windowBudget - w.bytes), { wrap: true, skipDirty: false });
    }
  },
};

/** Options a release does not have are refused, naming the option and the releases that have it. */
function checkReleaseOptions(s: PrecopyContext['scenario'], rules: QemuReleaseRules, controller: string): void {
  const since = (flag: keyof QemuReleaseRules) => QEMU_VERSIONS.find((v) => QEMU_RELEASES[v][flag] === true)!;
  if (s.availSwitchoverBandwidthBytesPerSec !== null && !rules.availSwitchoverBandwidth) {
    throw new InvalidOptionError('availSwitchoverBandwidthBytesPerSec', s.availSwitchoverBandwidthBytesPerSec, `no value on QEMU ${s.qemuVersion} (avail-switchover-bandwidth exists from QEMU ${since('availSwitchoverBandwidth')}; set qemuVersion to it or later)`);
  }
  if (s.switchoverAck && !rules.switchoverAck) {
    throw new InvalidOptionError('switchoverAck', true, `false on QEMU ${s.qemuVersion} (the switchover-ack capability exists from QEMU ${since('switchoverAck')})`);
  }
  if (s.postcopyPreempt && !rules.postcopyPreempt) {
    throw new InvalidOptionError('postcopyPreempt', true, `false on QEMU ${s.qemuVersion} (the postcopy-preempt capability exists from QEMU ${since('postcopyPreempt')})`);
  }
  if (s.postcopyPreempt && !postcopyCapable(s)) {
    throw new InvalidOptionError('postcopyPreempt', true, 'false, or postcopyRam: true (postcopy-preempt needs the postcopy-ram capability)');
  }
  if (postcopyCapable(s) && (s.xbzrle || s.multifdChannels !== null)) {
    // QEMU skips XBZRLE in postcopy and can run multifd beside it; livemig's postcopy push is plain pages only.
    throw new InvalidOptionError('postcopyRam', true, `false with ${s.xbzrle ? 'xbzrle' : 'multifdChannels'}: livemig does not model postcopy together with XBZRLE or multifd`);
  }
  if (controller === 'dirty-limit' && !rules.dirtyLimit) {
    throw new InvalidOptionError('controller', 'dirty-limit', `another controller on QEMU ${s.qemuVersion} (the dirty-limit capability exists from QEMU ${since('dirtyLimit')})`);
  }
}
