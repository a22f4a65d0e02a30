// livemig Wasm core: guest memory as page bitmaps, seeded page-touch generators, dirty-log sync and
// scan-and-send. Every export is numeric and works on a whole window's or round's worth of pages, so the
// TypeScript host crosses the JS/Wasm boundary per window or round, never per page.
//
// Memory map (allocated once by `init`, never grown afterwards, so host views stay valid):
//   [heapBase]  counters         8 × f64 (results of the last call, read by the host through one view)
//               PRNG streams     MAX_STREAMS × 4 × u32 (xoshiro128** state, one stream per vCPU)
//   dirtyLog    ceil(N/64) × u64  bit p set = page p written since the last sync (the KVM dirty log)
//   toSend      ceil(N/64) × u64  bit p set = page p still to be sent (QEMU's migration bitmap)
//   populated   ceil(N/64) × u64  bit p set = page p written since boot (clear = zero page), but for the pages in
//                                the dirty log: populated = this | dirtyLog (a sync folds the log in)
//   ringLog     ceil(N/64) × u64  bit p set = page p logged in a KVM dirty ring since the last ring reset; while
//                                `ringFollows` the rings hold exactly the dirty log and this is not kept
//   summary     ceil(N/4096) × u64 bit w clear = bitmap word w has no clean page (a write there changes nothing)
//   lastWrite   N × u32           (trace mode only) stamp of the page's last write
//   lastSend    N × u32           (trace mode only) stamp of the page's last send
// Stamps come from a counter bumped once per touch or send call, so "write after send" is exact order.
// So a write costs one read-modify-write of one bitmap word (the dirty log's) whenever the rings follow the log
// (every sync resets them, and only a controller's ring reset parts them until the next sync): a random write
// to a large VM is a cache miss, and one miss per write instead of three is most of the touch loop's speed.
// exactViews() writes both bitmaps out in full for the host's views (tests and tools, never the engine).

// === Limits (shared with the host: src/model/streams.ts) ===
import { MAX_STREAMS } from '../src/model/streams';
import {
  ALL_HIT_MISS_MAX, BINOMIAL_EXACT_MAX, CACHED_REGION_BYTES, COST_CLEAN_BIT, COST_JUMP, COST_MIXED_STALL, COST_SUMMARY_WORD,
  COST_TOUCH_CACHED, COST_TOUCH_DRAM, COST_TOUCH_LLC, COST_WORD, COUNT_AMORTIZED_STEPS, JUMP_MAX, LLC_REGION_BYTES,
  POISSON_MAX, REGION_SLOTS as REGION_SLOT_COUNT,
} from '../src/core/sampling-constants';

// === State ===
let nPages: u32 = 0;
let nWords: u32 = 0;
let streamsPtr: usize = 0;
let dirtyPtr: usize = 0;
let sendPtr: usize = 0;
let popPtr: usize = 0;
let ringPtr: usize = 0;
/** One bit per bitmap word; clear only where the word has no clean page (see "Region cache" below). */
let summaryPtr: usize = 0;
let lastWritePtr: usize = 0;
let lastSendPtr: usize = 0;
let stamp: u32 = 0;
let initialized = false;
let countersPtr: usize = 0;

// Byte offsets in the counters block: the last scanSend's pages and bytes, the last touchSequential's fresh
// pages, and the distinct pages that were in the dirty log at the last sync.
const OUT_NORMAL: usize = 0;
const OUT_ZERO: usize = 8;
const OUT_SKIPPED: usize = 16;
const OUT_BYTES: usize = 24;
const OUT_FRESH: usize = 32;
const OUT_LOG_PAGES: usize = 40;
// scanSendWire's extra results (wire features, src/engine/wire-model.ts): the wire-byte and CPU-work sums, the
// normal pages of the compressible class, and the XBZRLE outcomes (encoded pages, their encoded data bytes,
// unchanged pages, cache misses, overflows).
const OUT_WIRE: usize = 48;
const OUT_WORK: usize = 56;
const OUT_COMP: usize = 64;
const OUT_XB_ENCODED: usize = 72;
const OUT_XB_DATA: usize = 80;
const OUT_XB_UNCHANGED: usize = 88;
const OUT_XB_MISS: usize = 96;
const OUT_XB_OVERFLOW: usize = 104;
const COUNTERS_BYTES: u64 = 128;
/** End of init's layout: where initXbzrle puts the cache (it grows the memory once more). */
let layoutEnd: u64 = 0;

// === Small helpers ===
// The bitmap passes read and write 16 bytes at a time (Wasm SIMD, asconfig.json enables it): bench/bitmap.ts.
const zero128: v128 = i64x2.splat(0);
// @ts-ignore: decorator
@inline function align8(p: usize): usize { return (p + 7) & ~(<usize>7); }
// @ts-ignore: decorator
@inline function wordAt(base: usize, w: u32): usize { return base + (<usize>w << 3); }
// @ts-ignore: decorator
@inline function rotl(x: u32, k: u32): u32 { return (x << k) | (x >>> (32 - k)); }

/** Bits of bitmap word w (at base) at or after page p and before page end. */
// @ts-ignore: decorator
@inline function wordWindow(base: usize, w: u32, p: u32, end: u32): u64 {
  let bits = load<u64>(base + (<usize>w << 3)) & (<u64>-1 << <u64>(p & 63));
  if (<u64>end < ((<u64>w + 1) << 6)) bits &= (<u64>1 << <u64>(end & 63)) - 1;
  return bits;
}

/** The first page after word w that may have a set bit: skips whole empty words in a tight loop (never past end). */
// @ts-ignore: decorator
@inline function nextNonEmpty(base: usize, w: u32, end: u32): u32 {
  let nw = w + 1;
  const lastW = (end - 1) >>> 6;
  while (nw < lastW && load<u64>(base + (<usize>nw << 3)) == 0) nw++;
  return <u32>min<u64>(<u64>nw << 6, <u64>end);
}

/** Mask of the valid bits in the last bitmap word. */
function lastWordMask(): u64 {
  const r = nPages & 63;
  return r == 0 ? <u64>-1 : ((<u64>1 << <u64>r) - 1);
}

// === Setup ===

/**
 * Allocates the bitmaps for `pages` guest pages (and per-page stamps when `trace` != 0).
 * Returns the total bytes of Wasm memory in use, or 0 when the memory cannot grow that far.
 */
export function init(pages: u32, trace: u32): f64 {
  nPages = pages;
  nWords = <u32>((<u64>pages + 63) >>> 6);
  const bitmapBytes = <u64>nWords << 3;
  let end: u64 = <u64>align8(__heap_base);
  countersPtr = <usize>end; end += COUNTERS_BYTES;
  streamsPtr = <usize>end; end += <u64>MAX_STREAMS * 16;
  dirtyPtr = <usize>end; end += bitmapBytes;
  sendPtr = <usize>end; end += bitmapBytes;
  popPtr = <usize>end; end += bitmapBytes;
  ringPtr = <usize>end; end += bitmapBytes;
  summaryPtr = <usize>end; end += <u64>((nWords + 63) >>> 6) << 3;
  if (trace != 0) {
    lastWritePtr = <usize>end; end += <u64>pages << 2;
    lastSendPtr = <usize>end; end += <u64>pages << 2;
  } else {
    lastWritePtr = 0;
    lastSendPtr = 0;
  }
  const neededPages = (end + 0xffff) >>> 16;
  const have = <u64>memory.size();
  if (neededPages > have) {
    if (neededPages > 65536) return 0;
    if (memory.grow(<i32>(neededPages - have)) < 0) return 0;
  }
  // Memory fresh from the host is zeroed; only a second init of the same instance (a core the host reuses,
  // src/core/wasm-page-store.ts) has to clear it, and put every other piece of state back as a fresh one has it.
  if (initialized) memory.fill(countersPtr, 0, <usize>(end - <u64>countersPtr));
  resetState();
  initialized = true;
  layoutEnd = end;
  fillSummary();
  return <f64>end;
}

/** The state every init starts from: each global and static buffer but the bitmaps (their one starting value). */
function resetState(): void {
  stamp = 0;
  touchMode = 0;
  s0 = 0; s1 = 0; s2 = 0; s3 = 0;
  memory.fill(slots, 0, <usize>REGION_SLOTS << 4);
  nextSlot = 0;
  ringSubset = true;
  ringFollows = true;
  viewsExact = true;
  memory.fill(spreadScratch, 0, <usize>SPREAD_PERIOD_MAX << 3);
  memory.fill(pageList, 0, <usize>PAGE_LIST_CAPACITY << 2);
  memory.fill(table, 0, <usize>TABLE_CAPACITY * 12);
  cacheEntries = 0; cacheAddrPtr = 0; cacheAgePtr = 0;
  contentSeed = 0; compThreshold = 0;
  xbActive = 0; xbGeneration = 0; xbLastStage = 0; xbChanged = 0; xbPageSize = 4096;
  memory.fill(costs, 0, 9 * 8);
  xbFrameBytes = 11; xbWork = 4096;
}

export function dirtyLogPtr(): usize { return dirtyPtr; }
export function toSendPtr(): usize { return sendPtr; }
export function populatedPtr(): usize { return popPtr; }
export function ringLogPtr(): usize { return ringPtr; }
export function lastWriteStampPtr(): usize { return lastWritePtr; }
export function lastSendStampPtr(): usize { return lastSendPtr; }
export function currentStamp(): u32 { return stamp; }
export function counterBlockPtr(): usize { return countersPtr; }

/** Seeds stream `s` with SplitMix32 expansions of `seed` (the same expansion as src/core/reference-page-store.ts). */
export function seedStream(s: u32, seed: u32): void {
  const p = streamsPtr + (<usize>s << 4);
  let z = seed;
  for (let i: u32 = 0; i < 4; i++) {
    z += 0x9e3779b9;
    let x = z;
    x = (x ^ (x >>> 16)) * 0x85ebca6b;
    x = (x ^ (x >>> 13)) * 0xc2b2ae35;
    x = x ^ (x >>> 16);
    store<u32>(p + (<usize>i << 2), x);
  }
}

/** Marks pages [0, count) populated (written since boot); the rest are zero pages. */
export function populatePrefix(count: u32): void {
  clearSlots();
  const full = count >>> 6;
  for (let w: u32 = 0; w < full; w++) store<u64>(wordAt(popPtr, w), <u64>-1);
  const r = count & 63;
  if (r != 0) {
    const a = wordAt(popPtr, full);
    store<u64>(a, load<u64>(a) | ((<u64>1 << <u64>r) - 1));
  }
}

/**
 * Populates `k` of the `n` pages of a spread (zeroPageLayout 'spread', src/engine/zero-pages.ts) that fall in
 * [start, end), evenly: a page is taken when the accumulator `acc` (+k per page) reaches n, Bresenham's rule
 * in exact integers (f64 holds them up to 2^53). Returns the accumulator for the next range.
 * The cost follows the words, not the pages: the walk jumps from one taken page to the next (after a take the
 * accumulator is below k, so the gap is one of two lengths, told apart by one comparison), and where the
 * word masks repeat with a short period (the accumulator at a word's start advances by 64k mod n per word, so
 * the masks repeat every n / gcd(64k mod n, n) words: one word for a half-populated memory) one period is
 * computed and the rest of the range is copied from it. Same bits as the per-page rule
 * (src/core/reference-page-store.ts keeps it).
 */
export function populateSpread(start: u32, end: u32, k: f64, n: f64, acc: f64): f64 {
  clearSlots();
  // The jump walk and the period copy need whole k, n and acc (exact integer arithmetic) with n a page count;
  // anything else (the engine never passes it) takes the per-page rule.
  if (end <= start || !(k > 0) || !(acc >= 0 && acc < n) || !(n <= 4294967296)
    || k != Math.floor(k) || n != Math.floor(n) || acc != Math.floor(acc)) return spreadPerPage(start, end, k, n, acc);
  if (k >= n) {
    // Every page is taken.
    for (let w = start >>> 6; w <= (end - 1) >>> 6; w++) {
      const at = wordAt(popPtr, w);
      store<u64>(at, load<u64>(at) | regionMask(w, start, end));
    }
    return acc + <f64>(end - start) * (k - n);
  }
  // Whole words of the range after its first page's word: [w0, w1).
  const w0 = <u32>((<u64>start + 63) >>> 6);
  const w1 = end >>> 6;
  if (w1 > w0 + SPREAD_PERIOD_MAX) {
    const d = (64 * k) % n;
    const period = d == 0 ? 1 : n / gcd(d, n);
    if (period <= <f64>SPREAD_PERIOD_MAX) {
      const P = <u32>period;
      const bodyStart = w0 << 6;
      let a = spreadWalk(start, bodyStart, k, n, acc, popPtr);
      // One period of masks into the scratch words, then OR them over the body.
      memory.fill(spreadScratch, 0, <usize>P << 3);
      spreadWalk(0, P << 6, k, n, a, spreadScratch);
      let j: u32 = 0;
      for (let w = w0; w < w1; w++) {
        const at = wordAt(popPtr, w);
        store<u64>(at, load<u64>(at) | load<u64>(wordAt(spreadScratch, j)));
        j++;
        if (j == P) j = 0;
      }
      // The accumulator after the body is the one after (words mod P) words: a period returns it to its start.
      a = (a + <f64>((w1 - w0) % P) * d) % n;
      return spreadWalk(w1 << 6, end, k, n, a, popPtr);
    }
  }
  return spreadWalk(start, end, k, n, acc, popPtr);
}

/** The rule page by page, for arguments the engine never passes (an accumulator outside [0, n), k <= 0). */
function spreadPerPage(start: u32, end: u32, k: f64, n: f64, acc: f64): f64 {
  for (let p = start; p < end; p++) {
    acc += k;
    if (acc >= n) {
      acc -= n;
      const a = wordAt(popPtr, p >>> 6);
      store<u64>(a, load<u64>(a) | (<u64>1 << <u64>(p & 63)));
    }
  }
  return acc;
}

/** Most words one period of spread masks may span (the scratch area). */
const SPREAD_PERIOD_MAX: u32 = 512;
const spreadScratch = memory.data(<i32>SPREAD_PERIOD_MAX << 3, 16);

function gcd(x: f64, y: f64): f64 {
  while (y != 0) { const t = x % y; x = y; y = t; }
  return x;
}

/**
 * The spread rule over pages [from, to), setting the taken pages' bits in the bitmap at `base` (page p at bit
 * p − 0 of word p >>> 6 there); returns the accumulator. Jumps from take to take: the first gap by one division
 * (exact: the quotient of integers below 2^33 never rounds across an integer), the next ones by comparison.
 */
function spreadWalk(from: u32, to: u32, k: f64, n: f64, acc: f64, base: usize): f64 {
  if (to <= from) return acc;
  const len = <f64>(to - from);
  let a = acc;
  // Pages until the first take: the s-th page takes when a + s·k reaches n.
  let s = Math.ceil((n - a) / k);
  if (s > len) return a + len * k;
  const c1 = Math.ceil(n / k) - 1;
  const kc1 = c1 * k;
  let q: f64 = s - 1; // offset of the taken page from `from`
  a = a + s * k - n;
  let curW: u32 = (from + <u32>q) >>> 6;
  let mask: u64 = 0;
  for (;;) {
    const p = from + <u32>q;
    const w = p >>> 6;
    if (w != curW) {
      const at = wordAt(base, curW);
      store<u64>(at, load<u64>(at) | mask);
      mask = 0;
      curW = w;
    }
    mask |= <u64>1 << <u64>(p & 63);
    // Next gap: c − 1 pages when a + (c − 1)·k reaches n, else c.
    const t = a + kc1;
    const shortGap = t >= n;
    s = shortGap ? c1 : c1 + 1;
    if (q + s >= len) break;
    q += s;
    a = shortGap ? t - n : t + k - n;
  }
  const at = wordAt(base, curW);
  store<u64>(at, load<u64>(at) | mask);
  return a + (len - 1 - q) * k;
}

/** Sets every page in the to-send bitmap (the start of migration: all of RAM must go). */
export function markAllToSend(): void {
  if (nWords == 0) return;
  for (let w: u32 = 0; w < nWords - 1; w++) store<u64>(wordAt(sendPtr, w), <u64>-1);
  store<u64>(wordAt(sendPtr, nWords - 1), lastWordMask());
}

// === Page touches ===
//
// A write changes the store only when its page is "clean": not in the dirty log, or, once a ring reset has
// parted the rings from the log, not in both log and ring (cleanWord). Most writes of a heavy writer change
// nothing. Two ways to apply k uniform writes over a region of H pages, exact in distribution alike:
//  - the per-write loop: k PRNG draws, k touches (cost ∝ k);
//  - occupancy sampling: with the region's C clean pages known (the region cache below keeps the count across
//    calls), draw how many of them k writes hit (the occupancy distribution), then pick that many uniformly
//    among them: by rejection while most are clean, else by a walk over the region's clean bits that skips
//    full words through the summary bitmap (selection sampling, Knuth TAOCP vol. 2 §3.4.2 Algorithm S).
// preferCount and preferSample choose between them, pickClean between the two pickers, and preferSplit whether
// a hot/cold step is split into its two ranges, all from the measured costs (src/core/sampling-constants.ts).
// Trace mode stamps every written page, so it always loops. src/core/reference-page-store.ts repeats every
// step, draw for draw.

/** 0: choose by cost; 1: always the per-write loop; 2: occupancy sampling whenever not tracing. */
let touchMode: u32 = 0;
/** The kept clean count of region [start, start + count), or -1 when none is kept (tests check it against a count). */
export function keptClean(start: u32, count: u32): f64 {
  for (let i: u32 = 0; i < REGION_SLOTS; i++) {
    const a = slotAt(i);
    if (load<u32>(a) == start && load<u32>(a, 4) == count && load<u32>(a, 12) != 0) return <f64>load<u32>(a, 8);
  }
  return -1;
}
/** Sets the touch strategy (tests and benchmarks force one; runs keep 0). */
export function setTouchMode(mode: u32): void { touchMode = mode; }

// Costs and draw bounds: src/core/sampling-constants.ts (imported at the top, shared with the twin).

// @ts-ignore: decorator
@inline function touchCost(count: f64): f64 {
  const bytes = count * (3.0 / 8.0);
  return bytes <= CACHED_REGION_BYTES ? COST_TOUCH_CACHED : bytes <= LLC_REGION_BYTES ? COST_TOUCH_LLC : COST_TOUCH_DRAM;
}
/** Whether k writes cost more than the two passes sampling makes over the region's words (count, then walk). */
function preferPass(count: u32, k: f64): bool {
  return k * touchCost(<f64>count) > 2 * COST_WORD * <f64>((count >>> 6) + 1);
}
/**
 * Whether k writes cost more than a counting pass shared by the steps that follow: once counted, a region's
 * count is kept (the loops keep it up to date), so the pass is paid once per sync, not per step.
 */
function preferCount(count: u32, k: f64): bool {
  return k * touchCost(<f64>count) * COUNT_AMORTIZED_STEPS > COST_WORD * <f64>((count >>> 6) + 1);
}
/** Expected draws of the rejection picker taking m of c clean pages among h: h·(1/c + … + 1/(c−m+1)). */
function rejectDraws(h: u32, c: f64, m: f64): f64 {
  return m <= 0 ? 0 : <f64>h * ln((c + 0.5) / (c - m + 0.5));
}
/** Cost of the walk over the region's clean bits (its summary words, its words with clean pages, the bits). */
function walkCost(count: u32, c: f64): f64 {
  return COST_SUMMARY_WORD * <f64>((count >>> 12) + 1) + COST_WORD * min(c, <f64>((count >>> 6) + 1)) + COST_CLEAN_BIT * c;
}
/**
 * Whether sampling (the clean count known: C clean pages) is cheaper than k touches: drawing the count (exact
 * jumps cost one per new page) and picking the pages, by rejection or by the walk, whichever is cheaper.
 */
function preferSample(count: u32, k: f64, clean: u32): bool {
  const c = <f64>clean;
  const mu = c * -expm1(k * ln1m(1 / <f64>count));
  const draw = c <= JUMP_MAX || mu <= JUMP_MAX ? COST_JUMP * (min(mu, c) + 1) : 2 * COST_JUMP;
  const pick = min(touchCost(<f64>count) * rejectDraws(count, c, mu), walkCost(count, c));
  return k * touchCost(<f64>count) > draw + pick;
}

// --- PRNG: xoshiro128** (Blackman & Vigna), one stream per vCPU, state in memory between calls ---

// Working copy of one stream, for the sampling code (the touch loops keep theirs in locals).
let s0: u32 = 0;
let s1: u32 = 0;
let s2: u32 = 0;
let s3: u32 = 0;

// @ts-ignore: decorator
@inline function loadStream(s: u32): void {
  const p = streamsPtr + (<usize>s << 4);
  s0 = load<u32>(p); s1 = load<u32>(p, 4); s2 = load<u32>(p, 8); s3 = load<u32>(p, 12);
}
// @ts-ignore: decorator
@inline function saveStream(s: u32): void {
  const p = streamsPtr + (<usize>s << 4);
  store<u32>(p, s0); store<u32>(p, s1, 4); store<u32>(p, s2, 8); store<u32>(p, s3, 12);
}
// @ts-ignore: decorator
@inline function next32(): u32 {
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}
/** Maps a 32-bit random value onto [0, n) (multiply-shift, no division). */
// @ts-ignore: decorator
@inline function below(r: u32, n: u32): u32 { return <u32>((<u64>r * <u64>n) >>> 32); }
/** A uniform double in (0, 1). */
// @ts-ignore: decorator
@inline function unit(): f64 { return (<f64>next32() + 0.5) * (1.0 / 4294967296.0); }

// --- Elementary functions from +, −, ×, ÷ and sqrt only (IEEE-exact in Wasm and in JS alike), so the TS twin
// computes the very same doubles; Math.log/exp differ between V8 and AssemblyScript in the last bit. ---

const LN2_HI: f64 = 6.93147180369123816490e-01; // fdlibm's split of ln 2
const LN2_LO: f64 = 1.90821492927058770002e-10;

/** 2·atanh(s) = ln((1+s)/(1−s)) for |s| ≤ 0.1716 (series to s^19). */
// @ts-ignore: decorator
@inline function atanh2(s: f64): f64 {
  const z = s * s;
  return 2 * s * (1 + z * (1.0 / 3 + z * (1.0 / 5 + z * (1.0 / 7 + z * (1.0 / 9 + z * (1.0 / 11 + z * (1.0 / 13
    + z * (1.0 / 15 + z * (1.0 / 17 + z * (1.0 / 19))))))))));
}
/** ln x for a normal positive x. */
function ln(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let e = <f64>(<i32>((bits >>> 52) & 0x7ff) - 1023);
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
  if (m > 1.4142135623730951) { m *= 0.5; e += 1; }
  return e * LN2_HI + (atanh2((m - 1) / (m + 1)) + e * LN2_LO);
}
/** ln(1 − p) for 0 ≤ p < 1, accurate for tiny p. */
function ln1m(p: f64): f64 {
  return p < 0.25 ? atanh2(-p / (2 - p)) : ln(1 - p);
}
/** 2^k for an integer −1074 ≤ k ≤ 1023. */
function pow2(k: f64): f64 {
  if (k >= -1022) return reinterpret<f64>(<u64>(<i64>k + 1023) << 52);
  return reinterpret<f64>(<u64>(<i64>k + 1223) << 52) * reinterpret<f64>(<u64>(1023 - 200) << 52);
}
/** e^x − 1 for x ≤ 0 (Taylor to x^15 near 0, else from exp). */
function expm1(x: f64): f64 {
  if (x > -0.5) {
    return x * (1 + x * (1.0 / 2 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720 + x * (1.0 / 5040
      + x * (1.0 / 40320 + x * (1.0 / 362880 + x * (1.0 / 3628800 + x * (1.0 / 39916800 + x * (1.0 / 479001600
      + x * (1.0 / 6227020800 + x * (1.0 / 87178291200 + x * (1.0 / 1307674368000)))))))))))))));
  }
  return exp(x) - 1;
}
/** e^x for x ≤ 0. */
function exp(x: f64): f64 {
  if (x < -745) return 0;
  const k = Math.floor(x * 1.4426950408889634 + 0.5);
  const r = (x - k * LN2_HI) - k * LN2_LO;
  return (1 + expm1Small(r)) * pow2(k);
}
/** e^r − 1 for |r| ≤ ln2/2 (Taylor to r^14). */
// @ts-ignore: decorator
@inline function expm1Small(r: f64): f64 {
  return r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040
    + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600
    + r * (1.0 / 6227020800 + r * (1.0 / 87178291200))))))))))))));
}
/** The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
function normalQuantile(p: f64): f64 {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * ln(p));
    return (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q - 2.549732539343734e+00) * q
      + 4.374664141464968e+00) * q + 2.938163982698783e+00) / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q
      + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r
    - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r
    - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1);
}

// Draw buffer. The hot loops (the lean touch loops, the rejection picker) draw a chunk of pages into it, then
// write them: the same draws in the same order, but each loop is small enough for V8 to keep the PRNG state in
// registers (one loop doing both spills it, and a store-to-load round trip joins the state's dependency chain),
// and the write loop keeps more cache misses in flight (bench/touches: about 1.2x at 64 GiB, 1.5x at 256 GiB).
const DRAW_CHUNK: u32 = 2048;
const drawBuffer = memory.data(<i32>DRAW_CHUNK << 2, 16);

// --- Random variates (on the working stream s0..s3) ---

/**
 * How many of `clean` clean pages k uniform writes over `h` pages hit: the occupancy count. Exact (waiting times
 * between new pages, geometric with p = clean left / h) when few are expected or few are clean; a Poisson count
 * of the pages missed when few are missed (its variance is within 1.2 % of the exact one for clean > JUMP_MAX);
 * otherwise normal with the exact mean and variance. Never more than min(clean, k).
 */
function drawOccupancy(clean: u32, h: f64, k: f64): u32 {
  const c = <f64>clean;
  const H = <f64>h;
  const t1 = k * ln1m(1 / H);
  const hit = -expm1(t1); // P(a given clean page is hit)
  const mu = c * hit;
  const qk = exp(t1); // P(a given clean page is missed)
  const missed = c * qk;
  // Every clean page is hit but with a probability below c·(1 − 1/h)^k < 2^-40: take them all without the
  // c jumps (a step of hours at a high write rate over a small clean set).
  if (missed < ALL_HIT_MISS_MAX) return clean;
  if (c <= JUMP_MAX || mu <= JUMP_MAX) {
    let x: u32 = 0;
    let used: f64 = 0;
    while (x < clean) {
      const p = <f64>(clean - x) / H;
      used += p >= 1 ? 1 : Math.floor(ln(unit()) / ln1m(p)) + 1;
      if (used > k) break;
      x++;
    }
    return x;
  }
  if (missed <= POISSON_MAX) {
    const u = unit();
    let n: f64 = 0;
    let term = exp(-missed);
    let cdf = term;
    while (u > cdf && n < c) { n += 1; term *= missed / n; cdf += term; }
    return <u32>(c - n);
  }
  // Var = C(C−1)(1−2/H)^k + C q^k − C² q^2k, rearranged to avoid cancellation: (1−2/H) = q²(1 − 1/(H−1)²).
  const pairGap = -expm1(k * ln1m(1 / ((H - 1) * (H - 1))));
  const variance = max(0.0, missed * hit - c * (c - 1) * qk * qk * pairGap);
  const x = Math.floor(mu + Math.sqrt(variance) * normalQuantile(unit()) + 0.5);
  return <u32>max(0.0, min(x, min(c, k)));
}

/**
 * Binomial(n, p / 2^32) for 0 < p < 2^32: exact by waiting times on the rarer outcome when it is expected at
 * most BINOMIAL_EXACT_MAX times, else normal with the exact mean and variance (n·p·q > 500 there).
 */
function drawBinomial(n: f64, p32: u32): f64 {
  const p = <f64>p32 * (1.0 / 4294967296.0);
  const flip = p > 0.5;
  const side = flip ? 1 - p : p;
  const m = n * side;
  let x: f64 = 0;
  if (m <= BINOMIAL_EXACT_MAX) {
    const l = ln1m(side);
    let used: f64 = 0;
    for (;;) {
      used += Math.floor(ln(unit()) / l) + 1;
      if (used > n) break;
      x += 1;
    }
  } else {
    x = max(0.0, min(n, Math.floor(m + Math.sqrt(m * (1 - side)) * normalQuantile(unit()) + 0.5)));
  }
  return flip ? n - x : x;
}

// --- Region bitmap walks ---

/** Mask of the region's bits in word w of region [start, end). */
// @ts-ignore: decorator
@inline function regionMask(w: u32, start: u32, end: u32): u64 {
  let m: u64 = <u64>-1;
  if (w == start >>> 6) m &= <u64>-1 << <u64>(start & 63);
  if (w == (end - 1) >>> 6 && (end & 63) != 0) m &= (<u64>1 << <u64>(end & 63)) - 1;
  return m;
}
// @ts-ignore: decorator
@inline function cleanWord(off: usize): u64 {
  // A logged page is populated, so clean = not in both ring and log (not in the log, while the rings follow it).
  const d = load<u64>(dirtyPtr + off);
  return ringFollows ? ~d : ~(d & load<u64>(ringPtr + off));
}
/** The populated bits of word at `off` (the stored ones and the dirty log's). */
// @ts-ignore: decorator
@inline function popWordAt(off: usize): u64 {
  return load<u64>(popPtr + off) | load<u64>(dirtyPtr + off);
}
// --- Region cache: the clean count of the regions the writers use, kept across calls ---
//
// Between two steps of a writer its region's clean pages change only by writes (each write makes a clean page
// unclean), and every sync or ring reset makes every page clean again (the dirty log or the ring is empty). So
// the core keeps, for the last REGION_SLOTS regions written, their clean count: a write through a region's
// loop or sampler subtracts the pages it made unclean (the ring entries it made, while ring ⊆ dirty log; see
// ringSubset), a write that overlaps another cached region forgets that one, a sync or reset sets every
// count to its region's size. A sampled step then needs no counting pass. The summary bitmap does the same
// for the walks: a clear bit marks a word with no clean page, cleared by the walks that find one, so a walk
// over a saturated region reads one summary word per 64 of its words. The host's twin
// (src/core/reference-page-store.ts) keeps the same slots, so both take the same decisions.

const REGION_SLOTS: u32 = <u32>REGION_SLOT_COUNT;
// Per slot: u32 start, u32 count, u32 clean, u32 valid.
const slots = memory.data(<i32>REGION_SLOTS * 16, 16);
let nextSlot: u32 = 0;
/** ring ⊆ dirty log (every path but a sync that keeps the rings): a page made unclean then made a ring entry. */
let ringSubset = false; // every global's starting value: resetState
/** The rings hold exactly the dirty log (since the last sync that reset them, with no ring reset since): ringLog is not kept. */
let ringFollows = false;
/** The stored populated and ring bitmaps are exact (exactViews ran since the last write, sync or reset). */
let viewsExact = false;

// @ts-ignore: decorator
@inline function slotAt(i: u32): usize { return slots + (<usize>i << 4); }

function clearSlots(): void {
  for (let i: u32 = 0; i < REGION_SLOTS; i++) store<u32>(slotAt(i), 0, 12);
}
/** Every page clean again (the log or the rings emptied): each cached region's count is its size. */
function resetSlots(): void {
  for (let i: u32 = 0; i < REGION_SLOTS; i++) {
    const a = slotAt(i);
    if (load<u32>(a, 4) != 0) { store<u32>(a, load<u32>(a, 4), 8); store<u32>(a, 1, 12); }
  }
}
function fillSummary(): void {
  memory.fill(summaryPtr, 0xff, <usize>((nWords + 63) >>> 6) << 3);
}
/** The slot of region [start, start + count), taking the next one (not yet valid) when it has none. */
function slotFor(start: u32, count: u32): u32 {
  for (let i: u32 = 0; i < REGION_SLOTS; i++) {
    const a = slotAt(i);
    if (load<u32>(a) == start && load<u32>(a, 4) == count) return i;
  }
  const i = nextSlot;
  nextSlot = (nextSlot + 1) % REGION_SLOTS;
  const a = slotAt(i);
  store<u32>(a, start); store<u32>(a, count, 4); store<u32>(a, 0, 8); store<u32>(a, 0, 12);
  return i;
}
// @ts-ignore: decorator
@inline function slotValid(i: u32): bool { return load<u32>(slotAt(i), 12) != 0; }
// @ts-ignore: decorator
@inline function slotClean(i: u32): u32 { return load<u32>(slotAt(i), 8); }
/**
 * Slot i's region had `made` clean pages made unclean (exactly, or, with `exact` false, the ring entries of a
 * loop while the rings are not inside the log: then its count is forgotten); other regions it overlaps forget theirs.
 */
function noteWrites(i: u32, made: u32, exact: bool): void {
  const a = slotAt(i);
  if (exact || ringSubset) store<u32>(a, load<u32>(a, 8) - made, 8); else store<u32>(a, 0, 12);
  const s0 = load<u32>(a), e0 = <u64>s0 + <u64>load<u32>(a, 4);
  for (let j: u32 = 0; j < REGION_SLOTS; j++) {
    if (j == i) continue;
    const b = slotAt(j);
    const s1 = load<u32>(b), e1 = <u64>s1 + <u64>load<u32>(b, 4);
    if (<u64>s1 < e0 && <u64>s0 < e1) store<u32>(b, 0, 12);
  }
}

/** Clean pages (a write would change them) in [start, start + count), read where the summary says there are some. */
function countClean(start: u32, count: u32): u32 {
  const end = start + count;
  const w0 = start >>> 6;
  const w1 = (end - 1) >>> 6;
  let n: u32 = 0;
  for (let sw = w0 >>> 6; sw <= w1 >>> 6; sw++) {
    const sa = wordAt(summaryPtr, sw);
    let sbits = load<u64>(sa) & regionMask(sw, w0, w1 + 1);
    let full: u64 = 0;
    while (sbits != 0) {
      const b = ctz(sbits);
      sbits &= sbits - 1;
      const w = (sw << 6) + <u32>b;
      const cw = cleanWord(<usize>w << 3);
      if (cw == 0) full |= <u64>1 << b;
      n += <u32>popcnt(cw & regionMask(w, start, end));
    }
    if (full != 0) store<u64>(sa, load<u64>(sa) & ~full);
  }
  return n;
}
/** The region's clean count: its slot's, or counted (and kept in the slot). */
function cleanOf(i: u32, start: u32, count: u32): u32 {
  if (slotValid(i)) return slotClean(i);
  const c = countClean(start, count);
  const a = slotAt(i);
  store<u32>(a, c, 8); store<u32>(a, 1, 12);
  return c;
}
/** Writes the pages of `bits` in word at `off`; returns how many made dirty-ring entries. */
// @ts-ignore: decorator
@inline function writeWord(off: usize, bits: u64): u32 {
  const d = load<u64>(dirtyPtr + off);
  store<u64>(dirtyPtr + off, d | bits);
  if (ringFollows) return <u32>popcnt(bits & ~d);
  const old = load<u64>(ringPtr + off);
  store<u64>(ringPtr + off, old | bits);
  return <u32>popcnt(bits & ~old);
}
/**
 * Writes `pick` of the `clean` clean pages of [start, start + count), each subset equally likely: in page order,
 * each clean page is taken with probability (still to pick) / (clean pages left) (Algorithm S). Words the
 * summary marks full are skipped (they have no clean page). Returns the dirty-ring entries made.
 */
function writeClean(start: u32, count: u32, clean: u32, pick: u32): u32 {
  const end = start + count;
  const w0 = start >>> 6;
  const w1 = (end - 1) >>> 6;
  let left = clean;
  let need = pick;
  let fresh: u32 = 0;
  for (let sw = w0 >>> 6; sw <= w1 >>> 6 && need > 0; sw++) {
    const sa = wordAt(summaryPtr, sw);
    let sbits = load<u64>(sa) & regionMask(sw, w0, w1 + 1);
    let full: u64 = 0;
    while (sbits != 0 && need > 0) {
      const sb = ctz(sbits);
      sbits &= sbits - 1;
      const w = (sw << 6) + <u32>sb;
      const off = <usize>w << 3;
      const cw = cleanWord(off);
      let bits = cw & regionMask(w, start, end);
      if (bits == 0) {
        if (cw == 0) full |= <u64>1 << sb;
        continue;
      }
      let take: u64 = 0;
      if (need < left) {
        // Branch-free: the take is a coin with odds need/left, so a branch would mispredict half the time.
        // The stream in locals: next32() would load and store its four globals once per clean bit.
        let a = s0, b = s1, c = s2, d = s3;
        while (bits != 0 && need < left && need > 0) {
          const low = bits & (~bits + 1);
          bits ^= low;
          const r = rotl(b * 5, 7) * 9;
          const t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
          const hit = <u32>(below(r, left) < need);
          take |= low & (<u64>0 - <u64>hit);
          need -= hit;
          left--;
        }
        s0 = a; s1 = b; s2 = c; s3 = d;
        // Once every clean page left must go, the rest of the word goes whole.
        if (need == left) { take |= bits; need -= <u32>popcnt(bits); left = need; }
      } else {
        const n = <u32>popcnt(bits);
        need -= n;
        left -= n;
        take = bits;
      }
      fresh += writeWord(off, take);
      if ((cw & ~take) == 0) full |= <u64>1 << sb;
    }
    if (full != 0) store<u64>(sa, load<u64>(sa) & ~full);
  }
  return fresh;
}
/**
 * Writes `pick` distinct clean pages of [start, start + count), each subset equally likely: uniform draws
 * over the region, kept when the page is still clean (cheap while most of the region is clean). Returns the
 * dirty-ring entries made. Draws come in chunks of at most the pages still to pick, so the chunk that
 * completes the pick ends with it: the very draws a one-at-a-time loop makes, with the state in locals.
 */
function rejectClean(start: u32, count: u32, pick: u32): u32 {
  const dl = dirtyPtr, rp = ringPtr, rf = ringFollows;
  const n = <u64>count;
  let a = s0, b = s1, c = s2, d = s3;
  let need = pick;
  let fresh: u32 = 0;
  while (need > 0) {
    const end = drawBuffer + (<usize>min(need, DRAW_CHUNK) << 2);
    for (let q = drawBuffer; q < end; q += 4) {
      const r = rotl(b * 5, 7) * 9;
      const t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
      store<u32>(q, start + <u32>((<u64>r * n) >>> 32));
    }
    if (rf) {
      // While the rings follow the log, a page is clean when not in the log, and taking it makes a ring entry.
      need -= writeDrawn(end, 0, 0);
    } else {
      for (let q = drawBuffer; q < end; q += 4) {
        const p = load<u32>(q);
        const off = <usize>(p >>> 6) << 3;
        const bit = <u64>1 << <u64>(p & 63);
        const old = load<u64>(dl + off);
        const ring = load<u64>(rp + off);
        // A page in both log and ring is not clean; writing it again changes neither word, so no branch.
        store<u64>(dl + off, old | bit);
        store<u64>(rp + off, ring | bit);
        fresh += <u32>((ring & bit) == 0);
        need -= <u32>((old & ring & bit) == 0);
      }
    }
  }
  s0 = a; s1 = b; s2 = c; s3 = d;
  return rf ? pick : fresh; // following the log, every page taken is a new ring entry
}
/** Writes `pick` of the `clean` clean pages of the region by the cheaper picker (the same choice as the twin's). */
function pickClean(start: u32, count: u32, clean: u32, pick: u32): u32 {
  if (pick == 0) return 0;
  if (touchCost(<f64>count) * rejectDraws(count, <f64>clean, <f64>pick) <= walkCost(count, <f64>clean)) return rejectClean(start, count, pick);
  return writeClean(start, count, clean, pick);
}

// --- Touch loops (PRNG state in locals, bitmap bases hoisted, a lean loop body for the common case) ---

/** A write while the rings follow the log: one read-modify-write of the log; a new entry when the page was not in it. */
// @ts-ignore: decorator
@inline function touchLog(dl: usize, p: u32): u32 {
  const off = <usize>(p >>> 6) << 3;
  const bit = <u64>1 << <u64>(p & 63);
  const old = load<u64>(dl + off);
  store<u64>(dl + off, old | bit);
  return <u32>((old & bit) == 0);
}
/** A write in either ring mode (rf: the rings follow the log), stamped when tracing (lw != 0). */
// @ts-ignore: decorator
@inline function touchAny(dl: usize, rp: usize, lw: usize, st: u32, rf: bool, p: u32): u32 {
  const off = <usize>(p >>> 6) << 3;
  const bit = <u64>1 << <u64>(p & 63);
  const d = load<u64>(dl + off);
  store<u64>(dl + off, d | bit);
  let f: u32;
  if (rf) {
    f = <u32>((d & bit) == 0);
  } else {
    const old = load<u64>(rp + off);
    store<u64>(rp + off, old | bit);
    f = <u32>((old & bit) == 0);
  }
  if (lw != 0) store<u32>(lw + (<usize>p << 2), st);
  return f;
}

/**
 * Writes the pages drawn into the draw buffer up to `end`, while the rings follow the log. Returns the new ring
 * entries; those in [hs, hs + hc) go to drawnHot. Counted by range: where a hot/cold writer's ranges are
 * disjoint that is the range drawn, and overlapping ranges forget both kept counts (noteWrites).
 */
function writeDrawn(end: usize, hs: u32, hc: u32): u32 {
  const dl = dirtyPtr;
  let fresh: u32 = 0, hot: u32 = 0;
  for (let q = drawBuffer; q < end; q += 4) {
    const p = load<u32>(q);
    const f = touchLog(dl, p);
    fresh += f;
    hot += f & <u32>(p - hs < hc);
  }
  drawnHot = hot;
  return fresh;
}
/** The ring entries the last writeDrawn made in its hot range. */
let drawnHot: u32 = 0;

function loopUniform(s: u32, start: u32, count: u32, k: u32): u32 {
  const sp = streamsPtr + (<usize>s << 4);
  let a = load<u32>(sp), b = load<u32>(sp, 4), c = load<u32>(sp, 8), d = load<u32>(sp, 12);
  const dl = dirtyPtr, rp = ringPtr, lw = lastWritePtr, st = stamp, rf = ringFollows;
  const n = <u64>count;
  let fresh: u32 = 0;
  if (lw == 0 && rf) {
    for (let left = k; left > 0;) {
      const m = min(left, DRAW_CHUNK);
      const end = drawBuffer + (<usize>m << 2);
      for (let q = drawBuffer; q < end; q += 4) {
        const r = rotl(b * 5, 7) * 9;
        const t = b << 9;
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
        store<u32>(q, start + <u32>((<u64>r * n) >>> 32));
      }
      fresh += writeDrawn(end, 0, 0);
      left -= m;
    }
  } else {
    for (let i: u32 = 0; i < k; i++) {
      const r = rotl(b * 5, 7) * 9;
      const t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
      fresh += touchAny(dl, rp, lw, st, rf, start + <u32>((<u64>r * n) >>> 32));
    }
  }
  store<u32>(sp, a); store<u32>(sp, b, 4); store<u32>(sp, c, 8); store<u32>(sp, d, 12);
  return fresh;
}

function loopHotCold(s: u32, hs: u32, hc: u32, cs: u32, cc: u32, hp: u32, k: u32): u32 {
  const sp = streamsPtr + (<usize>s << 4);
  let a = load<u32>(sp), b = load<u32>(sp, 4), c = load<u32>(sp, 8), d = load<u32>(sp, 12);
  const dl = dirtyPtr, rp = ringPtr, lw = lastWritePtr, st = stamp, rf = ringFollows;
  let fresh: u32 = 0;
  let hf: u32 = 0;
  if (lw == 0 && rf) {
    for (let left = k; left > 0;) {
      const m = min(left, DRAW_CHUNK);
      const end = drawBuffer + (<usize>m << 2);
      for (let q = drawBuffer; q < end; q += 4) {
        const pick = rotl(b * 5, 7) * 9;
        let t = b << 9;
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
        const r = rotl(b * 5, 7) * 9;
        t = b << 9;
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
        const hot = pick < hp;
        store<u32>(q, select<u32>(hs, cs, hot) + <u32>((<u64>r * <u64>select<u32>(hc, cc, hot)) >>> 32));
      }
      fresh += writeDrawn(end, hs, hc);
      hf += drawnHot;
      left -= m;
    }
  } else {
    for (let i: u32 = 0; i < k; i++) {
      const pick = rotl(b * 5, 7) * 9;
      let t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
      const r = rotl(b * 5, 7) * 9;
      t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
      const hot = pick < hp;
      const f = touchAny(dl, rp, lw, st, rf, select<u32>(hs, cs, hot) + <u32>((<u64>r * <u64>select<u32>(hc, cc, hot)) >>> 32));
      fresh += f;
      hf += f & <u32>hot;
    }
  }
  store<u32>(sp, a); store<u32>(sp, b, 4); store<u32>(sp, c, 8); store<u32>(sp, d, 12);
  // Both ranges' kept counts, after the loop (which never reads them).
  noteWrites(slotFor(hs, hc), hf, false);
  noteWrites(slotFor(cs, cc), fresh - hf, false);
  return fresh;
}

/** k uniform writes over [start, start + count) by the cheaper exact-in-distribution way; see above. */
function uniformWrites(s: u32, start: u32, count: u32, k: u32): u32 {
  if (k == 0 || count == 0) return 0; // an empty region takes no writes
  const slot = slotFor(start, count);
  // Without a kept count, sampling first needs a counting pass: loop when the writes cost less than its share.
  if (lastWritePtr != 0 || touchMode == 1 || (touchMode == 0 && !slotValid(slot) && !preferCount(count, <f64>k))) {
    const f = loopUniform(s, start, count, k);
    noteWrites(slot, f, false);
    return f;
  }
  const clean = cleanOf(slot, start, count);
  if (clean == 0) return 0;
  if (touchMode == 0 && !preferSample(count, <f64>k, clean)) {
    const f = loopUniform(s, start, count, k);
    noteWrites(slot, f, false);
    return f;
  }
  return sampleWrites(s, slot, start, count, clean, <f64>count, <f64>k);
}

/**
 * One sampled step on region [start, start + count) (its slot and its `clean` pages known): the occupancy of k
 * writes over h pages (h = count, or count / share when another range takes the rest), picked among the clean.
 */
function sampleWrites(s: u32, slot: u32, start: u32, count: u32, clean: u32, h: f64, k: f64): u32 {
  loadStream(s);
  const pick = drawOccupancy(clean, h, k);
  const fresh = pickClean(start, count, clean, pick);
  saveStream(s);
  noteWrites(slot, pick, true);
  return fresh;
}

/**
 * Whether drawing the hot share (a binomial) and looping over each range on its own costs less than the mixed
 * loop. Where the ranges' bitmaps sit in different cache levels, the mixed loop runs at about twice the
 * slower range's cost per write for every write (the far range's misses stall the near range's writes:
 * bench/native at 64 GiB, 5 % hot taking 90 %: 17.9 ns per write mixed, 3.3 ns hot and 7.4 ns cold alone).
 */
function preferSplit(hotCount: u32, coldCount: u32, k: f64, hotShare: f64): bool {
  const th = touchCost(<f64>hotCount), tc = touchCost(<f64>coldCount);
  const minority = min(hotShare, k - hotShare);
  const binomial = minority <= BINOMIAL_EXACT_MAX ? COST_JUMP * (minority + 1) : 2 * COST_JUMP;
  const mixed = k * (th == tc ? th : COST_MIXED_STALL * max(th, tc));
  return mixed > binomial + hotShare * th + (k - hotShare) * tc;
}

/**
 * Whether k writes over a region would rather not be looped together with the other range: when a pass would
 * pay (the range is then taken on its own, as a uniform writer), or its kept clean count makes sampling pay.
 */
function wantsSample(start: u32, count: u32, k: f64): bool {
  const slot = slotFor(start, count);
  if (preferPass(count, k)) return true;
  if (!slotValid(slot)) return false;
  const clean = slotClean(slot);
  return clean == 0 || preferSample(count, k, clean);
}

/**
 * Performs `k` writes uniformly at random over pages [start, start + count) with stream `s`.
 * Returns how many writes made dirty-ring entries.
 */
export function touchUniform(s: u32, start: u32, count: u32, k: u32): u32 {
  stamp++;
  viewsExact = false;
  return uniformWrites(s, start, count, k);
}

/**
 * Performs `k` writes with stream `s`: each goes to the hot range with probability hotProb / 2^32,
 * else to the cold range; uniform within the chosen range. Returns the dirty-ring entries made.
 * When sampling pays for either range, the hot share is drawn as a binomial and each range takes its share
 * as a uniform writer.
 */
export function touchHotCold(
  s: u32, hotStart: u32, hotCount: u32, coldStart: u32, coldCount: u32, hotProb: u32, k: u32,
): u32 {
  stamp++;
  viewsExact = false;
  // An empty range takes no writes: they all go to the other one (as src/workloads/hot-cold.ts does itself).
  if (coldCount == 0) return uniformWrites(s, hotStart, hotCount, k);
  if (hotCount == 0) return uniformWrites(s, coldStart, coldCount, k);
  if (lastWritePtr != 0 || touchMode == 1 || k == 0 || hotProb == 0) {
    return loopHotCold(s, hotStart, hotCount, coldStart, coldCount, hotProb, k);
  }
  const hot = slotFor(hotStart, hotCount), cold = slotFor(coldStart, coldCount);
  const kf = <f64>k;
  if (slotValid(hot) && slotValid(cold)) {
    const ch = slotClean(hot), cc = slotClean(cold);
    // Both ranges saturated: no write can change anything, whatever the split.
    if (ch == 0 && cc == 0) return 0;
    if (ch == 0 || cc == 0) {
      // Only one range can change. Each of the k writes hits a given page of it with probability share / its
      // pages, so its newly dirtied pages follow the occupancy of k writes over pages / share pages (the
      // other range absorbing the rest): no binomial split needed.
      const toHot = cc == 0;
      const share = toHot ? <f64>hotProb * (1.0 / 4294967296.0) : 1 - <f64>hotProb * (1.0 / 4294967296.0);
      const start = toHot ? hotStart : coldStart, count = toHot ? hotCount : coldCount;
      return sampleWrites(s, toHot ? hot : cold, start, count, toHot ? ch : cc, <f64>count / share, kf);
    }
  }
  const hotShare = kf * (<f64>hotProb * (1.0 / 4294967296.0));
  if (touchMode == 0 && !wantsSample(hotStart, hotCount, hotShare) && !wantsSample(coldStart, coldCount, kf - hotShare)
    && !preferSplit(hotCount, coldCount, kf, hotShare)) {
    return loopHotCold(s, hotStart, hotCount, coldStart, coldCount, hotProb, k);
  }
  loadStream(s);
  const kh = <u32>drawBinomial(kf, hotProb);
  saveStream(s);
  return uniformWrites(s, hotStart, hotCount, kh) + uniformWrites(s, coldStart, coldCount, k - kh);
}

/**
 * Performs `k` writes sweeping pages [start, start + count) in order from offset `cursor`, wrapping at the
 * end (guestperf's stress loop). Returns the new cursor; the newly dirtied count is in lastFresh().
 * Writes past one full sweep hit pages this call already wrote, so only the first min(k, count) are applied,
 * a word at a time.
 */
export function touchSequential(start: u32, count: u32, cursor: u32, k: u32): u32 {
  stamp++;
  viewsExact = false;
  clearSlots();
  const n = min(k, count);
  let fresh: u32 = 0;
  // [cursor, cursor + n) then, after the wrap, [0, n − (count − cursor)) of the region.
  const first = min(n, count - cursor);
  fresh += writeRange(start + cursor, first);
  if (n > first) fresh += writeRange(start, n - first);
  store<f64>(countersPtr, <f64>fresh, OUT_FRESH);
  return <u32>((<u64>cursor + <u64>k) % <u64>count);
}
/** Writes every page of [p, p + n); returns the dirty-ring entries made. */
function writeRange(p: u32, n: u32): u32 {
  if (n == 0) return 0;
  const end = p + n;
  let fresh: u32 = 0;
  for (let w = p >>> 6; w <= (end - 1) >>> 6; w++) fresh += writeWord(<usize>w << 3, regionMask(w, p, end));
  if (lastWritePtr != 0) {
    for (let q = p; q < end; q++) store<u32>(lastWritePtr + (<usize>q << 2), stamp);
  }
  return fresh;
}

/**
 * The log or the rings were emptied: every page is clean. A sync that keeps the rings leaves ring entries of
 * pages no longer in the log (ringSubset false until the rings are emptied).
 */
function allClean(ringsEmpty: bool): void {
  resetSlots();
  fillSummary();
  ringSubset = ringsEmpty;
}

/** Empties the dirty rings (KVM_RESET_DIRTY_RINGS): the next write to any page makes a new entry. */
export function resetRing(): void {
  memory.fill(ringPtr, 0, <usize>nWords << 3);
  ringFollows = false;
  viewsExact = false;
  allClean(true);
}

// === Dirty-log sync ===

/**
 * ORs the dirty log into the to-send and populated bitmaps and clears the log (QEMU's migration_bitmap_sync,
 * Xen's SHADOW_OP_CLEAN). With `resetRings` != 0 the rings are reset too (collecting the log resets them,
 * KVM_RESET_DIRTY_RINGS): they follow the now empty log again, so nothing is cleared; otherwise they keep what
 * the log held. Returns the pages newly set in the to-send bitmap; the number of distinct pages that were in
 * the log is in the counters block.
 */
export function syncDirtyLog(resetRings: u32): u32 {
  const dl = dirtyPtr, rp = ringPtr;
  const bytesEnd = <usize>nWords << 3;
  let fresh: u32 = 0;
  let logged: u32 = 0;
  viewsExact = false;
  if (resetRings == 0 && ringFollows) {
    // The rings keep what the log held: write them out before the log empties.
    memory.copy(rp, dl, bytesEnd);
  }
  // Four words at a time: a group with no logged page is only read (a sparse log costs a read pass), any
  // other group is merged whole, without a branch per word (a half-full log would mispredict every other
  // one). The log's pages go into the populated bitmap here, once per sync, instead of at every write.
  const groupsEnd = bytesEnd & ~(<usize>31);
  let off: usize = 0;
  const sp = sendPtr, pp = popPtr;
  const zero = zero128;
  for (; off < groupsEnd; off += 32) {
    const a = v128.load(dl + off), b = v128.load(dl + off, 16);
    if (!v128.any_true(v128.or(a, b))) continue;
    const oa = v128.load(sp + off), ob = v128.load(sp + off, 16);
    v128.store(sp + off, v128.or(oa, a)); v128.store(sp + off, v128.or(ob, b), 16);
    v128.store(pp + off, v128.or(v128.load(pp + off), a)); v128.store(pp + off, v128.or(v128.load(pp + off, 16), b), 16);
    v128.store(dl + off, zero); v128.store(dl + off, zero, 16);
    const na = v128.andnot(a, oa), nb = v128.andnot(b, ob);
    fresh += <u32>(popcnt(i64x2.extract_lane(na, 0)) + popcnt(i64x2.extract_lane(na, 1)) + popcnt(i64x2.extract_lane(nb, 0)) + popcnt(i64x2.extract_lane(nb, 1)));
    logged += <u32>(popcnt(i64x2.extract_lane(a, 0)) + popcnt(i64x2.extract_lane(a, 1)) + popcnt(i64x2.extract_lane(b, 0)) + popcnt(i64x2.extract_lane(b, 1)));
  }
  for (; off < bytesEnd; off += 8) {
    const d = load<u64>(dl + off);
    fresh += mergeWord(off, d);
    logged += <u32>popcnt(d);
  }
  // Reset rings follow the (now empty) log again: nothing to clear.
  ringFollows = resetRings != 0;
  allClean(resetRings != 0);
  store<f64>(countersPtr, <f64>logged, OUT_LOG_PAGES);
  return fresh;
}

/** Groups of four words per block of scanSend's whole-group path (15 × 16 set bits still fit a byte). */
const BLOCK_GROUPS: u32 = 15;
/** The sum of the 16 unsigned bytes of v. */
// @ts-ignore: decorator
@inline function byteSum(v: v128): u64 {
  const w = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v));
  return <u64>(i32x4.extract_lane(w, 0) + i32x4.extract_lane(w, 1) + i32x4.extract_lane(w, 2) + i32x4.extract_lane(w, 3));
}

/** Moves log word `d` at `off` into the to-send and populated bitmaps and clears it; returns the pages new to send. */
// @ts-ignore: decorator
@inline function mergeWord(off: usize, d: u64): u32 {
  const old = load<u64>(sendPtr + off);
  store<u64>(sendPtr + off, old | d);
  store<u64>(popPtr + off, load<u64>(popPtr + off) | d);
  store<u64>(dirtyPtr + off, 0);
  return <u32>popcnt(d & ~old);
}

/**
 * Writes the populated and ring bitmaps out in full (the log folded into the first, the log copied into the
 * second while the rings follow it), for the host's views; a no-op when nothing changed since the last call.
 */
export function exactViews(): void {
  if (viewsExact) return;
  const dl = dirtyPtr, pp = popPtr;
  const bytesEnd = <usize>nWords << 3;
  for (let off: usize = 0; off < bytesEnd; off += 8) store<u64>(pp + off, load<u64>(pp + off) | load<u64>(dl + off));
  if (ringFollows) memory.copy(ringPtr, dl, bytesEnd);
  viewsExact = true;
}

/** Counts set bits in the bitmap at `ptr` (dirtyLogPtr, toSendPtr, populatedPtr or ringLogPtr). */
export function countBits(ptr: usize): u32 {
  if (ptr == popPtr || ptr == ringPtr) exactViews();
  let n: u32 = 0;
  const bytesEnd = <usize>nWords << 3;
  for (let off: usize = 0; off < bytesEnd; off += 8) n += <u32>popcnt(load<u64>(ptr + off));
  return n;
}

// === Scan and send ===

/**
 * How many of the dearest pages fit strictly under the budget after `bytes`: a word with no more set bits than
 * this is sent whole, counted with popcounts. Never more than the truth (the slow path handles the rest).
 */
function room(bytes: f64, budget: f64, maxCost: f64): f64 {
  if (!(bytes < budget)) return 0;
  if (maxCost <= 0 || budget == Infinity) return Infinity;
  // No scan has 2^32 pages: the cap keeps the step down below exact in doubles (above 2^53, m − 1 == m).
  let m = min(Math.floor((budget - bytes) / maxCost), 4294967296);
  while (m > 0 && bytes + m * maxCost >= budget) m -= 1;
  return m;
}

/**
 * Sends pages set in the to-send bitmap, in page order from `cursor` up to (not including) `end`,
 * until `budget` bytes have been put on the wire: the page that crosses the budget is still sent.
 * A populated page costs `normalCost` bytes, a zero page `zeroCost`. With `skipDirty` != 0 a page whose
 * dirty-log bit is set is skipped instead (Xen's peek rule): its to-send bit is cleared, no bytes are
 * charged, and the log keeps it for the next round. Returns the page index where the scan stopped
 * (`end` when it reached the end); the pages and bytes are in the counters block.
 */
export function scanSend(
  cursor: u32, end: u32, budget: f64, normalCost: f64, zeroCost: f64, skipDirty: u32,
): u32 {
  stamp++;
  const sp = sendPtr, dp = dirtyPtr, pp = popPtr, ls = lastSendPtr;
  const maxCost = max(normalCost, zeroCost);
  let normal: u32 = 0;
  let zero: u32 = 0;
  let skipped: u32 = 0;
  let bytes: f64 = 0;
  let safe = ls == 0 ? room(0, budget, maxCost) : 0;
  let p = cursor;
  // The whole-group path below counts pages and prices them once per run of groups. With whole, non-negative
  // costs whose sums stay below 2^53, every partial sum is an exact integer, so that is the same double as a sum
  // per word (without its chain of dependent additions) and never reaches the budget early; other costs
  // (fractional, huge, negative, infinite) keep the per-word path.
  const fast = ls == 0 && skipDirty == 0 && normalCost >= 0 && zeroCost >= 0
    && normalCost == Math.floor(normalCost) && zeroCost == Math.floor(zeroCost)
    && <f64>(end - min(cursor, end)) * maxCost + bytes < 9007199254740992;
  while (p < end && bytes < budget) {
    if (fast && (p & 63) == 0 && safe >= 256 && <u64>p + 256 <= <u64>end) {
      // Whole groups of four words, in blocks of up to BLOCK_GROUPS groups that surely fit (each group at most
      // 256 pages): one branch per group (a group with nothing to send is only read), per-byte popcounts
      // summed in vectors (a byte gains at most 16 per group), one reduction per block.
      const lastGroup = (end >>> 6) - 4; // the last word a group of four may start at, all of it before end
      let allow: u64 = safe >= 4611686018427387904 ? 4611686018427387904 : <u64>safe;
      let nAll: u64 = 0, zAll: u64 = 0;
      let w = p >>> 6;
      while (w <= lastGroup && allow >= 256) {
        const groups = min<u64>(min<u64>(<u64>BLOCK_GROUPS, <u64>((lastGroup - w) >>> 2) + 1), allow >>> 8);
        const stopW = w + (<u32>groups << 2);
        let accN = zero128, accT = zero128;
        for (; w < stopW; w += 4) {
          const off = <usize>w << 3;
          const ba = v128.load(sp + off), bb = v128.load(sp + off, 16);
          if (!v128.any_true(v128.or(ba, bb))) continue;
          const na = v128.and(ba, v128.or(v128.load(pp + off), v128.load(dp + off)));
          const nb = v128.and(bb, v128.or(v128.load(pp + off, 16), v128.load(dp + off, 16)));
          accN = i8x16.add(accN, i8x16.add(i8x16.popcnt(na), i8x16.popcnt(nb)));
          accT = i8x16.add(accT, i8x16.add(i8x16.popcnt(ba), i8x16.popcnt(bb)));
          v128.store(sp + off, zero128); v128.store(sp + off, zero128, 16);
        }
        const n = byteSum(accN), t = byteSum(accT);
        nAll += n;
        zAll += t - n;
        allow -= t;
      }
      bytes += <f64>nAll * normalCost + <f64>zAll * zeroCost;
      normal += <u32>nAll;
      zero += <u32>zAll;
      safe -= <f64>(nAll + zAll);
      p = w << 6;
      continue;
    }
    const w = p >>> 6;
    const off = <usize>w << 3;
    let bits = wordWindow(sp, w, p, end);
    const wordEnd = (<u64>w + 1) << 6;
    if (bits == 0) {
      p = nextNonEmpty(sp, w, end);
      continue;
    }
    const logWord = skipDirty != 0 ? load<u64>(dp + off) : 0;
    const popWord = load<u64>(pp + off) | load<u64>(dp + off);
    const n = <f64>popcnt(bits);
    if (ls == 0 && n > safe) safe = room(bytes, budget, maxCost);
    if (ls == 0 && n <= safe) {
      const skipMask = bits & logWord;
      const sendBits = bits & ~skipMask;
      const nn = <u32>popcnt(sendBits & popWord);
      const zz = <u32>popcnt(sendBits) - nn;
      skipped += <u32>popcnt(skipMask);
      normal += nn;
      zero += zz;
      bytes += <f64>nn * normalCost + <f64>zz * zeroCost;
      safe -= n;
      store<u64>(sp + off, load<u64>(sp + off) & ~bits);
      p = <u32>min<u64>(wordEnd, <u64>end);
      continue;
    }
    let cleared: u64 = 0;
    while (bits != 0 && bytes < budget) {
      const b = ctz(bits);
      const bit = <u64>1 << b;
      bits ^= bit;
      cleared |= bit;
      if ((logWord & bit) != 0) {
        skipped++;
        continue;
      }
      if ((popWord & bit) != 0) { normal++; bytes += normalCost; } else { zero++; bytes += zeroCost; }
      if (ls != 0) store<u32>(ls + (<usize>((w << 6) + <u32>b) << 2), stamp);
    }
    store<u64>(sp + off, load<u64>(sp + off) & ~cleared);
    safe = 0; // stale after per-page sends; recomputed at the next word
    // Resume after the last handled bit if the budget ran out inside this word.
    p = bits == 0 ? <u32>min<u64>(wordEnd, <u64>end) : (w << 6) + <u32>ctz(bits);
  }
  const c = countersPtr;
  store<f64>(c, <f64>normal, OUT_NORMAL);
  store<f64>(c, <f64>zero, OUT_ZERO);
  store<f64>(c, <f64>skipped, OUT_SKIPPED);
  store<f64>(c, bytes, OUT_BYTES);
  return p;
}

// === Page lists and sampling tables (trace replay, Zipf, drifting hot sets) ===
// Two static buffers the host fills before a call: a list of page numbers to write (one call per trace
// interval or burst), and a table of buckets to sample from (one call per window). Both live in the data
// segment, below __heap_base, so init's layout and the host's views of the bitmaps are untouched.

/** Page numbers the host can pass in one touchList call (with the table, in the core's static data). */
export const PAGE_LIST_CAPACITY: u32 = 8192;
/** Buckets a sampling table can hold. */
export const TABLE_CAPACITY: u32 = 2048;
const pageList = memory.data(<i32>PAGE_LIST_CAPACITY << 2, 16);
// Per bucket: u32 threshold (cumulative probability × 2^32; the last bucket takes the rest), u32 first rank, u32 size.
const table = memory.data(<i32>TABLE_CAPACITY * 12, 16);

export function pageListPtr(): usize { return pageList; }
export function tablePtr(): usize { return table; }

/**
 * Writes page p: sets its dirty-log bit, its ring bit while the rings are parted from the log, and its stamp
 * when tracing. Returns 1 if the write made a dirty-ring entry (the page was not logged since the last ring reset).
 */
// @ts-ignore: decorator
@inline function writeOne(p: u32): u32 {
  return touchAny(dirtyPtr, ringPtr, lastWritePtr, stamp, ringFollows, p);
}

/** base + (a·x + b) mod count: maps a rank or trace page onto the VM's pages (a coprime with count: a bijection). */
// @ts-ignore: decorator
@inline function place(x: u32, base: u32, count: u32, a: u32, b: u32): u32 {
  return base + <u32>((<u64>a * <u64>x + <u64>b) % <u64>count);
}

/**
 * Writes the `n` pages listed in the page list, each mapped by `place(p >> shift, ...)` (`shift` merges
 * trace pages smaller than the VM's). Returns the dirty-ring entries made.
 */
export function touchList(n: u32, base: u32, count: u32, a: u32, b: u32, shift: u32): u32 {
  stamp++;
  viewsExact = false;
  clearSlots();
  let fresh: u32 = 0;
  for (let i: u32 = 0; i < n; i++) fresh += writeOne(place(load<u32>(pageList + (<usize>i << 2)) >>> shift, base, count, a, b));
  return fresh;
}

/**
 * Performs `k` writes with stream `s`, each to a rank drawn from the table's `nBuckets` buckets (one 32-bit
 * draw picks the bucket by binary search over the thresholds, a second a rank uniformly inside it), mapped
 * by `place`. Returns the dirty-ring entries made.
 */
export function touchTable(s: u32, nBuckets: u32, base: u32, count: u32, a: u32, b: u32, k: u32): u32 {
  stamp++;
  viewsExact = false;
  clearSlots();
  loadStream(s);
  let fresh: u32 = 0;
  const last = nBuckets - 1;
  for (let i: u32 = 0; i < k; i++) {
    const pick = next32();
    const r = next32();
    let lo: u32 = 0;
    let hi: u32 = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pick < load<u32>(table + <usize>mid * 12)) hi = mid; else lo = mid + 1;
    }
    const e = table + <usize>lo * 12;
    fresh += writeOne(place(load<u32>(e, 4) + below(r, load<u32>(e, 8)), base, count, a, b));
  }
  saveStream(s);
  return fresh;
}

// === Wire features: page content, the XBZRLE cache, a content-aware scan (src/engine/wire-model.ts) ===
//
// Page content is never stored. A populated page's class is a function of its 64-page block and the content
// seed: compressible when lowbias32(block ^ seed) < compThreshold (a fraction of 2^32), else incompressible
// [REC: content comes in runs of at least 256 KiB, heap arenas, files, code]; a zero page is a clear bit of the
// populated bitmap. Because the class is constant over a bitmap word, the word-at-a-time fast path still holds.
// XBZRLE (QEMU migration/ram.c save_xbzrle_page, migration/page_cache.c, migration/xbzrle.c) keeps a
// direct-mapped cache of `cacheEntries` slots (a power of two), two u32 per slot: the page cached (index + 1,
// 0 = empty) and its age (dirty_sync_count at insert or hit). No page data: the delta of a cached page is the
// `xbChanged` bytes a write changes, at an offset that is a function of the page (one run, so the encoding is
// ULEB128(offset) + ULEB128(length) + the bytes, xbzrle_encode_buffer; the trailing unchanged run is not encoded).

let cacheEntries: u32 = 0;
let cacheAddrPtr: usize = 0;
let cacheAgePtr: usize = 0;
let contentSeed: u32 = 0;
let compThreshold: f64 = 0;
let xbActive: u32 = 0;
let xbGeneration: u32 = 0;
let xbLastStage: u32 = 0;
let xbChanged: u32 = 0;
let xbPageSize: u32 = 0; // starting values of these: resetState
// Per-page costs of the three metrics (counted bytes, wire bytes, CPU work) for the classes zero / incompressible / compressible.
const costs = memory.data(9 * 8, 8);
// XBZRLE costs: the bytes framing an encoded page (header + flag + length), the CPU work of one encode.
let xbFrameBytes: f64 = 0;
let xbWork: f64 = 0;

/** CACHED_PAGE_LIFETIME (migration/page_cache.c): an entry younger than this many syncs is never evicted. */
const CACHED_PAGE_LIFETIME: u32 = 2;

// @ts-ignore: decorator
@inline function mix32(v: u32): u32 {
  // lowbias32 (C. Wellons, hash-prospector): a cheap, well-mixed 32-bit hash.
  let x = v;
  x ^= x >>> 16; x *= 0x7feb352d; x ^= x >>> 15; x *= 0x846ca68b; x ^= x >>> 16;
  return x;
}
// @ts-ignore: decorator
@inline function ulebLen(x: u32): u32 { return x < 128 ? 1 : x < 16384 ? 2 : x < 2097152 ? 3 : 4; }

/** Whether the pages of bitmap word `w` (a 64-page block) are of the compressible class. */
// @ts-ignore: decorator
@inline function compressibleBlock(w: u32): bool { return <f64>mix32(w ^ contentSeed) < compThreshold; }

/** XBZRLE's encoded length of page p's delta (xbzrle_encode_buffer), or pageSize + 1 when it overflows. */
// @ts-ignore: decorator
@inline function xbzrleLength(p: u32): u32 {
  const b = xbChanged;
  const off = mix32(p ^ contentSeed ^ 0x5bd1e995) % (xbPageSize - b + 1);
  const len = ulebLen(off) + ulebLen(b) + b;
  return len > xbPageSize ? xbPageSize + 1 : len;
}

/** Allocates the XBZRLE cache (`entries` a power of two) after init's layout; returns the memory in use, 0 if it cannot grow. */
export function initXbzrle(entries: u32): f64 {
  const start = (layoutEnd + 7) & ~(<u64>7);
  const end = start + (<u64>entries << 3);
  const neededPages = (end + 0xffff) >>> 16;
  const have = <u64>memory.size();
  if (neededPages > have) {
    if (neededPages > 65536) return 0;
    if (memory.grow(<i32>(neededPages - have)) < 0) return 0;
  }
  cacheAddrPtr = <usize>start;
  cacheAgePtr = <usize>(start + (<u64>entries << 2));
  memory.fill(cacheAddrPtr, 0, <usize>entries << 3);
  cacheEntries = entries;
  return <f64>end;
}
export function cacheAddrsPtr(): usize { return cacheAddrPtr; }
export function cacheAgesPtr(): usize { return cacheAgePtr; }
export function costsPtr(): usize { return costs; }

/** The content model: compressible fraction × 2^32, and the seed of the class and delta-offset hashes. */
export function setContent(threshold: f64, seed: u32): void {
  compThreshold = threshold;
  contentSeed = seed;
}

/**
 * XBZRLE state for the next scans: on (after the first full pass), the generation (dirty_sync_count), the last
 * stage (stop-and-copy: misses are not inserted), bytes a write changes, the page size, the framing of an
 * encoded page and the CPU work of one encode.
 */
export function setXbzrle(active: u32, generation: u32, lastStage: u32, changed: u32, pageSize: u32, frame: f64, work: f64): void {
  xbActive = active;
  xbGeneration = generation;
  xbLastStage = lastStage;
  xbChanged = changed;
  xbPageSize = pageSize;
  xbFrameBytes = frame;
  xbWork = work;
}

// @ts-ignore: decorator
@inline function cost(metric: u32, cls: u32): f64 { return load<f64>(costs + ((<usize>metric * 3 + <usize>cls) << 3)); }

/**
 * scanSend with content-aware costs and three budgets: the counted bytes (the rate limit's), the wire bytes
 * (link time and the caps) and the CPU work (compression or encoding); each stops the scan once reached (the
 * page that crosses a budget is still sent). Costs per class come from the costs block (setWireCosts on the
 * host), the class from the content model; with XBZRLE active every populated page goes through the cache.
 * Results in the counters block.
 */
export function scanSendWire(cursor: u32, end: u32, budget: f64, wireBudget: f64, workBudget: f64, skipDirty: u32): u32 {
  if (xbActive != 0) return scanXbzrle(cursor, end, budget, wireBudget, workBudget, skipDirty);
  stamp++;
  const sp = sendPtr, dp = dirtyPtr, pp = popPtr, ls = lastSendPtr;
  let normal: u32 = 0, zero: u32 = 0, skipped: u32 = 0, comp: u32 = 0;
  let bytes: f64 = 0, wire: f64 = 0, work: f64 = 0;
  const zc = cost(0, 0), zw = cost(1, 0), zk = cost(2, 0);
  let p = cursor;
  while (p < end && bytes < budget && wire < wireBudget && work < workBudget) {
    const w = p >>> 6;
    const off = <usize>w << 3;
    let bits = wordWindow(sp, w, p, end);
    const wordEnd = (<u64>w + 1) << 6;
    if (bits == 0) {
      p = nextNonEmpty(sp, w, end);
      continue;
    }
    const isComp = compressibleBlock(w);
    const cls: u32 = isComp ? 2 : 1;
    const nc = cost(0, cls), nw = cost(1, cls), nk = cost(2, cls);
    const logWord = skipDirty != 0 ? load<u64>(dp + off) : 0;
    const popWord = load<u64>(pp + off) | load<u64>(dp + off);
    const n = <f64>popcnt(bits);
    if (ls == 0 && n <= min(room(bytes, budget, max(nc, zc)), min(room(wire, wireBudget, max(nw, zw)), room(work, workBudget, max(nk, zk))))) {
      const skipMask = bits & logWord;
      const sendBits = bits & ~skipMask;
      const nn = <u32>popcnt(sendBits & popWord);
      const zz = <u32>popcnt(sendBits) - nn;
      skipped += <u32>popcnt(skipMask);
      normal += nn;
      if (isComp) comp += nn;
      zero += zz;
      bytes += <f64>nn * nc + <f64>zz * zc;
      wire += <f64>nn * nw + <f64>zz * zw;
      work += <f64>nn * nk + <f64>zz * zk;
      store<u64>(sp + off, load<u64>(sp + off) & ~bits);
      p = <u32>min<u64>(wordEnd, <u64>end);
      continue;
    }
    let cleared: u64 = 0;
    while (bits != 0 && bytes < budget && wire < wireBudget && work < workBudget) {
      const b = ctz(bits);
      const bit = <u64>1 << b;
      bits ^= bit;
      cleared |= bit;
      if ((logWord & bit) != 0) { skipped++; continue; }
      if ((popWord & bit) != 0) {
        normal++;
        if (isComp) comp++;
        bytes += nc; wire += nw; work += nk;
      } else {
        zero++;
        bytes += zc; wire += zw; work += zk;
      }
      if (ls != 0) store<u32>(ls + (<usize>((w << 6) + <u32>b) << 2), stamp);
    }
    store<u64>(sp + off, load<u64>(sp + off) & ~cleared);
    p = bits == 0 ? <u32>min<u64>(wordEnd, <u64>end) : (w << 6) + <u32>ctz(bits);
  }
  storeWireCounters(normal, zero, skipped, bytes, wire, work, comp, 0, 0, 0, 0, 0);
  return p;
}

function storeWireCounters(normal: u32, zero: u32, skipped: u32, bytes: f64, wire: f64, work: f64, comp: u32,
  enc: u32, data: f64, unchanged: u32, miss: u32, overflow: u32): void {
  const c = countersPtr;
  store<f64>(c, <f64>normal, OUT_NORMAL);
  store<f64>(c, <f64>zero, OUT_ZERO);
  store<f64>(c, <f64>skipped, OUT_SKIPPED);
  store<f64>(c, bytes, OUT_BYTES);
  store<f64>(c, wire, OUT_WIRE);
  store<f64>(c, work, OUT_WORK);
  store<f64>(c, <f64>comp, OUT_COMP);
  store<f64>(c, <f64>enc, OUT_XB_ENCODED);
  store<f64>(c, data, OUT_XB_DATA);
  store<f64>(c, <f64>unchanged, OUT_XB_UNCHANGED);
  store<f64>(c, <f64>miss, OUT_XB_MISS);
  store<f64>(c, <f64>overflow, OUT_XB_OVERFLOW);
}

/**
 * The XBZRLE scan, page by page (save_xbzrle_page): a zero page costs its zero cost; a populated page is looked
 * up in its slot (page mod entries). Hit (the slot holds this page): its age becomes the generation, the encoder
 * reads the page (xbWork), and the delta is nothing (no byte changed: nothing sent), an encoded page
 * (xbFrameBytes + length) or an overflow (length above the page: a normal page). Miss: cache_miss, then, unless
 * in the last stage, the page is inserted unless the slot holds another page younger than CACHED_PAGE_LIFETIME
 * syncs (cache_insert); a normal page is sent. Normal pages cost the incompressible class's costs (the main stream
 * does not compress).
 */
function scanXbzrle(cursor: u32, end: u32, budget: f64, wireBudget: f64, workBudget: f64, skipDirty: u32): u32 {
  stamp++;
  const sp = sendPtr, dp = dirtyPtr, pp = popPtr, ls = lastSendPtr;
  const ap = cacheAddrPtr, gp = cacheAgePtr, mask = cacheEntries - 1, gen = xbGeneration;
  let normal: u32 = 0, zero: u32 = 0, skipped: u32 = 0, comp: u32 = 0;
  let enc: u32 = 0, unchanged: u32 = 0, miss: u32 = 0, overflow: u32 = 0;
  let bytes: f64 = 0, wire: f64 = 0, work: f64 = 0, data: f64 = 0;
  const zc = cost(0, 0), zw = cost(1, 0), zk = cost(2, 0);
  const nc = cost(0, 1), nw = cost(1, 1);
  const frame = xbFrameBytes, xw = xbWork;
  let p = cursor;
  while (p < end && bytes < budget && wire < wireBudget && work < workBudget) {
    const w = p >>> 6;
    const off = <usize>w << 3;
    let bits = wordWindow(sp, w, p, end);
    const wordEnd = (<u64>w + 1) << 6;
    if (bits == 0) {
      p = nextNonEmpty(sp, w, end);
      continue;
    }
    const isComp = compressibleBlock(w);
    const logWord = skipDirty != 0 ? load<u64>(dp + off) : 0;
    const popWord = load<u64>(pp + off) | load<u64>(dp + off);
    let cleared: u64 = 0;
    while (bits != 0 && bytes < budget && wire < wireBudget && work < workBudget) {
      const b = ctz(bits);
      const bit = <u64>1 << b;
      bits ^= bit;
      cleared |= bit;
      if ((logWord & bit) != 0) { skipped++; continue; }
      const page = (w << 6) + <u32>b;
      if ((popWord & bit) == 0) {
        zero++;
        bytes += zc; wire += zw; work += zk;
      } else {
        const slot = <usize>(page & mask) << 2;
        const held = load<u32>(ap + slot);
        if (held == page + 1) {
          store<u32>(gp + slot, gen);
          work += xw;
          if (xbChanged == 0) {
            unchanged++;
          } else {
            const len = xbzrleLength(page);
            if (len > xbPageSize) {
              overflow++;
              normal++;
              if (isComp) comp++;
              bytes += nc; wire += nw;
            } else {
              enc++;
              data += <f64>len;
              bytes += frame + <f64>len; wire += frame + <f64>len;
            }
          }
        } else {
          miss++;
          if (xbLastStage == 0 && (held == 0 || load<u32>(gp + slot) + CACHED_PAGE_LIFETIME <= gen)) {
            store<u32>(ap + slot, page + 1);
            store<u32>(gp + slot, gen);
          }
          normal++;
          if (isComp) comp++;
          bytes += nc; wire += nw;
        }
      }
      if (ls != 0) store<u32>(ls + (<usize>page << 2), stamp);
    }
    store<u64>(sp + off, load<u64>(sp + off) & ~cleared);
    p = bits == 0 ? <u32>min<u64>(wordEnd, <u64>end) : (w << 6) + <u32>ctz(bits);
  }
  storeWireCounters(normal, zero, skipped, bytes, wire, work, comp, enc, data, unchanged, miss, overflow);
  return p;
}

// === Postcopy: the destination's remote faults and the discard bitmap ===
// After the switch to postcopy the to-send bitmap is the set of pages the destination has not received
// (QEMU's discard bitmap marked them absent, so the first access to any of them faults). The destination
// guest's accesses are drawn against it; a page it faults on is fetched (cleared and counted as sent, once).
// src/core/reference-page-store.ts repeats every step, draw for draw.

/** Counter slot: the page of the last fault of the last postcopyAccess call (in access order), −1 for none. */
const OUT_LAST_FAULT: usize = 112;
/** Up to this many accesses a call always takes the per-access loop. */
const POSTCOPY_LOOP_MAX: f64 = 4096;

/** Runs of set bits in the to-send bitmap: the ranges of QEMU's discard message (postcopy_send_discard_bm_ram). */
export function toSendRuns(): u32 {
  const sp = sendPtr;
  const bytesEnd = <usize>nWords << 3;
  let runs: u32 = 0;
  let carry: u64 = 0;
  for (let off: usize = 0; off < bytesEnd; off += 8) {
    const w = load<u64>(sp + off);
    // A run starts at a set bit whose lower neighbour (the previous word's top bit for bit 0) is clear.
    runs += <u32>popcnt(w & ~((w << 1) | carry));
    carry = w >>> 63;
  }
  return runs;
}

/** What sending every page still to send would cost: populated pages `normalCost` each, zero pages `zeroCost`. */
export function toSendBytes(normalCost: f64, zeroCost: f64): f64 {
  const sp = sendPtr;
  const bytesEnd = <usize>nWords << 3;
  let n: u64 = 0;
  let z: u64 = 0;
  for (let off: usize = 0; off < bytesEnd; off += 8) {
    const t = load<u64>(sp + off);
    if (t == 0) continue;
    const p = popWordAt(off);
    n += popcnt(t & p);
    z += popcnt(t & ~p);
  }
  return <f64>n * normalCost + <f64>z * zeroCost;
}

/** Pages of [start, start + count) still to send (not yet received by a postcopy destination). */
export function countToSendRange(start: u32, count: u32): u32 {
  if (count == 0) return 0;
  const end = start + count;
  const w0 = start >>> 6;
  const w1 = (end - 1) >>> 6;
  let n = <u32>popcnt(load<u64>(wordAt(sendPtr, w0)) & regionMask(w0, start, end));
  if (w1 == w0) return n;
  n += <u32>popcnt(load<u64>(wordAt(sendPtr, w1)) & regionMask(w1, start, end));
  // The whole words between, without masks.
  const stop = wordAt(sendPtr, w1);
  for (let a = wordAt(sendPtr, w0 + 1); a < stop; a += 8) n += <u32>popcnt(load<u64>(a));
  return n;
}

/** Fetches page p on a fault: off the to-send bitmap, counted as sent, stamped when tracing. */
// @ts-ignore: decorator
@inline function fetchBit(off: usize, bit: u64, p: u32): void {
  store<u64>(sendPtr + off, load<u64>(sendPtr + off) & ~bit);
  if (lastSendPtr != 0) store<u32>(lastSendPtr + (<usize>p << 2), stamp);
}

/**
 * `k` accesses by the destination guest, uniform over [start, start + count), of which `held` pages are not yet
 * received (countToSendRange, passed in so the host counts once). Each access to a page not received faults and
 * fetches it; returns the faults (distinct pages fetched), with their pages and bytes in the counters block and
 * the last fault's page in OUT_LAST_FAULT. Up to POSTCOPY_LOOP_MAX accesses, when tracing, or when it is not
 * dearer than the walk: one draw per access (tracing, a second draw makes it a write with probability
 * writeShare32 / 2^32 and stamps it). Otherwise: the number of distinct missing pages k accesses reach (the
 * occupancy count), picked among the missing pages in a walk (Algorithm S), the last fault uniform among them.
 */
export function postcopyAccess(
  s: u32, start: u32, count: u32, held: u32, k: f64, writeShare32: f64, normalCost: f64, zeroCost: f64,
): u32 {
  stamp++;
  const c = countersPtr;
  let normal: u32 = 0;
  let zero: u32 = 0;
  let last: f64 = -1;
  let faults: u32 = 0;
  if (held > 0 && k >= 1) {
    loadStream(s);
    if (lastWritePtr != 0 || k <= POSTCOPY_LOOP_MAX || k <= <f64>((count >>> 6) + 1) + <f64>held) {
      const n = <u32>k;
      for (let i: u32 = 0; i < n; i++) {
        const p = start + below(next32(), count);
        const off = <usize>(p >>> 6) << 3;
        const bit = <u64>1 << <u64>(p & 63);
        if ((load<u64>(sendPtr + off) & bit) != 0) {
          fetchBit(off, bit, p);
          if ((popWordAt(off) & bit) != 0) normal++; else zero++;
          last = <f64>p;
          faults++;
        }
        if (lastWritePtr != 0 && <f64>next32() < writeShare32) store<u32>(lastWritePtr + (<usize>p << 2), stamp);
      }
    } else {
      const f = drawOccupancy(held, count, k);
      const j = f > 0 ? below(next32(), f) : 0;
      const end = start + count;
      let left = held;
      let need = f;
      let picked: u32 = 0;
      for (let w = start >>> 6; w <= (end - 1) >>> 6 && need > 0; w++) {
        const off = <usize>w << 3;
        let bits = load<u64>(sendPtr + off) & regionMask(w, start, end);
        if (bits == 0) continue;
        let take: u64 = 0;
        while (bits != 0 && need > 0) {
          const b = bits & (~bits + 1);
          bits ^= b;
          if (need == left || below(next32(), left) < need) {
            take |= b;
            if (picked == j) last = <f64>((w << 6) + <u32>ctz(b));
            picked++;
            need--;
          }
          left--;
        }
        if (take == 0) continue;
        store<u64>(sendPtr + off, load<u64>(sendPtr + off) & ~take);
        const nn = <u32>popcnt(take & popWordAt(off));
        normal += nn;
        zero += <u32>popcnt(take) - nn;
      }
      faults = f;
    }
    saveStream(s);
  }
  store<f64>(c, <f64>normal, OUT_NORMAL);
  store<f64>(c, <f64>zero, OUT_ZERO);
  store<f64>(c, 0, OUT_SKIPPED);
  store<f64>(c, <f64>normal * normalCost + <f64>zero * zeroCost, OUT_BYTES);
  store<f64>(c, last, OUT_LAST_FAULT);
  return faults;
}
