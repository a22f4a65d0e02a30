import type { PageStore } from '../core/page-store.js';
import type { DutyCycle } from '../model/controller.js';
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
  ) {}

  /** Runs every vCPU over [nowMs, nowMs + dtMs) (a paused guest gets no CPU); returns the dirty-ring entries made. */
  run(nowMs: number, dtMs: number): number {
    let entries = 0;
    for (const v of this.vcpus) entries += v.run(this.store, nowMs, dtMs, this.paused);
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
