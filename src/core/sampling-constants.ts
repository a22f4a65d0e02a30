/**
 * The constants by which the Wasm core and its TypeScript twin choose how to apply writes, and the bounds of
 * their occupancy draws. One source for both sides: assembly/index.ts imports this file (as it does
 * src/model/streams.ts) and src/core/sampling-math.ts re-exports it, so core and twin cannot disagree.
 * Every value is written as a double (`: number`, which AssemblyScript reads as f64).
 *
 * Measured costs in ns (bench/switch-points.ts and the 1 TiB / 64 GiB heavy writers of bench/one-tib.ts and
 * bench/end-to-end.ts, 2-core Debian machine under load, Node 20): a per-write touch by the footprint of the
 * region's three bitmaps (in cache, in the last-level cache, in DRAM), one region word in a pass over the three
 * bitmaps, a clean bit visited by the selection walk, one exact occupancy jump (two logarithms). They were
 * measured when a write updated three bitmaps; a write now updates one (see the core's memory map) and is
 * cheaper, but the constants are kept: they decide which of two exact-in-distribution ways runs, so changing
 * them would change every seed's draws.
 */
export const COST_TOUCH_CACHED: number = 4.5;
export const COST_TOUCH_LLC: number = 8;
export const COST_TOUCH_DRAM: number = 20;
export const CACHED_REGION_BYTES: number = 1048576;
export const LLC_REGION_BYTES: number = 16777216;
export const COST_WORD: number = 1.3;
export const COST_CLEAN_BIT: number = 5;
export const COST_JUMP: number = 40;
export const COST_SUMMARY_WORD: number = 1;
/** The mixed hot/cold loop's cost per write, in units of the slower range's touch, when the ranges differ. */
export const COST_MIXED_STALL: number = 2;
/** Steps a counting pass is shared by (a writer's region is written every step; a sync resets the count for free). */
export const COUNT_AMORTIZED_STEPS: number = 16;
/** Up to this many expected newly dirtied pages (or clean pages) the count is drawn exactly, by jumps. */
export const JUMP_MAX: number = 4096;
/** Below this many expected untouched clean pages (2^-40), every clean page is taken as hit. */
export const ALL_HIT_MISS_MAX: number = 9.094947017729282e-13;
/** Up to this many expected untouched clean pages, their count is drawn as a Poisson variate. */
export const POISSON_MAX: number = 64;
/** Up to this many expected minority outcomes, a binomial is drawn exactly by waiting times. */
export const BINOMIAL_EXACT_MAX: number = 1024;
/** Regions whose clean count the core keeps between calls (the region cache). */
export const REGION_SLOTS: number = 8;
