import type { PageStore } from '../core/page-store.js';
import type { DutyCycle } from '../model/controller.js';
import type { ThrottledWriteFraction } from './throttled-writes.js';
import type { ThrottleMode, Vcpu } from './vcpu.js';

/**
 * The guest: its vCPUs and whether it is paused. The engine's clock moves it forward: every vCPU runs the same
 * interval, writing pages in proportion to the CPU time its schedule gives it.
 */
export class Guest {
  paused = false;

  constructor(
    readonly store: PageStore,
    readonly vcpus: readonly Vcpu[],
    /** The share of full-speed writes a vCPU achieves under a throttle (the throttledWriteFraction option). */
    achieved: ThrottledWriteFraction | null = null,
  ) {
    for (const v of vcpus) v.setAchievedFraction(achieved);
  }

  /** Runs every vCPU over [nowMs, nowMs + dtMs) (a paused guest gets no CPU); returns the dirty-ring entries made. */
  run(nowMs: number, dtMs: number): number {
    const vs = this.vcpus;
    if (vs.length > 1 && this.inLockstep()) return this.runLockstep(nowMs, dtMs);
    let entries = 0;
    for (const v of vs) entries += v.run(this.store, nowMs, dtMs, this.paused);
    return entries;
  }

  /** Whether every vCPU writes like the first (see Vcpu.inLockstepWith). */
  private inLockstep(): boolean {
    const vs = this.vcpus;
    const first = vs[0]!;
    for (let i = 1; i < vs.length; i++) if (!first.inLockstepWith(vs[i]!)) return false;
    return true;
  }

  /** Where the next lockstep step's leftover ring entries start (they go round the vCPUs). */
  private entryTurn = 0;

  /**
   * vCPUs in lockstep write the same number of pages with the same distribution, so their writes are one
   * writer's: one core call for all of them (on the first vCPU's stream), so a step costs the same for 1 or
   * 1024 vCPUs. The ring entries it made are shared equally, the remainder going round the vCPUs step by step
   * (which vCPU first wrote a page is a tie the real guest breaks by timing, not modelled here).
   */
  private runLockstep(nowMs: number, dtMs: number): number {
    const vs = this.vcpus;
    let k = 0;
    for (const v of vs) k = v.account(nowMs, dtMs, this.paused);
    if (k === 0) return 0;
    const entries = vs[0]!.perform(this.store, k * vs.length);
    const n = vs.length;
    const share = Math.floor(entries / n);
    const rest = entries - share * n;
    for (let i = 0; i < n; i++) vs[i]!.ringEntries += share + ((i - this.entryTurn + n) % n < rest ? 1 : 0);
    this.entryTurn = (this.entryTurn + rest) % n;
    return entries;
  }

  /** Puts every vCPU on `cycle` (null lifts every throttle). */
  schedule(cycle: DutyCycle | null, nowMs: number, mode?: ThrottleMode): void {
    for (const v of this.vcpus) v.setDutyCycle(cycle, nowMs, mode);
  }

  /** Mean throttle over vCPUs, percent. */
  meanThrottlePct(): number {
    let s = 0;
    for (const v of this.vcpus) s += v.throttlePct;
    return s / this.vcpus.length;
  }
}
