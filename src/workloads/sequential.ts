import type { PageStore } from '../core/page-store.js';
import type { PageRange, Workload } from './workload.js';

/**
 * Sweeps its region in page order, wrapping at the end: guestperf's stress.c, which rewrites every page of
 * its share of RAM in turn. Within one sweep no page is written twice, so a round of T seconds dirties
 * exactly writesPerSec·T pages: the constant-rate writer of the geometric-series model (reference §2.2).
 */
export class SequentialWorkload implements Workload {
  readonly kind = 'sequential';
  readonly cpuDemand = 1;
  private cursor = 0;
  constructor(
    readonly writesPerSec: number,
    private readonly region: PageRange,
  ) {}
  write(store: PageStore, k: number): number {
    this.cursor = store.touchSequential(this.region.start, this.region.count, this.cursor, k);
    return store.lastFresh();
  }
}
