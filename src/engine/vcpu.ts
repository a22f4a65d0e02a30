import type { PageStore } from '../core/page-store.js';
import type { DutyCycle } from '../model/controller.js';
import type { Workload } from '../workloads/workload.js';

export type { DutyCycle };

/** Most page writes passed to the core in one call (its counts are u32). */
const MAX_WRITES_PER_CALL = 2 ** 31;

/**
 * How a new schedule takes over from the old one:
 * - 'restart' (dirty-limit, Xen caps, SDPS): the new cycle starts with a run phase now; a vCPU caught asleep
 *   first finishes the sleep it is in.
 * - 'qemu-throttle' (migration/cpu-throttle.c): switching on, the timer tick fires at once, so the vCPU
 *   sleeps first, then runs 10 ms; a change while on only updates the percentage, so the vCPU finishes the
 *   run or sleep it is in and the next tick applies the new sleep.
 */
export type ThrottleMode = 'restart' | 'qemu-throttle';

/**
 * One vCPU: a workload plus its schedule. Its page writes per emulated interval are the workload's rate
 * times the CPU time the schedule lets it have (the seed paper's assumption, and SimGrid's: dirtying is
 * proportional to CPU progress). Fractional writes carry over, so the count is exact over any interval.
 */
export class Vcpu {
  private cycle: DutyCycle | null = null;
  private originMs = 0;
  private carry = 0;
  cpuDemandedMs = 0;
  cpuObtainedMs = 0;
  /** CPU demanded and obtained before the stop-and-copy pause (guest progress during pre-copy). */
  precopyDemandedMs = 0;
  precopyObtainedMs = 0;
  writes = 0;
  /** Dirty-ring entries this vCPU made (pages not logged since the last ring reset). */
  ringEntries = 0;
  throttledMs = 0;
  maxThrottlePct = 0;
  /** ∫ throttle% dt over pre-copy, for the time-weighted mean. */
  throttlePctMs = 0;
  /**
   * Share of full-speed writes achieved under a throttle p (src/engine/throttled-writes.ts); null = the ideal
   * (1 − p), which the duty cycle alone gives.
   */
  private achieved: ((p: number) => number) | null = null;
  /** Writes per ms of CPU obtained, relative to full speed: achieved(p) / (1 − p) for the throttle in force. */
  private writeScale = 1;

  constructor(
    readonly index: number,
    readonly workload: Workload,
  ) {}

  /** The schedule now in force, or null when the vCPU runs unthrottled. */
  get dutyCycle(): DutyCycle | null {
    return this.cycle;
  }

  /** Throttle in percent: the share of time the schedule keeps the vCPU asleep. */
  get throttlePct(): number {
    const c = this.cycle;
    if (c === null) return 0;
    const pct = (100 * c.sleepMs) / (c.runMs + c.sleepMs);
    // 100 × a sleep near the largest double overflows; the share itself never does.
    return Number.isFinite(pct) ? pct : 100 * (c.sleepMs / (c.runMs + c.sleepMs));
  }

  /** Applies a schedule from `nowMs`, or lifts it with null (see ThrottleMode). Setting the same schedule again changes nothing. */
  setDutyCycle(cycle: DutyCycle | null, nowMs: number, mode: ThrottleMode = 'restart'): void {
    const next = cycle === null || cycle.sleepMs <= 0 ? null : { runMs: cycle.runMs, sleepMs: cycle.sleepMs };
    const old = this.cycle;
    if (next !== null && old !== null && next.runMs === old.runMs && next.sleepMs === old.sleepMs) return;
    let origin = nowMs;
    if (next !== null && old === null && mode === 'qemu-throttle') {
      origin = nowMs + next.sleepMs;
    } else if (next !== null && old !== null && nowMs < this.originMs) {
      // Still in the sleep that precedes the current cycle: it is not cut short.
      origin = this.originMs;
    } else if (next !== null && old !== null) {
      const period = old.runMs + old.sleepMs;
      const phase = nowMs - this.originMs - Math.floor((nowMs - this.originMs) / period) * period;
      if (phase > old.runMs) origin = nowMs + (period - phase);
      else if (mode === 'qemu-throttle') origin = nowMs - phase;
    }
    this.cycle = next;
    this.originMs = origin;
    this.updateWriteScale();
    this.maxThrottlePct = Math.max(this.maxThrottlePct, this.throttlePct);
  }

  /** Sets how many of its full-speed writes the vCPU achieves under a throttle p (null = the ideal 1 − p). */
  setAchievedFraction(f: ((p: number) => number) | null): void {
    this.achieved = f;
    this.writeScale = 1;
    this.updateWriteScale();
  }

  private updateWriteScale(): void {
    const f = this.achieved;
    if (f === null) return;
    const p = this.throttlePct / 100;
    this.writeScale = p < 1 ? f(p) / (1 - p) : 0;
  }

  /** CPU time the schedule allows in [fromMs, fromMs + dtMs); before the cycle's origin the vCPU sleeps. */
  runTimeMs(fromMs: number, dtMs: number): number {
    const c = this.cycle;
    if (c === null) return dtMs;
    const period = c.runMs + c.sleepMs;
    const upTo = (x: number): number => {
      if (x <= 0) return 0;
      const k = Math.floor(x / period);
      return k * c.runMs + Math.min(x - k * period, c.runMs);
    };
    // Rounding in the difference of two large sums must not give less than no CPU time.
    return Math.max(0, upTo(fromMs + dtMs - this.originMs) - upTo(fromMs - this.originMs));
  }

  /** Runs the vCPU over [nowMs, nowMs + dtMs); a paused guest gets no CPU. Returns the dirty-ring entries made. */
  run(store: PageStore, nowMs: number, dtMs: number, paused: boolean): number {
    const k = this.account(nowMs, dtMs, paused);
    const entries = k > 0 ? this.perform(store, k) : 0;
    this.ringEntries += entries;
    this.workload.advance?.(this.lastRunMs);
    return entries;
  }

  /** Run time the schedule gave the vCPU in the last accounted interval. */
  private lastRunMs = 0;

  /**
   * Accounts the CPU time of [nowMs, nowMs + dtMs) and returns the page writes due in it (the fractional rest
   * carried over), without performing them: `run` performs them, or the guest does for vCPUs in lockstep.
   */
  account(nowMs: number, dtMs: number, paused: boolean): number {
    const w = this.workload;
    const demanded = w.cpuDemand * dtMs;
    const runMs = paused ? 0 : this.runTimeMs(nowMs, dtMs);
    this.lastRunMs = runMs;
    const obtained = w.cpuDemand * runMs;
    this.cpuDemandedMs += demanded;
    this.cpuObtainedMs += obtained;
    if (!paused) {
      this.precopyDemandedMs += demanded;
      this.precopyObtainedMs += obtained;
      if (this.cycle !== null) {
        this.throttledMs += dtMs;
        this.throttlePctMs += this.throttlePct * dtMs;
      }
    }
    if (w.writesPerSec === 0 || runMs <= 0) return 0;
    const exact = this.carry + (w.writesPerSec * runMs * this.writeScale) / 1000;
    const k = Math.floor(exact);
    this.carry = exact - k;
    this.writes += k;
    return k;
  }

  /**
   * Performs k writes of this vCPU's workload (32-bit counts per core call); returns the dirty-ring entries made,
   * which the caller counts (run: this vCPU's; the guest shares a lockstep step's among its vCPUs).
   */
  perform(store: PageStore, k: number): number {
    let entries = 0;
    for (let left = k; left > 0; left -= MAX_WRITES_PER_CALL) entries += this.workload.write(store, Math.min(left, MAX_WRITES_PER_CALL));
    return entries;
  }

  /**
   * Whether this vCPU and `o` will write the same number of pages with the same distribution over any
   * interval from now on: workloads with the same mergeKey (and no time-dependent behaviour), the same
   * schedule from the same origin, the same write scale and the same fractional carry.
   */
  inLockstepWith(o: Vcpu): boolean {
    const a = this.cycle, b = o.cycle;
    const sameCycle = a === null ? b === null : b !== null && a.runMs === b.runMs && a.sleepMs === b.sleepMs && this.originMs === o.originMs;
    return sameCycle && this.carry === o.carry && this.writeScale === o.writeScale
      && this.workload.mergeKey !== undefined && this.workload.mergeKey === o.workload.mergeKey && this.workload.advance === undefined;
  }
}
