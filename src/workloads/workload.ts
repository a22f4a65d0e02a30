import type { PageStore } from '../core/page-store.js';

/** A vCPU's program as the emulator sees it: how much CPU it wants and which pages its writes hit. */
export interface Workload {
  readonly kind: string;
  /** Share of a CPU the workload wants when unthrottled: 1 = CPU-bound, 0 = idle. */
  readonly cpuDemand: number;
  /** Page writes per second when it gets all the CPU it wants. */
  readonly writesPerSec: number;
  /** Performs `k` page writes in one core call; returns the dirty-ring entries made (see PageStore). */
  write(store: PageStore, k: number): number;
  /**
   * Set by workloads whose writes depend only on their parameters (not on time or a cursor): vCPUs whose
   * workloads share it write with the same distribution, so the guest may perform their writes in one core
   * call (src/engine/guest.ts). Equal keys must mean equal page distributions.
   */
  readonly mergeKey?: string;
  /** Called after each engine step with the run time the vCPU's schedule allowed it (workloads whose behaviour changes over time). */
  advance?(runMs: number): void;
}

/** A page range [start, start + count) of guest memory. */
export interface PageRange {
  start: number;
  count: number;
}
