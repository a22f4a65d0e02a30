import { checkBoolean, checkNumber } from '../../engine/check.js';
import type { Controller, ControllerContext, SyncEvent } from './controller.js';
import { ThrottleTrigger } from './throttle-trigger.js';

/** QEMU throttle-trigger-threshold: % of the bytes transferred in a period (migration/options.c). */
export const DEFAULT_THROTTLE_TRIGGER_THRESHOLD = 50;
/** QEMU cpu-throttle-initial, %. */
export const DEFAULT_CPU_THROTTLE_INITIAL = 20;
/** QEMU cpu-throttle-increment, %. */
export const DEFAULT_CPU_THROTTLE_INCREMENT = 10;
/** QEMU max-cpu-throttle, %. */
export const DEFAULT_MAX_CPU_THROTTLE = 99;
export interface AutoConvergeParams {
  /** throttle-trigger-threshold, % (1–100). @default 50 */
  triggerThresholdPct?: number;
  /** cpu-throttle-initial, % (1–99). @default 20 */
  initialPct?: number;
  /** cpu-throttle-increment, % (1–99). @default 10 */
  incrementPct?: number;
  /** max-cpu-throttle, % (1–99). @default 99 */
  maxPct?: number;
  /** cpu-throttle-tailslow: scale later steps by how far the dirty rate is above the threshold. @default false */
  tailslow?: boolean;
}

export function checkAutoConvergeParams(p: Record<string, unknown>, field: string): Required<AutoConvergeParams> {
  const pct = { min: 1, max: 99, integer: true, unit: '%' };
  return {
    triggerThresholdPct: checkNumber(`${field}.triggerThresholdPct`, p['triggerThresholdPct'] ?? DEFAULT_THROTTLE_TRIGGER_THRESHOLD, { min: 1, max: 100, integer: true, unit: '%' }),
    initialPct: checkNumber(`${field}.initialPct`, p['initialPct'] ?? DEFAULT_CPU_THROTTLE_INITIAL, pct),
    incrementPct: checkNumber(`${field}.incrementPct`, p['incrementPct'] ?? DEFAULT_CPU_THROTTLE_INCREMENT, pct),
    maxPct: checkNumber(`${field}.maxPct`, p['maxPct'] ?? DEFAULT_MAX_CPU_THROTTLE, pct),
    tailslow: checkBoolean(`${field}.tailslow`, p['tailslow'] ?? false),
  };
}

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
 * The throttle is QEMU's cpu-throttle on every vCPU and is lifted at completion. On the qemu algorithm it also
 * turns on QEMU ≥ 9.2's 5-second background dirty sync (`qemuDirtySyncTimer`, run by src/policies/precopy/qemu.ts).
 */
export class AutoConvergeController implements Controller {
  readonly name = 'auto-converge';
  readonly qemuDirtySyncTimer = true;
  readonly steps: ThrottleStep[] = [];
  private readonly p: Required<AutoConvergeParams>;
  private readonly trigger: ThrottleTrigger;
  private pct = 0;

  constructor(params: AutoConvergeParams = {}) {
    this.p = checkAutoConvergeParams(params as Record<string, unknown>, 'controller');
    this.trigger = new ThrottleTrigger(this.p.triggerThresholdPct);
  }

  describe(): Record<string, unknown> {
    return { ...this.p };
  }

  onSync(e: SyncEvent, ctx: ControllerContext): void {
    const fire = this.trigger.onSync(e, ctx);
    if (fire === null) return;
    this.throttleDown(fire.bytesDirtyPeriod, fire.bytesDirtyThreshold);
    ctx.setCpuThrottle(this.pct);
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
