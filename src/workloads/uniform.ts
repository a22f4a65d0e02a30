import type { PageStore } from '../core/page-store.js';
import type { PageRange, Workload } from './workload.js';

/**
 * Uniformly random page writes over a region: the occupancy model of reference §2.3, where a round of
 * w·T writes over H pages dirties H·(1 − e^(−wT/H)) distinct pages.
 */
export class UniformWorkload implements Workload {
  readonly kind = 'uniform';
  readonly cpuDemand = 1;
  constructor(
    readonly writesPerSec: number,
    private readonly region: PageRange,
    private readonly stream: number,
  ) {
    this.mergeKey = `uniform ${writesPerSec} ${region.start} ${region.count}`;
  }

  readonly mergeKey: string;
  write(store: PageStore, k: number): number {
    return store.touchUniform(this.stream, this.region.start, this.region.count, k);
  }
}
