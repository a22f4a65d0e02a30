// livemig Wasm core: guest memory as page bitmaps, seeded page-touch generators, dirty-log sync and
// scan-and-send. Every export is numeric and works on a whole window's or round's worth of pages, so the
// TypeScript host crosses the JS/Wasm boundary per window or round, never per page.
//
// Memory map (allocated once by `init`, never grown afterwards, so host views stay valid):
//   [heapBase]  PRNG streams     MAX_STREAMS × 4 × u32 (xoshiro128** state, one stream per vCPU)
//   dirtyLog    ceil(N/64) × u64  bit p set = page p written since the last sync (the KVM dirty log)
//   toSend      ceil(N/64) × u64  bit p set = page p still to be sent (QEMU's migration bitmap)
//   populated   ceil(N/64) × u64  bit p set = page p written since boot (clear = zero page)
//   ringLog     ceil(N/64) × u64  bit p set = page p logged in a KVM dirty ring since the last ring reset
//   lastWrite   N × u32           (trace mode only) stamp of the page's last write
//   lastSend    N × u32           (trace mode only) stamp of the page's last send
// Stamps come from a counter bumped once per touch or send call, so "write after send" is exact order.

// === Limits (the host reads MAX_STREAMS back and checks it against src/core/page-store.ts) ===
/** Largest number of independent PRNG streams (vCPUs). */
export const MAX_STREAMS: u32 = 1024;

// === State ===
let nPages: u32 = 0;
let nWords: u32 = 0;
let streamsPtr: usize = 0;
let dirtyPtr: usize = 0;
let sendPtr: usize = 0;
let popPtr: usize = 0;
let ringPtr: usize = 0;
let lastWritePtr: usize = 0;
let lastSendPtr: usize = 0;
let stamp: u32 = 0;
let initialized = false;

// Counters of the last scanSend call, read by the host through getters.
let outNormal: u32 = 0;
let outZero: u32 = 0;
let outSkipped: u32 = 0;
let outBytes: f64 = 0;
// Distinct pages that were in the dirty log at the last sync.
let outLogPages: u32 = 0;

// === Small helpers ===
// @ts-ignore: decorator
@inline function align8(p: usize): usize { return (p + 7) & ~(<usize>7); }
// @ts-ignore: decorator
@inline function wordAt(base: usize, w: u32): usize { return base + (<usize>w << 3); }
// @ts-ignore: decorator
@inline function rotl(x: u32, k: u32): u32 { return (x << k) | (x >>> (32 - k)); }

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
  streamsPtr = <usize>end; end += <u64>MAX_STREAMS * 16;
  dirtyPtr = <usize>end; end += bitmapBytes;
  sendPtr = <usize>end; end += bitmapBytes;
  popPtr = <usize>end; end += bitmapBytes;
  ringPtr = <usize>end; end += bitmapBytes;
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
  // Memory fresh from the host is zeroed; only a second init of the same instance has to clear it.
  if (initialized) memory.fill(streamsPtr, 0, <usize>(end - <u64>streamsPtr));
  initialized = true;
  stamp = 0;
  return <f64>end;
}

export function dirtyLogPtr(): usize { return dirtyPtr; }
export function toSendPtr(): usize { return sendPtr; }
export function populatedPtr(): usize { return popPtr; }
export function ringLogPtr(): usize { return ringPtr; }
export function lastWriteStampPtr(): usize { return lastWritePtr; }
export function lastSendStampPtr(): usize { return lastSendPtr; }
export function currentStamp(): u32 { return stamp; }

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
  const full = count >>> 6;
  for (let w: u32 = 0; w < full; w++) store<u64>(wordAt(popPtr, w), <u64>-1);
  const r = count & 63;
  if (r != 0) {
    const a = wordAt(popPtr, full);
    store<u64>(a, load<u64>(a) | ((<u64>1 << <u64>r) - 1));
  }
}

/** Sets every page in the to-send bitmap (the start of migration: all of RAM must go). */
export function markAllToSend(): void {
  if (nWords == 0) return;
  for (let w: u32 = 0; w < nWords - 1; w++) store<u64>(wordAt(sendPtr, w), <u64>-1);
  store<u64>(wordAt(sendPtr, nWords - 1), lastWordMask());
}

// === Page touches ===

// xoshiro128** state lives in memory; these are loaded into locals for the duration of a call.
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

/**
 * Writes page p: sets its dirty-log, populated and ring bits. Returns 1 if the write made a dirty-ring entry
 * (the page was not logged since the last ring reset: KVM write-protects it again at each reset).
 */
// @ts-ignore: decorator
@inline function write(p: u32): u32 {
  const w = p >>> 6;
  const bit = <u64>1 << <u64>(p & 63);
  const a = wordAt(dirtyPtr, w);
  store<u64>(a, load<u64>(a) | bit);
  const pa = wordAt(popPtr, w);
  store<u64>(pa, load<u64>(pa) | bit);
  const ra = wordAt(ringPtr, w);
  const old = load<u64>(ra);
  store<u64>(ra, old | bit);
  if (lastWritePtr != 0) store<u32>(lastWritePtr + (<usize>p << 2), stamp);
  return <u32>((old & bit) == 0);
}

/** Empties the dirty rings (KVM_RESET_DIRTY_RINGS): the next write to any page makes a new entry. */
export function resetRing(): void {
  memory.fill(ringPtr, 0, <usize>nWords << 3);
}

/**
 * Performs `k` writes uniformly at random over pages [start, start + count) with stream `s`.
 * Returns how many writes made dirty-ring entries.
 */
export function touchUniform(s: u32, start: u32, count: u32, k: u32): u32 {
  stamp++;
  loadStream(s);
  let fresh: u32 = 0;
  for (let i: u32 = 0; i < k; i++) fresh += write(start + below(next32(), count));
  saveStream(s);
  return fresh;
}

/**
 * Performs `k` writes with stream `s`: each goes to the hot range with probability hotProb / 2^32,
 * else to the cold range; uniform within the chosen range. Returns the dirty-ring entries made.
 */
export function touchHotCold(
  s: u32, hotStart: u32, hotCount: u32, coldStart: u32, coldCount: u32, hotProb: u32, k: u32,
): u32 {
  stamp++;
  loadStream(s);
  let fresh: u32 = 0;
  for (let i: u32 = 0; i < k; i++) {
    const pick = next32();
    const r = next32();
    fresh += pick < hotProb ? write(hotStart + below(r, hotCount)) : write(coldStart + below(r, coldCount));
  }
  saveStream(s);
  return fresh;
}

/**
 * Performs `k` writes sweeping pages [start, start + count) in order from offset `cursor`, wrapping at the
 * end (guestperf's stress loop). Returns the new cursor; the newly dirtied count is in lastFresh().
 */
let outFresh: u32 = 0;
export function touchSequential(start: u32, count: u32, cursor: u32, k: u32): u32 {
  stamp++;
  let fresh: u32 = 0;
  let c = cursor;
  for (let i: u32 = 0; i < k; i++) {
    fresh += write(start + c);
    c++;
    if (c == count) c = 0;
  }
  outFresh = fresh;
  return c;
}
export function lastFresh(): u32 { return outFresh; }

// === Dirty-log sync ===

/**
 * ORs the dirty log into the to-send bitmap and clears the log (QEMU's migration_bitmap_sync,
 * Xen's SHADOW_OP_CLEAN). Returns the pages newly set in the to-send bitmap; the number of distinct
 * pages that were in the log is in lastLogPages().
 */
export function syncDirtyLog(): u32 {
  let fresh: u32 = 0;
  let logged: u32 = 0;
  for (let w: u32 = 0; w < nWords; w++) {
    const la = wordAt(dirtyPtr, w);
    const d = load<u64>(la);
    const sa = wordAt(sendPtr, w);
    const old = load<u64>(sa);
    fresh += <u32>popcnt(d & ~old);
    logged += <u32>popcnt(d);
    store<u64>(sa, old | d);
    store<u64>(la, 0);
  }
  outLogPages = logged;
  return fresh;
}
export function lastLogPages(): u32 { return outLogPages; }

/** Counts set bits in the bitmap at `ptr` (dirtyLogPtr, toSendPtr, populatedPtr or ringLogPtr). */
export function countBits(ptr: usize): u32 {
  let n: u32 = 0;
  for (let w: u32 = 0; w < nWords; w++) n += <u32>popcnt(load<u64>(wordAt(ptr, w)));
  return n;
}

// === Scan and send ===

/**
 * Sends pages set in the to-send bitmap, in page order from `cursor` up to (not including) `end`,
 * until `budget` bytes have been put on the wire: the page that crosses the budget is still sent.
 * A populated page costs `normalCost` bytes, a zero page `zeroCost`. With `skipDirty` != 0 a page whose
 * dirty-log bit is set is skipped instead (Xen's peek rule): its to-send bit is cleared, no bytes are
 * charged, and the log keeps it for the next round. Returns the page index where the scan stopped
 * (`end` when it reached the end); counters are in lastNormal/lastZero/lastSkipped/lastBytes.
 */
export function scanSend(
  cursor: u32, end: u32, budget: f64, normalCost: f64, zeroCost: f64, skipDirty: u32,
): u32 {
  stamp++;
  let normal: u32 = 0;
  let zero: u32 = 0;
  let skipped: u32 = 0;
  let bytes: f64 = 0;
  let p = cursor;
  while (p < end && bytes < budget) {
    const w = p >>> 6;
    const sa = wordAt(sendPtr, w);
    // Bits of this word at or after p and before end.
    let bits = load<u64>(sa) & (<u64>-1 << <u64>(p & 63));
    const wordEnd = (<u64>w + 1) << 6;
    if (<u64>end < wordEnd) bits &= (<u64>1 << <u64>(end & 63)) - 1;
    if (bits == 0) {
      // Skip whole empty words in a tight loop.
      let nw = w + 1;
      const lastW = (end - 1) >>> 6;
      while (nw < lastW && load<u64>(wordAt(sendPtr, nw)) == 0) nw++;
      p = <u32>min<u64>(<u64>nw << 6, <u64>end);
      continue;
    }
    const logWord = skipDirty != 0 ? load<u64>(wordAt(dirtyPtr, w)) : 0;
    const popWord = load<u64>(wordAt(popPtr, w));
    let cleared: u64 = 0;
    // Fast path: when even the dearest page cost for every set bit keeps the burst under budget, the page
    // loop below would handle the whole word, so count it with popcounts instead (no per-page stamps needed).
    if (lastSendPtr == 0) {
      const n = <f64>popcnt(bits);
      if (bytes + n * max(normalCost, zeroCost) < budget) {
        const skipMask = bits & logWord;
        const sendBits = bits & ~skipMask;
        const nn = <u32>popcnt(sendBits & popWord);
        const zz = <u32>popcnt(sendBits) - nn;
        skipped += <u32>popcnt(skipMask);
        normal += nn;
        zero += zz;
        bytes += <f64>nn * normalCost + <f64>zz * zeroCost;
        cleared = bits;
        bits = 0;
      }
    }
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
      if (lastSendPtr != 0) store<u32>(lastSendPtr + (<usize>((w << 6) + <u32>b) << 2), stamp);
    }
    store<u64>(sa, load<u64>(sa) & ~cleared);
    // Resume after the last handled bit if the budget ran out inside this word.
    p = bits == 0 ? <u32>min<u64>(wordEnd, <u64>end) : (w << 6) + <u32>ctz(bits);
  }
  outNormal = normal;
  outZero = zero;
  outSkipped = skipped;
  outBytes = bytes;
  return p;
}
export function lastNormal(): u32 { return outNormal; }
export function lastZero(): u32 { return outZero; }
export function lastSkipped(): u32 { return outSkipped; }
export function lastBytes(): f64 { return outBytes; }

// === Page lists and sampling tables (trace replay, Zipf, drifting hot sets) ===
// Two static buffers the host fills before a call: a list of page numbers to write (one call per trace
// interval or burst), and a table of buckets to sample from (one call per window). Both live in the data
// segment, below __heap_base, so init's layout and the host's views of the bitmaps are untouched.

/** Page numbers the host can pass in one touchList call (with the table, within the one 64 KiB page of initial memory). */
export const PAGE_LIST_CAPACITY: u32 = 8192;
/** Buckets a sampling table can hold. */
export const TABLE_CAPACITY: u32 = 2048;
const pageList = memory.data(<i32>PAGE_LIST_CAPACITY << 2, 16);
// Per bucket: u32 threshold (cumulative probability × 2^32; the last bucket takes the rest), u32 first rank, u32 size.
const table = memory.data(<i32>TABLE_CAPACITY * 12, 16);

export function pageListPtr(): usize { return pageList; }
export function tablePtr(): usize { return table; }

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
  let fresh: u32 = 0;
  for (let i: u32 = 0; i < n; i++) fresh += write(place(load<u32>(pageList + (<usize>i << 2)) >>> shift, base, count, a, b));
  return fresh;
}

/**
 * Performs `k` writes with stream `s`, each to a rank drawn from the table's `nBuckets` buckets (one 32-bit
 * draw picks the bucket by binary search over the thresholds, a second a rank uniformly inside it), mapped
 * by `place`. Returns the dirty-ring entries made.
 */
export function touchTable(s: u32, nBuckets: u32, base: u32, count: u32, a: u32, b: u32, k: u32): u32 {
  stamp++;
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
    fresh += write(place(load<u32>(e, 4) + below(r, load<u32>(e, 8)), base, count, a, b));
  }
  saveStream(s);
  return fresh;
}
