/** Settings shared by the migration benchmarks (kept import-light: bench/one-tib.ts's child loads it). */

/** 10 Gbit/s and 100 Gbit/s links in bytes per second. */
export const LINK_10G = 1.25e9;
export const LINK_100G = 12.5e9;

/** The hot/cold writer of every migration benchmark: the library default (25,000 writes/s, 5% hot taking 90%). */
export const HOT_COLD_WRITER = { kind: 'hot-cold', writesPerSec: 25_000, hotFraction: 0.05, hotProbability: 0.9 } as const;

export function describeWriter(): string {
  const w = HOT_COLD_WRITER;
  return `1 vCPU, hot-cold ${w.writesPerSec.toLocaleString('en-US')} writes/s, hot set ${w.hotFraction * 100}% of memory taking ${w.hotProbability * 100}% of writes`;
}

/** A heavy writer of the same shape (issue 8): most of its writes land on hot pages already dirty. */
export function heavyWriter(writesPerSec: number) {
  return { ...HOT_COLD_WRITER, writesPerSec } as const;
}
