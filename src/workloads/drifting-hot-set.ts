import type { PageStore } from '../core/page-store.js';
import { offsetMap, samplingTable, type PageMap, type SamplingTable } from '../core/page-map.js';
import type { PageRange, Workload } from './workload.js';

/**
 * A hot set that moves: hot-cold (a hot set of `hotFraction` of the region taking `hotProbability` of the
 * writes), but the hot set's start slides forward by `driftPerSec` of the region per second of the vCPU's
 * progress, wrapping at the end: a cache or a garbage-collected heap whose live data migrates [REC]. The
 * working set of a long round is then larger than the hot set, unlike plain hot-cold. Time is the vCPU's
 * writes over its rate (a throttled vCPU drifts more slowly, as its program does). Per-page work runs in the
 * core (touchTable over at most four buckets: the hot set and the cold rest, each split where it wraps).
 */
export class DriftingHotSetWorkload implements Workload {
  readonly kind = 'drifting-hot-set';
  readonly cpuDemand = 1;
  private readonly hotCount: number;
  private readonly map: PageMap;
  private writes = 0;
  private offset = -1;
  private table: SamplingTable | null = null;

  constructor(
    readonly writesPerSec: number,
    private readonly region: PageRange,
    hotFraction: number,
    private readonly hotProbability: number,
    private readonly driftPerSec: number,
    private readonly stream: number,
  ) {
    this.hotCount = Math.max(1, Math.min(region.count, Math.round(hotFraction * region.count)));
    this.map = offsetMap(region.start, region.count);
  }

  write(store: PageStore, k: number): number {
    const R = this.region.count;
    // The hot set's start for this call: drift × region pages × seconds so far (one position per call).
    const seconds = this.writesPerSec > 0 ? this.writes / this.writesPerSec : 0;
    const offset = Math.floor((this.driftPerSec * R * seconds) % R);
    if (offset !== this.offset || !this.table) {
      this.offset = offset;
      this.table = this.tableAt(offset);
    }
    this.writes += k;
    return store.touchTable(this.stream, this.table, this.map, k);
  }

  /** Buckets over region-relative pages for a hot set starting at `o`. */
  private tableAt(o: number): SamplingTable {
    const R = this.region.count;
    const h = this.hotCount;
    const starts: number[] = [];
    const sizes: number[] = [];
    const weights: number[] = [];
    const add = (start: number, size: number, weight: number): void => {
      if (size > 0) { starts.push(start); sizes.push(size); weights.push(weight); }
    };
    const hotEnd = o + h;
    const pHot = h === R ? 1 : this.hotProbability;
    add(o, Math.min(hotEnd, R) - o, (pHot * (Math.min(hotEnd, R) - o)) / h);
    if (hotEnd > R) add(0, hotEnd - R, (pHot * (hotEnd - R)) / h);
    const cold = R - h;
    if (cold > 0) {
      if (hotEnd > R) add(hotEnd - R, cold, 1 - pHot);
      else {
        add(hotEnd, R - hotEnd, ((1 - pHot) * (R - hotEnd)) / cold);
        add(0, o, ((1 - pHot) * o) / cold);
      }
    }
    return samplingTable(starts, sizes, weights);
  }
}
