import type { PageStore } from '../core/page-store.js';
import type { PageRange, Workload } from './workload.js';

/**
 * Two-class writer: a hot set (the first `hotFraction` of the region) takes `hotProbability` of the writes,
 * the cold rest takes the others; uniform within each. This is the writable-working-set shape of Clark et
 * al. (NSDI 2005) and VmigSim's "WWS page ratio / WWS dirty rate" knobs.
 */
export class HotColdWorkload implements Workload {
  readonly kind = 'hot-cold';
  readonly cpuDemand = 1;
  private readonly hot: PageRange;
  private readonly cold: PageRange;
  /** hotProbability as a threshold on a 32-bit random value. */
  private readonly hotThreshold: number;

  constructor(
    readonly writesPerSec: number,
    region: PageRange,
    hotFraction: number,
    hotProbability: number,
    private readonly stream: number,
  ) {
    const hotCount = Math.max(1, Math.min(region.count, Math.round(hotFraction * region.count)));
    this.hot = { start: region.start, count: hotCount };
    this.cold = { start: region.start + hotCount, count: region.count - hotCount };
    this.hotThreshold = this.cold.count === 0 || hotProbability >= 1 ? 0x1_0000_0000 : Math.min(0xffffffff, Math.round(hotProbability * 2 ** 32));
    this.mergeKey = `hot-cold ${writesPerSec} ${this.hot.start} ${this.hot.count} ${this.cold.start} ${this.cold.count} ${this.hotThreshold}`;
  }

  readonly mergeKey: string;

  write(store: PageStore, k: number): number {
    // With no cold pages (or certainty of hot) every write is hot: a plain uniform writer over the hot set.
    if (this.hotThreshold > 0xffffffff) return store.touchUniform(this.stream, this.hot.start, this.hot.count, k);
    return store.touchHotCold(this.stream, this.hot.start, this.hot.count, this.cold.start, this.cold.count, this.hotThreshold, k);
  }
}
