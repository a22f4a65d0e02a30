import type { Bitmap, PageStore, TouchMode } from './page-store.js';
import { MAX_STREAMS, TOUCH_MODES, WIRE_COUNTER_SLOTS, WIRE_SLOTS, mix32 } from './page-store.js';
import {
  ALL_HIT_MISS_MAX, COST_CLEAN_BIT, COST_JUMP, COST_MIXED_STALL, COUNT_AMORTIZED_STEPS, COST_SUMMARY_WORD, COST_WORD, JUMP_MAX, REGION_SLOTS, POISSON_MAX, BINOMIAL_EXACT_MAX, touchCost,
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
  // The region cache of assembly/index.ts (slots of start, count, clean count, valid), kept the same way so
  // both stores take the same decisions; ringSubset as there.
  private readonly slotStart = new Float64Array(REGION_SLOTS).fill(-1);
  private readonly slotCount = new Float64Array(REGION_SLOTS);
  private readonly slotClean = new Float64Array(REGION_SLOTS);
  private readonly slotValid = new Uint8Array(REGION_SLOTS);
  private nextSlot = 0;
  private ringSubset = true;

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
    this.clearSlots();
    for (let p = 0; p < count; p++) this.populated[p >>> 5]! |= 1 << (p & 31);
  }

  populateSpread(start: number, end: number, k: number, n: number, acc: number): number {
    this.clearSlots();
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
    this.allClean(true);
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

  // --- The region cache (see assembly/index.ts) ---
  clearSlots(): void { this.slotValid.fill(0); }
  private allClean(ringsEmpty: boolean): void {
    for (let i = 0; i < REGION_SLOTS; i++) {
      if (this.slotCount[i] !== 0) { this.slotClean[i] = this.slotCount[i]!; this.slotValid[i] = 1; }
    }
    this.ringSubset = ringsEmpty;
  }
  private slotFor(start: number, count: number): number {
    for (let i = 0; i < REGION_SLOTS; i++) if (this.slotStart[i] === start && this.slotCount[i] === count) return i;
    const i = this.nextSlot;
    this.nextSlot = (this.nextSlot + 1) % REGION_SLOTS;
    this.slotStart[i] = start;
    this.slotCount[i] = count;
    this.slotClean[i] = 0;
    this.slotValid[i] = 0;
    return i;
  }
  private noteWrites(i: number, made: number, exact: boolean): void {
    if (exact || this.ringSubset) this.slotClean[i]! -= made;
    else this.slotValid[i] = 0;
    const s0 = this.slotStart[i]!, e0 = s0 + this.slotCount[i]!;
    for (let j = 0; j < REGION_SLOTS; j++) {
      if (j === i) continue;
      const s1 = this.slotStart[j]!, e1 = s1 + this.slotCount[j]!;
      if (s1 < e0 && s0 < e1) this.slotValid[j] = 0;
    }
  }
  /** The clean count the slot keeps, or -1 (the twin of the core's keptClean). */
  keptClean(start: number, count: number): number {
    for (let i = 0; i < REGION_SLOTS; i++) if (this.slotStart[i] === start && this.slotCount[i] === count && this.slotValid[i]) return this.slotClean[i]!;
    return -1;
  }
  private cleanOf(i: number, start: number, count: number): number {
    if (this.slotValid[i]) return this.slotClean[i]!;
    const end = start + count;
    let clean = 0;
    for (let w = start >>> 5; w <= (end - 1) >>> 5; w++) clean += popcount(this.cleanBits(w, start, end));
    this.slotClean[i] = clean;
    this.slotValid[i] = 1;
    return clean;
  }
  private wantsSample(start: number, count: number, k: number): boolean {
    const slot = this.slotFor(start, count);
    if (preferPass(count, k)) return true;
    if (!this.slotValid[slot]) return false;
    const clean = this.slotClean[slot]!;
    return clean === 0 || preferSample(count, k, clean);
  }

  /** Same strategy and draws as uniformWrites in assembly/index.ts. */
  private uniformWrites(s: number, start: number, count: number, k: number): number {
    if (k === 0 || count === 0) return 0; // an empty region takes no writes
    const slot = this.slotFor(start, count);
    if (this.lastWrite || this.mode === 1 || (this.mode === 0 && !this.slotValid[slot] && !preferCount(count, k))) {
      const f = this.loopUniform(s, start, count, k);
      this.noteWrites(slot, f, false);
      return f;
    }
    const clean = this.cleanOf(slot, start, count);
    if (clean === 0) return 0;
    if (this.mode === 0 && !preferSample(count, k, clean)) {
      const f = this.loopUniform(s, start, count, k);
      this.noteWrites(slot, f, false);
      return f;
    }
    return this.sampleWrites(s, slot, start, count, clean, count, k);
  }

  /** assembly/index.ts sampleWrites: one sampled step, the occupancy of k writes over h pages picked among the clean. */
  private sampleWrites(s: number, slot: number, start: number, count: number, clean: number, h: number, k: number): number {
    const pick = this.drawOccupancy(s, clean, h, k);
    const fresh = pick === 0 ? 0
      : touchCost(count) * rejectDraws(count, clean, pick) <= walkCost(count, clean) ? this.rejectClean(s, start, count, pick)
        : this.writeClean(s, start, count, clean, pick);
    this.noteWrites(slot, pick, true);
    return fresh;
  }

  /** Uniform draws over the region, kept while the page is clean, until `pick` pages are taken. */
  private rejectClean(s: number, start: number, count: number, pick: number): number {
    let need = pick;
    let fresh = 0;
    while (need > 0) {
      const p = start + below(this.next(s), count);
      const w = p >>> 5;
      const bit = 1 << (p & 31);
      if ((this.ringLog[w]! & this.dirtyLog[w]! & this.populated[w]! & bit) !== 0) continue;
      fresh += this.write(p);
      need--;
    }
    return fresh;
  }

  /** Algorithm S over the clean pages in page order. */
  private writeClean(s: number, start: number, count: number, clean: number, pick: number): number {
    const end = start + count;
    let need = pick;
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
    const qk = exp(t1);
    const missed = c * qk;
    if (missed < ALL_HIT_MISS_MAX) return clean;
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
    if (missed <= POISSON_MAX) {
      const u = this.unit(s);
      let n = 0;
      let term = exp(-missed);
      let cdf = term;
      while (u > cdf && n < c) { n += 1; term *= missed / n; cdf += term; }
      return c - n;
    }
    const pairGap = -expm1(k * ln1m(1 / ((H - 1) * (H - 1))));
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
    // An empty range takes no writes: they all go to the other one (assembly/index.ts).
    if (cc === 0) return this.uniformWrites(s, hs, hc, k);
    if (hc === 0) return this.uniformWrites(s, cs, cc, k);
    if (this.lastWrite || this.mode === 1 || k === 0 || hp === 0) return this.loopHotCold(s, hs, hc, cs, cc, hp, k);
    const hot = this.slotFor(hs, hc), cold = this.slotFor(cs, cc);
    if (this.slotValid[hot] && this.slotValid[cold]) {
      const ch = this.slotClean[hot]!, ccl = this.slotClean[cold]!;
      if (ch === 0 && ccl === 0) return 0;
      if (ch === 0 || ccl === 0) {
        // Only one range can change: the occupancy of k writes over its pages / its share (assembly/index.ts).
        const toHot = ccl === 0;
        const share = toHot ? hp * (1 / 4294967296) : 1 - hp * (1 / 4294967296);
        const start = toHot ? hs : cs, count = toHot ? hc : cc;
        return this.sampleWrites(s, toHot ? hot : cold, start, count, toHot ? ch : ccl, count / share, k);
      }
    }
    const hotShare = k * (hp * (1 / 4294967296));
    if (this.mode === 0 && !this.wantsSample(hs, hc, hotShare) && !this.wantsSample(cs, cc, k - hotShare)
      && !preferSplit(hc, cc, k, hotShare)) return this.loopHotCold(s, hs, hc, cs, cc, hp, k);
    const kh = this.drawBinomial(s, k, hp);
    return this.uniformWrites(s, hs, hc, kh) + this.uniformWrites(s, cs, cc, k - kh);
  }

  /** The per-write loop, both ranges' kept counts updated (hotColdLoop in the core). */
  private loopHotCold(s: number, hs: number, hc: number, cs: number, cc: number, hp: number, k: number): number {
    const hot = this.slotFor(hs, hc);
    const cold = this.slotFor(cs, cc);
    let fresh = 0;
    let hf = 0;
    for (let i = 0; i < k; i++) {
      const pick = this.next(s);
      const r = this.next(s);
      if (pick < hp) {
        const f = this.write(hs + below(r, hc));
        fresh += f;
        hf += f;
      } else fresh += this.write(cs + below(r, cc));
    }
    this.noteWrites(hot, hf, false);
    this.noteWrites(cold, fresh - hf, false);
    return fresh;
  }

  touchSequential(start: number, count: number, cursor: number, k: number): number {
    this.stamp++;
    this.clearSlots();
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
    this.allClean(resetRings);
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

  // --- Wire features: the twin of assembly/index.ts scanSendWire / scanXbzrle, page for page ---
  private cacheAddrs: Uint32Array | null = null;
  private cacheAges: Uint32Array | null = null;
  private compThreshold = 0;
  private contentSeed = 0;
  private wireCosts = new Array<number>(9).fill(0);
  private xb = { active: false, generation: 0, lastStage: false, changed: 0, pageSize: 4096, frame: 11, work: 4096 };
  private readonly wireOut = new Float64Array(WIRE_COUNTER_SLOTS);

  initXbzrle(entries: number): void {
    this.cacheAddrs = new Uint32Array(entries);
    this.cacheAges = new Uint32Array(entries);
  }
  setContent(fraction: number, seed: number): void {
    this.compThreshold = fraction * 4294967296;
    this.contentSeed = seed >>> 0;
  }
  setWireCosts(costs: readonly number[]): void { this.wireCosts = [...costs]; }
  setXbzrle(active: boolean, generation: number, lastStage: boolean, changed: number, pageSize: number, frame: number, work: number): void {
    this.xb = { active, generation: generation >>> 0, lastStage, changed, pageSize, frame, work };
  }
  wireCounters(): ArrayLike<number> { return this.wireOut; }
  xbzrleCache(): { addrs: Uint32Array; ages: Uint32Array } | null {
    return this.cacheAddrs === null ? null : { addrs: this.cacheAddrs, ages: this.cacheAges! };
  }

  scanSendWire(cursor: number, end: number, budget: number, wireBudget: number, workBudget: number, skip: boolean): number {
    this.stamp++;
    const c = this.wireCosts;
    const xb = this.xb;
    const o = { normal: 0, zero: 0, skipped: 0, bytes: 0, wire: 0, work: 0, comp: 0, enc: 0, data: 0, unch: 0, miss: 0, ovf: 0 };
    const add = (cls: number) => { o.bytes += c[cls]!; o.wire += c[3 + cls]!; o.work += c[6 + cls]!; };
    let p = cursor;
    for (; p < end && o.bytes < budget && o.wire < wireBudget && o.work < workBudget; p++) {
      const w = p >>> 5;
      const bit = 1 << (p & 31);
      if ((this.toSend[w]! & bit) === 0) continue;
      this.toSend[w]! &= ~bit;
      if (skip && (this.dirtyLog[w]! & bit) !== 0) {
        o.skipped++;
        continue;
      }
      const comp = mix32((p >>> 6) ^ this.contentSeed) < this.compThreshold;
      if ((this.populated[w]! & bit) === 0) {
        o.zero++;
        add(0);
      } else if (!xb.active) {
        o.normal++;
        if (comp) o.comp++;
        add(comp ? 2 : 1);
      } else {
        const slot = p & (this.cacheAddrs!.length - 1);
        const held = this.cacheAddrs![slot]!;
        if (held === p + 1) {
          this.cacheAges![slot] = xb.generation;
          o.work += xb.work;
          if (xb.changed === 0) o.unch++;
          else {
            const len = xbzrleLength(p, this.contentSeed, xb.changed, xb.pageSize);
            if (len > xb.pageSize) {
              o.ovf++;
              o.normal++;
              if (comp) o.comp++;
              o.bytes += c[1]!; o.wire += c[4]!;
            } else {
              o.enc++;
              o.data += len;
              o.bytes += xb.frame + len; o.wire += xb.frame + len;
            }
          }
        } else {
          o.miss++;
          if (!xb.lastStage && (held === 0 || this.cacheAges![slot]! + 2 <= xb.generation)) {
            this.cacheAddrs![slot] = p + 1;
            this.cacheAges![slot] = xb.generation;
          }
          o.normal++;
          if (comp) o.comp++;
          o.bytes += c[1]!; o.wire += c[4]!;
        }
      }
      if (this.lastSend) this.lastSend[p] = this.stamp;
    }
    if (p > cursor && p < end) {
      const wordEnd = Math.min((((p - 1) >>> 6) + 1) * 64, end);
      while (p < wordEnd && (this.toSend[p >>> 5]! & (1 << (p & 31))) === 0) p++;
    }
    const out = this.wireOut;
    out[WIRE_SLOTS.normal] = o.normal; out[WIRE_SLOTS.zero] = o.zero; out[WIRE_SLOTS.skipped] = o.skipped;
    out[WIRE_SLOTS.bytes] = o.bytes; out[WIRE_SLOTS.wire] = o.wire; out[WIRE_SLOTS.work] = o.work; out[WIRE_SLOTS.compressible] = o.comp;
    out[WIRE_SLOTS.xbzrleEncoded] = o.enc; out[WIRE_SLOTS.xbzrleData] = o.data; out[WIRE_SLOTS.xbzrleUnchanged] = o.unch;
    out[WIRE_SLOTS.xbzrleMiss] = o.miss; out[WIRE_SLOTS.xbzrleOverflow] = o.ovf;
    this.normal = o.normal; this.zero = o.zero; this.skipped = o.skipped; this.bytes = o.bytes;
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
    self.clearSlots();
    const end = Math.min(pages.length, i + PAGE_LIST_CAPACITY);
    for (let j = i; j < end; j++) fresh += self.write(place(pages[j]!, map));
  }
  return fresh;
};

ReferencePageStore.prototype.touchTable = function touchTable(this: ReferencePageStore, s: number, table: SamplingTable, map: PageMap, k: number): number {
  const self = this as unknown as RefInternals;
  self.stamp++;
  self.clearSlots();
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
  clearSlots(): void;
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

/** ULEB128 length of x (migration/xbzrle.c uleb128_encode_small and wider). */
function ulebLen(x: number): number {
  return x < 128 ? 1 : x < 16384 ? 2 : x < 2097152 ? 3 : 4;
}
/** The core's xbzrleLength: one changed run of `changed` bytes at a page-specific offset; pageSize + 1 = overflow. */
export function xbzrleLength(p: number, seed: number, changed: number, pageSize: number): number {
  const off = mix32((p ^ seed ^ 0x5bd1e995) >>> 0) % (pageSize - changed + 1);
  const len = ulebLen(off) + ulebLen(changed) + changed;
  return len > pageSize ? pageSize + 1 : len;
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
function preferCount(count: number, k: number): boolean {
  return k * touchCost(count) * COUNT_AMORTIZED_STEPS > COST_WORD * ((count >>> 6) + 1);
}
function preferSplit(hotCount: number, coldCount: number, k: number, hotShare: number): boolean {
  const th = touchCost(hotCount), tc = touchCost(coldCount);
  const minority = Math.min(hotShare, k - hotShare);
  const binomial = minority <= BINOMIAL_EXACT_MAX ? COST_JUMP * (minority + 1) : 2 * COST_JUMP;
  const mixed = k * (th === tc ? th : COST_MIXED_STALL * Math.max(th, tc));
  return mixed > binomial + hotShare * th + (k - hotShare) * tc;
}
function rejectDraws(h: number, c: number, m: number): number {
  return m <= 0 ? 0 : h * ln((c + 0.5) / (c - m + 0.5));
}
function walkCost(count: number, c: number): number {
  return COST_SUMMARY_WORD * ((count >>> 12) + 1) + COST_WORD * Math.min(c, (count >>> 6) + 1) + COST_CLEAN_BIT * c;
}
function preferSample(count: number, k: number, clean: number): boolean {
  const c = clean;
  const mu = c * -expm1(k * ln1m(1 / count));
  const draw = c <= JUMP_MAX || mu <= JUMP_MAX ? COST_JUMP * (Math.min(mu, c) + 1) : 2 * COST_JUMP;
  const pick = Math.min(touchCost(count) * rejectDraws(count, c, mu), walkCost(count, c));
  return k * touchCost(count) > draw + pick;
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
