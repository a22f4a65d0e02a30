import type { PageStore } from '../core/page-store.js';
import { offsetMap, samplingTable, scatterMap, type PageMap, type SamplingTable } from '../core/page-map.js';
import type { PageRange, Workload } from './workload.js';

/** Ranks below this get a bucket each; above, buckets grow geometrically by GROWTH [REC: within a bucket the
 * Zipf density varies by at most 2 %·s, and a 2^32-page region needs 1316 buckets, under TABLE_CAPACITY]. */
const EXACT_RANKS = 512;
const GROWTH = 1.02;

/**
 * Zipf page popularity: the page of rank r (1-based) is written with probability ∝ r^−s, the skew reported
 * for memory and storage accesses (Breslau et al., INFOCOM 1999, for web objects; YCSB's default request
 * distribution, Cooper et al., SoCC 2010). Ranks are scattered over the region by a fixed bijection, not
 * sorted by address, so the hottest pages do not share bitmap words [REC]. Exponent 0 is uniform.
 * Per-page work runs in the Wasm core (touchTable); this class only builds the rank table.
 */
export class ZipfWorkload implements Workload {
  readonly kind = 'zipf';
  readonly cpuDemand = 1;
  private readonly table: SamplingTable;
  private readonly map: PageMap;

  constructor(
    readonly writesPerSec: number,
    region: PageRange,
    exponent: number,
    scatter: boolean,
    private readonly stream: number,
  ) {
    this.table = zipfTable(region.count, exponent);
    this.map = scatter ? scatterMap(region.start, region.count) : offsetMap(region.start, region.count);
  }

  write(store: PageStore, k: number): number {
    return store.touchTable(this.stream, this.table, this.map, k);
  }
}

/** The rank table of a Zipf law over `count` ranks with exponent `s` (uniform inside each bucket). */
export function zipfTable(count: number, s: number): SamplingTable {
  const starts: number[] = [];
  const sizes: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < count; ) {
    const size = Math.min(count - r, r < EXACT_RANKS ? 1 : Math.max(1, Math.floor(r * (GROWTH - 1))));
    starts.push(r);
    sizes.push(size);
    // Ranks r+1 .. r+size: exact for one rank, else the integral of x^−s over [r + 0.5, r + size + 0.5]
    // (the midpoint rule); exponent 0 gives exactly `size`, so the table is then exactly uniform.
    weights.push(s === 0 ? size : size === 1 ? (r + 1) ** -s : powerIntegral(r + 0.5, r + size + 0.5, s));
    r += size;
  }
  return samplingTable(starts, sizes, weights);
}

function powerIntegral(a: number, b: number, s: number): number {
  return s === 1 ? Math.log(b / a) : (b ** (1 - s) - a ** (1 - s)) / (1 - s);
}
