import type { Bitmap, PageStore } from './page-store.js';
import { MAX_STREAMS } from './page-store.js';
import { PAGE_LIST_CAPACITY, place, type PageMap, type SamplingTable } from './page-map.js';

/**
 * The Wasm core's loops written again in plain TypeScript, page for page: the same PRNG (xoshiro128**
 * seeded by SplitMix32), the same multiply-shift range mapping, the same scan order and budget rule.
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

  touchUniform(s: number, start: number, count: number, k: number): number {
    this.stamp++;
    let fresh = 0;
    for (let i = 0; i < k; i++) fresh += this.write(start + below(this.next(s), count));
    return fresh;
  }

  touchHotCold(s: number, hs: number, hc: number, cs: number, cc: number, hp: number, k: number): number {
    this.stamp++;
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
    let c = cursor;
    for (let i = 0; i < k; i++) {
      fresh += this.write(start + c);
      if (++c === count) c = 0;
    }
    this.fresh = fresh;
    return c;
  }

  lastFresh(): number { return this.fresh; }

  syncDirtyLog(): number {
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
