import type { Bitmap, PageStore, TouchMode } from './page-store.js';
import { MAX_STREAMS, TOUCH_MODES } from './page-store.js';
import {
  COST_CLEAN_BIT, COST_JUMP, COST_WORD, JUMP_MAX, POISSON_MAX, BINOMIAL_EXACT_MAX, touchCost,
  expm1, exp, ln, ln1m, normalQuantile,
} from './sampling-math.js';
import { PAGE_LIST_CAPACITY, place, type PageMap, type SamplingTable } from './page-map.js';

/**
 * The Wasm core's loops written again in plain TypeScript, page for page: the same PRNG (xoshiro128**
 * seeded by SplitMix32), the same multiply-shift range mapping, the same touch strategy and occupancy
 * sampling (every double computed the same way), the same scan order and budget rule.
 * It is the oracle the tests compare the Wasm core against and the baseline `npm run bench` measures it by.
 * Memory is ordinary typed arrays, so it only suits small VMs.
 */
export class ReferencePageStore implements PageStore {
  readonly dirtyLog: Uint32Array;
  readonly toSend: Uint32Array;
  readonly populated: Uint32Array;
  readonly ringLog: Uint32Array;
  readonly lastWrite: Uint32Array | null;
  readonly lastSend: Uint32Array | null;
  private readonly streams = new Uint32Array(MAX_STREAMS * 4);
  private stamp = 0;
  private fresh = 0;
  private logPages = 0;
  private normal = 0;
  private zero = 0;
  private skipped = 0;
  private bytes = 0;
  private mode = 0;

  constructor(
    readonly pages: number,
    trace = false,
  ) {
    const words = Math.ceil(pages / 64) * 2;
    this.dirtyLog = new Uint32Array(words);
    this.toSend = new Uint32Array(words);
    this.populated = new Uint32Array(words);
    this.ringLog = new Uint32Array(words);
    this.lastWrite = trace ? new Uint32Array(pages) : null;
    this.lastSend = trace ? new Uint32Array(pages) : null;
  }

  seedStream(stream: number, seed: number): void {
    let z = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      z = (z + 0x9e3779b9) >>> 0;
      let x = z;
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
      x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
      this.streams[stream * 4 + i] = (x ^ (x >>> 16)) >>> 0;
    }
  }

  populatePrefix(count: number): void {
    for (let p = 0; p < count; p++) this.populated[p >>> 5]! |= 1 << (p & 31);
  }

  populateSpread(start: number, end: number, k: number, n: number, acc: number): number {
    let a = acc;
    for (let p = start; p < end; p++) {
      a += k;
      if (a >= n) {
        a -= n;
        this.populated[p >>> 5]! |= 1 << (p & 31);
      }
    }
    return a;
  }

  resetRing(): void {
    this.ringLog.fill(0);
  }

  markAllToSend(): void {
    for (let p = 0; p < this.pages; p++) this.toSend[p >>> 5]! |= 1 << (p & 31);
  }

  /** One xoshiro128** step on stream `s`. */
  private next(s: number): number {
    const st = this.streams;
    const o = s * 4;
    const s1 = st[o + 1]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    st[o + 2]! ^= st[o]!;
    st[o + 3]! ^= st[o + 1]!;
    st[o + 1]! ^= st[o + 2]!;
    st[o]! ^= st[o + 3]!;
    st[o + 2]! ^= t;
    st[o + 3] = rotl(st[o + 3]!, 11);
    return result;
  }

  /** A uniform double in (0, 1) from stream `s`. */
  private unit(s: number): number {
    return (this.next(s) + 0.5) * (1 / 4294967296);
  }

  private write(p: number): number {
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    const fresh = (this.ringLog[w]! & bit) === 0 ? 1 : 0;
    this.dirtyLog[w]! |= bit;
    this.populated[w]! |= bit;
    this.ringLog[w]! |= bit;
    if (this.lastWrite) this.lastWrite[p] = this.stamp;
    return fresh;
  }

  /** Writes the pages of `bits` in 32-bit word w; returns the dirty-ring entries made. */
  private writeWord(w: number, bits: number): number {
    const old = this.ringLog[w]!;
    this.dirtyLog[w]! |= bits;
    this.populated[w]! |= bits;
    this.ringLog[w] = old | bits;
    return popcount(bits & ~old);
  }

  /** Pages of [start, end) a write would change (not in all of ring, log and populated), as word w's bits. */
  private cleanBits(w: number, start: number, end: number): number {
    return ~(this.ringLog[w]! & this.dirtyLog[w]! & this.populated[w]!) & regionMask(w, start, end);
  }

  private loopUniform(s: number, start: number, count: number, k: number): number {
    let fresh = 0;
    for (let i = 0; i < k; i++) fresh += this.write(start + below(this.next(s), count));
    return fresh;
  }

  /** Same strategy and draws as uniformWrites in assembly/index.ts. */
  private uniformWrites(s: number, start: number, count: number, k: number): number {
    if (k === 0) return 0;
    if (this.lastWrite || this.mode === 1 || (this.mode === 0 && !preferPass(count, k))) return this.loopUniform(s, start, count, k);
    const end = start + count;
    let clean = 0;
    for (let w = start >>> 5; w <= (end - 1) >>> 5; w++) clean += popcount(this.cleanBits(w, start, end));
    if (clean === 0) return 0;
    if (this.mode === 0 && !preferWalk(count, k, clean)) return this.loopUniform(s, start, count, k);
    // Algorithm S over the clean pages in page order.
    let need = this.drawOccupancy(s, clean, count, k);
    let left = clean;
    let fresh = 0;
    for (let w = start >>> 5; w <= (end - 1) >>> 5 && need > 0; w++) {
      let bits = this.cleanBits(w, start, end);
      if (bits === 0) continue;
      let take = 0;
      while (bits !== 0 && need > 0) {
        const b = bits & -bits;
        bits ^= b;
        if (need === left || below(this.next(s), left) < need) {
          take |= b;
          need--;
        }
        left--;
      }
      fresh += this.writeWord(w, take);
    }
    return fresh;
  }

  private drawOccupancy(s: number, clean: number, h: number, k: number): number {
    const c = clean;
    const H = h;
    const t1 = k * ln1m(1 / H);
    const hit = -expm1(t1);
    const mu = c * hit;
    if (c <= JUMP_MAX || mu <= JUMP_MAX) {
      let x = 0;
      let used = 0;
      while (x < clean) {
        const p = (clean - x) / H;
        used += p >= 1 ? 1 : Math.floor(ln(this.unit(s)) / ln1m(p)) + 1;
        if (used > k) break;
        x++;
      }
      return x;
    }
    const missed = c * exp(t1);
    if (missed <= POISSON_MAX) {
      const u = this.unit(s);
      let n = 0;
      let term = exp(-missed);
      let cdf = term;
      while (u > cdf && n < c) { n += 1; term *= missed / n; cdf += term; }
      return c - n;
    }
    const pairGap = -expm1(k * ln1m(1 / ((H - 1) * (H - 1))));
    const qk = exp(t1);
    const variance = Math.max(0, missed * hit - c * (c - 1) * qk * qk * pairGap);
    const x = Math.floor(mu + Math.sqrt(variance) * normalQuantile(this.unit(s)) + 0.5);
    return Math.max(0, Math.min(x, Math.min(c, k)));
  }

  private drawBinomial(s: number, n: number, p32: number): number {
    const p = p32 * (1 / 4294967296);
    const flip = p > 0.5;
    const side = flip ? 1 - p : p;
    const m = n * side;
    let x = 0;
    if (m <= BINOMIAL_EXACT_MAX) {
      const l = ln1m(side);
      let used = 0;
      for (;;) {
        used += Math.floor(ln(this.unit(s)) / l) + 1;
        if (used > n) break;
        x += 1;
      }
    } else {
      x = Math.max(0, Math.min(n, Math.floor(m + Math.sqrt(m * (1 - side)) * normalQuantile(this.unit(s)) + 0.5)));
    }
    return flip ? n - x : x;
  }

  touchUniform(s: number, start: number, count: number, k: number): number {
    this.stamp++;
    return this.uniformWrites(s, start, count, k);
  }

  touchHotCold(s: number, hs: number, hc: number, cs: number, cc: number, hp: number, k: number): number {
    this.stamp++;
    if (this.lastWrite || this.mode === 1 || k === 0 || cc === 0 || hp === 0) return this.loopHotCold(s, hs, hc, cs, cc, hp, k);
    const hotShare = k * (hp * (1 / 4294967296));
    if (this.mode === 0 && !preferPass(hc, hotShare) && !preferPass(cc, k - hotShare)) return this.loopHotCold(s, hs, hc, cs, cc, hp, k);
    const kh = this.drawBinomial(s, k, hp);
    return this.uniformWrites(s, hs, hc, kh) + this.uniformWrites(s, cs, cc, k - kh);
  }

  private loopHotCold(s: number, hs: number, hc: number, cs: number, cc: number, hp: number, k: number): number {
    let fresh = 0;
    for (let i = 0; i < k; i++) {
      const pick = this.next(s);
      const r = this.next(s);
      fresh += pick < hp ? this.write(hs + below(r, hc)) : this.write(cs + below(r, cc));
    }
    return fresh;
  }

  touchSequential(start: number, count: number, cursor: number, k: number): number {
    this.stamp++;
    let fresh = 0;
    const n = Math.min(k, count);
    for (let i = 0, c = cursor; i < n; i++) {
      fresh += this.write(start + c);
      if (++c === count) c = 0;
    }
    this.fresh = fresh;
    return (cursor + k) % count;
  }

  lastFresh(): number { return this.fresh; }

  syncDirtyLog(resetRings = false): number {
    let fresh = 0;
    let logged = 0;
    for (let w = 0; w < this.dirtyLog.length; w++) {
      const d = this.dirtyLog[w]!;
      if (d === 0) continue;
      fresh += popcount(d & ~this.toSend[w]!);
      logged += popcount(d);
      this.toSend[w]! |= d;
      this.dirtyLog[w] = 0;
    }
    if (resetRings) this.ringLog.fill(0);
    this.logPages = logged;
    return fresh;
  }

  lastLogPages(): number { return this.logPages; }

  scanSend(cursor: number, end: number, budget: number, nc: number, zc: number, skip: boolean): number {
    this.stamp++;
    let normal = 0;
    let zero = 0;
    let skipped = 0;
    let bytes = 0;
    let p = cursor;
    for (; p < end && bytes < budget; p++) {
      const w = p >>> 5;
      const bit = 1 << (p & 31);
      if ((this.toSend[w]! & bit) === 0) continue;
      this.toSend[w]! &= ~bit;
      if (skip && (this.dirtyLog[w]! & bit) !== 0) {
        skipped++;
        continue;
      }
      if ((this.populated[w]! & bit) !== 0) {
        normal++;
        bytes += nc;
      } else {
        zero++;
        bytes += zc;
      }
      if (this.lastSend) this.lastSend[p] = this.stamp;
    }
    // When the budget ran out inside a 64-page word, the Wasm core resumes at that word's next page still
    // to send, or at the word's end; step to the same place so both report the same cursor.
    if (p > cursor && p < end) {
      const wordEnd = Math.min((((p - 1) >>> 6) + 1) * 64, end);
      while (p < wordEnd && (this.toSend[p >>> 5]! & (1 << (p & 31))) === 0) p++;
    }
    this.normal = normal;
    this.zero = zero;
    this.skipped = skipped;
    this.bytes = bytes;
    return p;
  }

  lastNormal(): number { return this.normal; }
  lastZero(): number { return this.zero; }
  lastSkipped(): number { return this.skipped; }
  lastBytes(): number { return this.bytes; }

  setTouchMode(mode: TouchMode): void { this.mode = TOUCH_MODES[mode]; }

  countBits(which: Bitmap): number {
    let n = 0;
    for (const w of this[which]) n += popcount(w);
    return n;
  }
}

// === Trace replay and table-driven generators: the twins of assembly/index.ts touchList/touchTable ===
export interface ReferencePageStore {
  touchPages(pages: Uint32Array, map: PageMap): number;
  touchTable(stream: number, table: SamplingTable, map: PageMap, k: number): number;
}

ReferencePageStore.prototype.touchPages = function touchPages(this: ReferencePageStore, pages: Uint32Array, map: PageMap): number {
  const self = this as unknown as RefInternals;
  let fresh = 0;
  // The same chunking as the Wasm store, so the write stamps match call for call.
  for (let i = 0; i < pages.length; i += PAGE_LIST_CAPACITY) {
    self.stamp++;
    const end = Math.min(pages.length, i + PAGE_LIST_CAPACITY);
    for (let j = i; j < end; j++) fresh += self.write(place(pages[j]!, map));
  }
  return fresh;
};

ReferencePageStore.prototype.touchTable = function touchTable(this: ReferencePageStore, s: number, table: SamplingTable, map: PageMap, k: number): number {
  const self = this as unknown as RefInternals;
  self.stamp++;
  let fresh = 0;
  const last = table.length - 1;
  const at: PageMap = { ...map, shift: 0 }; // ranks are not shifted (touchTable in the core ignores shift)
  for (let i = 0; i < k; i++) {
    const pick = self.next(s);
    const r = self.next(s);
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pick < table.thresholds[mid]!) hi = mid;
      else lo = mid + 1;
    }
    fresh += self.write(place(table.starts[lo]! + below(r, table.sizes[lo]!), at));
  }
  return fresh;
};

/** The private members the additions above use (kept out of the class body, which is being optimised separately). */
interface RefInternals {
  stamp: number;
  write(p: number): number;
  next(s: number): number;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** floor(r * n / 2^32) computed exactly in doubles (r, n < 2^32; the product needs 64 bits). */
export function below(r: number, n: number): number {
  const hi = (r >>> 16) * n; // < 2^48
  const lo = (r & 0xffff) * n; // < 2^48
  const q = Math.floor(hi / 65536);
  const rem = hi - q * 65536;
  return q + Math.floor((rem * 65536 + lo) / 4294967296);
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Mask of region [start, end)'s bits in 32-bit word w. */
function regionMask(w: number, start: number, end: number): number {
  let m = -1;
  if (w === start >>> 5) m &= -1 << (start & 31);
  if (w === (end - 1) >>> 5 && (end & 31) !== 0) m &= (1 << (end & 31)) - 1;
  return m;
}

// The strategy choice of assembly/index.ts, with the same doubles.
function preferPass(count: number, k: number): boolean {
  return k * touchCost(count) > 2 * COST_WORD * ((count >>> 6) + 1);
}
function preferWalk(count: number, k: number, clean: number): boolean {
  const jumps = Math.min(Math.min(clean, k), JUMP_MAX);
  return k * touchCost(count) > COST_WORD * ((count >>> 6) + 1) + COST_CLEAN_BIT * clean + COST_JUMP * jumps;
}

// === Postcopy: the twins of assembly/index.ts toSendRuns, toSendBytes, countToSendRange, postcopyAccess ===
export interface ReferencePageStore {
  toSendRuns(): number;
  toSendBytes(normalCost: number, zeroCost: number): number;
  countToSendRange(start: number, count: number): number;
  postcopyAccess(s: number, start: number, count: number, held: number, k: number, writeShare32: number, normalCost: number, zeroCost: number): number;
  lastFault(): number;
}

/** Up to this many accesses postcopyAccess always loops (POSTCOPY_LOOP_MAX in assembly/index.ts). */
const POSTCOPY_LOOP_MAX = 4096;
const lastFaults = new WeakMap<object, number>();

ReferencePageStore.prototype.toSendRuns = function toSendRuns(this: ReferencePageStore): number {
  let runs = 0;
  let carry = 0;
  for (const w of this.toSend) {
    runs += popcount(w & ~((w << 1) | carry));
    carry = w >>> 31;
  }
  return runs;
};

ReferencePageStore.prototype.toSendBytes = function toSendBytes(this: ReferencePageStore, normalCost: number, zeroCost: number): number {
  let n = 0;
  let z = 0;
  for (let i = 0; i < this.toSend.length; i++) {
    const t = this.toSend[i]!;
    n += popcount(t & this.populated[i]!);
    z += popcount(t & ~this.populated[i]!);
  }
  return n * normalCost + z * zeroCost;
};

ReferencePageStore.prototype.countToSendRange = function countToSendRange(this: ReferencePageStore, start: number, count: number): number {
  if (count === 0) return 0;
  const end = start + count;
  let n = 0;
  for (let w = start >>> 5; w <= (end - 1) >>> 5; w++) n += popcount(this.toSend[w]! & regionMask(w, start, end));
  return n;
};

ReferencePageStore.prototype.postcopyAccess = function postcopyAccess(
  this: ReferencePageStore, s: number, start: number, count: number, held: number, k: number, writeShare32: number, normalCost: number, zeroCost: number,
): number {
  const self = this as unknown as RefInternals & PostcopyInternals;
  self.stamp++;
  let normal = 0;
  let zero = 0;
  let last = -1;
  let faults = 0;
  const ts = this.toSend;
  const pop = this.populated;
  if (held > 0 && k >= 1) {
    if (this.lastWrite !== null || k <= POSTCOPY_LOOP_MAX || k <= ((count >>> 6) + 1) + held) {
      const n = Math.floor(k);
      for (let i = 0; i < n; i++) {
        const p = start + below(self.next(s), count);
        const w = p >>> 5;
        const bit = 1 << (p & 31);
        if ((ts[w]! & bit) !== 0) {
          ts[w]! &= ~bit;
          if (this.lastSend) this.lastSend[p] = self.stamp;
          if ((pop[w]! & bit) !== 0) normal++; else zero++;
          last = p;
          faults++;
        }
        if (this.lastWrite !== null && self.next(s) < writeShare32) this.lastWrite[p] = self.stamp;
      }
    } else {
      const f = self.drawOccupancy(s, held, count, k);
      const j = f > 0 ? below(self.next(s), f) : 0;
      const end = start + count;
      let left = held;
      let need = f;
      let picked = 0;
      for (let w = start >>> 5; w <= (end - 1) >>> 5 && need > 0; w++) {
        let bits = ts[w]! & regionMask(w, start, end);
        if (bits === 0) continue;
        let take = 0;
        while (bits !== 0 && need > 0) {
          const b = bits & -bits;
          bits ^= b;
          if (need === left || below(self.next(s), left) < need) {
            take |= b;
            if (picked === j) last = w * 32 + (31 - Math.clz32(b));
            picked++;
            need--;
          }
          left--;
        }
        if (take === 0) continue;
        ts[w]! &= ~take;
        const nn = popcount(take & pop[w]!);
        normal += nn;
        zero += popcount(take) - nn;
      }
      faults = f;
    }
  }
  self.normal = normal;
  self.zero = zero;
  self.skipped = 0;
  self.bytes = normal * normalCost + zero * zeroCost;
  lastFaults.set(this, last);
  return faults;
};

ReferencePageStore.prototype.lastFault = function lastFault(this: ReferencePageStore): number {
  return lastFaults.get(this) ?? -1;
};

/** The counters postcopyAccess leaves, and the occupancy draw it shares with the uniform writer. */
interface PostcopyInternals {
  normal: number;
  zero: number;
  skipped: number;
  bytes: number;
  drawOccupancy(s: number, clean: number, h: number, k: number): number;
}
