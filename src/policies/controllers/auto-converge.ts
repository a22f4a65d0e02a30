import { type AutoConvergeParams, checkControllerParams } from '../../model/controllers.js';
import type { Controller, ControllerContext, SyncEvent } from '../../model/controller.js';
import { ThrottleTrigger } from './throttle-trigger.js';

export type { AutoConvergeParams };

/** One throttle decision, for tests and traces. */
export interface ThrottleStep {
  atMs: number;
  /** Qualifying period count (1-based) on which it fired. */
  qualifyingPeriod: number;
  pct: number;
}

/**
 * QEMU auto-converge, qemu/qemu migration/ram.c (migration_bitmap_sync, migration_trigger_throttle,
 * mig_throttle_guest_down) and migration/cpu-throttle.c. Reference §4.3.
 *
 * At a dirty-log sync at least 1 s after the last period began: if the bytes dirtied in the period exceed
 * throttle-trigger-threshold % of the bytes transferred in it, count a qualifying period; on every 2nd one
 * (the counter is reset only when it fires, so they need not be consecutive) throttle: first to
 * cpu-throttle-initial, then up by cpu-throttle-increment (or by the tailslow amount) to max-cpu-throttle.
 * The throttle is QEMU's cpu-throttle on every vCPU (asked for as the CPU share 1 − pct/100, which the qemu
 * algorithm maps back to exactly pct) and is lifted at completion. On the qemu algorithm, the auto-converge
 * capability also runs QEMU ≥ 9.2's 5-second background dirty sync (src/policies/precopy/qemu.ts).
 */
export class AutoConvergeController implements Controller {
  readonly name = 'auto-converge';
  readonly steps: ThrottleStep[] = [];
  private readonly p: Required<AutoConvergeParams>;
  private readonly trigger: ThrottleTrigger;
  private pct = 0;

  constructor(params: AutoConvergeParams = {}) {
    this.p = checkControllerParams('auto-converge', params as Record<string, unknown>, 'controller');
    this.trigger = new ThrottleTrigger(this.p.triggerThresholdPct);
  }

  describe(): Record<string, unknown> {
    return { ...this.p };
  }

  onSync(e: SyncEvent, ctx: ControllerContext): void {
    const fire = this.trigger.onSync(e, ctx);
    if (fire === null) return;
    this.throttleDown(fire.bytesDirtyPeriod, fire.bytesDirtyThreshold);
    ctx.setCpuShare(1 - this.pct / 100);
    this.steps.push({ atMs: ctx.nowMs, qualifyingPeriod: fire.qualifyingPeriod, pct: this.pct });
  }

  /** mig_throttle_guest_down: the next throttle percentage. */
  throttleDown(bytesDirtyPeriod: number, bytesDirtyThreshold: number): void {
    const { initialPct, incrementPct, maxPct, tailslow } = this.p;
    if (this.pct === 0) {
      this.pct = Math.min(initialPct, 99);
      return;
    }
    let inc = incrementPct;
    if (tailslow) {
      const cpuNow = 100 - this.pct;
      // QEMU's cpu_ideal is a uint64_t: the ideal share is truncated before the difference is taken.
      const cpuIdeal = Math.trunc(cpuNow * (bytesDirtyThreshold / bytesDirtyPeriod));
      inc = Math.min(cpuNow - cpuIdeal, incrementPct);
    }
    // cpu_throttle_set clamps to [CPU_THROTTLE_PCT_MIN, CPU_THROTTLE_PCT_MAX] = [1, 99].
    this.pct = Math.max(1, Math.min(99, Math.min(this.pct + inc, maxPct)));
  }
}
