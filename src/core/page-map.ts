/**
 * Page lists and sampling tables handed to the core in one call (trace replay, Zipf, drifting hot sets):
 * the shapes both page stores take, the Wasm core's buffer sizes, and the placement of a rank or trace
 * page onto the VM's pages. assembly/index.ts (`touchList`, `touchTable`) implements the same arithmetic.
 */

/** Pages per touchList call: the size of the core's static page list (assembly/index.ts PAGE_LIST_CAPACITY). */
export const PAGE_LIST_CAPACITY = 8192;
/** Buckets a sampling table holds (assembly/index.ts TABLE_CAPACITY). */
export const TABLE_CAPACITY = 2048;

/**
 * Where a rank or trace page x lands: base + (a·x + b) mod count, after x >> shift. With a coprime to
 * count this is a bijection of [0, count) (the "scattered" placement); a = 1, b = 0 is the identity.
 */
export interface PageMap {
  base: number;
  count: number;
  a: number;
  b: number;
  /** log2 of how many source pages make one VM page (0 when the page sizes match). */
  shift: number;
}

/** The identity placement of [0, count) at `base`. */
export function offsetMap(base: number, count: number): PageMap {
  return { base, count, a: 1, b: 0, shift: 0 };
}

/**
 * A scattered placement of [0, count) at `base` [REC]: a multiplier near count/φ made coprime with count, so
 * neighbouring ranks land far apart and every page is hit once.
 */
export function scatterMap(base: number, count: number): PageMap {
  let a = Math.max(1, Math.floor(count * 0.6180339887)) | 1;
  while (gcd(a, count) !== 1) a += 2;
  return { base, count, a: a % Math.max(1, count) || 1, b: 0, shift: 0 };
}

/** base + (a·(x >> shift) + b) mod count, exactly (every product below 2^48). */
export function place(x: number, m: PageMap): number {
  const v = m.shift === 0 ? x : Math.floor(x / 2 ** m.shift);
  if (m.a === 1 && m.b === 0 && v < m.count) return m.base + v;
  const c = m.count;
  const aHi = Math.floor(m.a / 65536);
  const aLo = m.a % 65536;
  let r = ((aHi * v) % c) * 65536 % c;
  r = (r + ((aLo * v) % c) + (m.b % c)) % c;
  return m.base + r;
}

/**
 * Buckets to draw ranks from: bucket i holds ranks [starts[i], starts[i] + sizes[i]) and is chosen when a
 * 32-bit random value is below thresholds[i] and not below thresholds[i − 1] (the last takes the rest).
 */
export interface SamplingTable {
  length: number;
  thresholds: Uint32Array;
  starts: Uint32Array;
  sizes: Uint32Array;
}

/** A table from bucket weights (any non-negative scale); sizes must be ≥ 1. */
export function samplingTable(starts: readonly number[], sizes: readonly number[], weights: readonly number[]): SamplingTable {
  const n = starts.length;
  if (n < 1 || n > TABLE_CAPACITY) throw new Error(`samplingTable: ${n} buckets, expected 1 to ${TABLE_CAPACITY}`);
  let total = 0;
  for (const w of weights) total += w;
  const thresholds = new Uint32Array(n);
  let cum = 0;
  for (let i = 0; i < n; i++) {
    cum += weights[i]!;
    thresholds[i] = i === n - 1 ? 0xffffffff : Math.min(0xffffffff, Math.round((cum / total) * 2 ** 32));
  }
  return { length: n, thresholds, starts: Uint32Array.from(starts), sizes: Uint32Array.from(sizes) };
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
