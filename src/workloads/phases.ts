import type { PageStore } from '../core/page-store.js';
import type { Workload } from './workload.js';

/** One phase: a workload for a stretch of the vCPU's run time. */
export interface Phase {
  durationMs: number;
  workload: Workload;
}

/**
 * A program in phases: a batch job's map then reduce, a database's steady load then checkpoint. Each phase
 * runs its workload for its duration of the vCPU's run time (the schedule's time: a throttled vCPU's phases
 * last longer in wall-clock time, as its program's would [REC]); after the last, the list starts again when
 * `loop`, else the last phase goes on. A phase switches between two engine steps, never inside one. With a
 * single phase this is that workload, call for call.
 */
export class PhasesWorkload implements Workload {
  readonly kind = 'phases';
  private index = 0;
  /** Run time spent in the current phase. */
  private elapsedMs = 0;

  constructor(
    private readonly phases: readonly Phase[],
    private readonly loop: boolean,
  ) {
    if (phases.length === 0) throw new Error('PhasesWorkload: no phases');
  }

  private get current(): Workload {
    return this.phases[this.index]!.workload;
  }

  get cpuDemand(): number {
    return this.current.cpuDemand;
  }

  get writesPerSec(): number {
    return this.current.writesPerSec;
  }

  write(store: PageStore, k: number): number {
    return this.current.write(store, k);
  }

  advance(runMs: number): void {
    if (this.phases.length === 1) return;
    this.elapsedMs += runMs;
    for (;;) {
      const d = this.phases[this.index]!.durationMs;
      if (this.elapsedMs < d) return;
      if (this.index === this.phases.length - 1 && !this.loop) return;
      this.elapsedMs -= d;
      this.index = (this.index + 1) % this.phases.length;
    }
  }
}
