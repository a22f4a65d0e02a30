import { CapacityError } from '../errors/capacity-error.js';
import type { Bitmap, PageStore, TouchMode } from './page-store.js';
import { checkCapacity } from '../model/limits.js';
import { TOUCH_MODES, WIRE_COUNTER_SLOTS, WASM_MEMORY_LIMIT_BYTES, WASM_RESERVED_BYTES, bytesPerPage } from './page-store.js';
import { instantiateCore } from './wasm-loader.js';
import { PAGE_LIST_CAPACITY, TABLE_CAPACITY, type PageMap, type SamplingTable } from './page-map.js';

/** The raw exports of assembly/index.ts, typed once here; nothing else in src/ touches them. */
interface CoreExports {
  memory: WebAssembly.Memory;
  init(pages: number, trace: number): number;
  dirtyLogPtr(): number;
  toSendPtr(): number;
  populatedPtr(): number;
  ringLogPtr(): number;
  exactViews(): void;
  resetRing(): void;
  lastWriteStampPtr(): number;
  lastSendStampPtr(): number;
  seedStream(s: number, seed: number): void;
  populatePrefix(count: number): void;
  populateSpread(start: number, end: number, k: number, n: number, acc: number): number;
  markAllToSend(): void;
  touchUniform(s: number, start: number, count: number, k: number): number;
  touchHotCold(s: number, hs: number, hc: number, cs: number, cc: number, hp: number, k: number): number;
  touchSequential(start: number, count: number, cursor: number, k: number): number;
  syncDirtyLog(resetRings: number): number;
  countBits(ptr: number): number;
  scanSend(cursor: number, end: number, budget: number, nc: number, zc: number, skip: number): number;
  counterBlockPtr(): number;
  setTouchMode(mode: number): void;
  // Wire features.
  initXbzrle(entries: number): number;
  cacheAddrsPtr(): number;
  cacheAgesPtr(): number;
  costsPtr(): number;
  setContent(threshold: number, seed: number): void;
  setXbzrle(active: number, generation: number, lastStage: number, changed: number, pageSize: number, frame: number, work: number): void;
  scanSendWire(cursor: number, end: number, budget: number, wireBudget: number, workBudget: number, skip: number): number;
  keptClean(start: number, count: number): number;
  // Trace replay and table-driven generators.
  PAGE_LIST_CAPACITY: WebAssembly.Global;
  TABLE_CAPACITY: WebAssembly.Global;
  pageListPtr(): number;
  tablePtr(): number;
  touchList(n: number, base: number, count: number, a: number, b: number, shift: number): number;
  touchTable(s: number, nBuckets: number, base: number, count: number, a: number, b: number, k: number): number;
  // Postcopy.
  toSendRuns(): number;
  toSendBytes(normalCost: number, zeroCost: number): number;
  countToSendRange(start: number, count: number): number;
  postcopyAccess(s: number, start: number, count: number, held: number, k: number, writeShare32: number, nc: number, zc: number): number;
}

// Slots of the core's counters block (f64 each; see OUT_* in assembly/index.ts).
const NORMAL = 0;
const ZERO = 1;
const SKIPPED = 2;
const BYTES = 3;
const FRESH = 4;
const LOG_PAGES = 5;
const LAST_FAULT = 14;

/**
 * A fresh core instance. The host may refuse its memory (a virtual-memory limit, an exhausted address space):
 * that is the VM not fitting this machine, a CapacityError, not a bug.
 */
function instantiate(field: string, need: number): CoreExports {
  try {
    return instantiateCore() as unknown as CoreExports;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new CapacityError(field, need, WASM_MEMORY_LIMIT_BYTES,
      `the host refused the Wasm core's memory (${e.message}); raise the process's virtual-memory limit (ulimit -v) or run fewer migrations at once`);
  }
}

/**
 * The thread's idle core, kept by `release` for the next `acquire`. A fresh Wasm memory costs a page fault and a
 * kernel zeroing per 4 KiB on first touch (about 5 ms of a 64 GiB VM's 23 ms migration: bench/end-to-end.ts);
 * a reused one costs init's memset of the part in use. Only one core is kept, and only up to IDLE_CORE_MAX_BYTES
 * of Wasm memory, so an idle process holds at most that much.
 */
let idleCore: CoreExports | null = null;
/** The largest core memory kept idle between migrations (a 1 TiB VM's bitmaps take 160 MiB). */
export const IDLE_CORE_MAX_BYTES = 256 * 1024 * 1024;

/** What a released store's core is: any call names the mistake instead of touching another VM's memory. */
const RELEASED = new Proxy({}, {
  get(): never { throw new Error('livemig: this WasmPageStore was released; acquire a new one'); },
}) as CoreExports;

/**
 * Guest memory held in the Wasm core. One instance (and one Wasm memory) per VM at a time, sized once at
 * creation; the typed-array views below are built here, once, after the only memory growth.
 * `WasmPageStore.acquire` / `release` reuse the thread's idle core instead of a fresh one (same results, bit for bit).
 */
export class WasmPageStore implements PageStore {
  readonly dirtyLog: Uint32Array;
  readonly toSend: Uint32Array;
  private popView: Uint32Array;
  private ringView: Uint32Array;
  readonly lastWrite: Uint32Array | null;
  readonly lastSend: Uint32Array | null;
  memoryBytes: number;
  private readonly x: CoreExports;
  /** The core's counters block: results of the last call, read without crossing into Wasm. */
  private out: Float64Array;
  private costs: Float64Array;
  private cache: { addrs: Uint32Array; ages: Uint32Array } | null = null;

  /** A store on the thread's idle core when there is one (see `release`), else on a fresh one. */
  static acquire(pages: number, trace = false, field = 'memoryBytes'): WasmPageStore {
    checkCapacity(field, pages, trace);
    const core = idleCore;
    idleCore = null;
    return new WasmPageStore(pages, trace, field, core);
  }

  constructor(
    readonly pages: number,
    trace = false,
    field = 'memoryBytes',
    core: CoreExports | null = null,
  ) {
    checkCapacity(field, pages, trace);
    const need = Math.ceil(pages * bytesPerPage(trace)) + WASM_RESERVED_BYTES;
    this.x = core ?? instantiate(field, need);
    const end = this.x.init(pages, trace ? 1 : 0);
    if (end === 0) throw new CapacityError(field, need, WASM_MEMORY_LIMIT_BYTES);
    this.memoryBytes = end;
    // Views are (re)built after each growth: initXbzrle grows the memory once more.
    this.dirtyLog = this.toSend = this.popView = this.ringView = new Uint32Array(0);
    this.lastWrite = this.lastSend = null;
    this.out = this.costs = new Float64Array(0);
    this.views(trace);
  }

  // The core keeps the populated and ring bitmaps lazily (assembly/index.ts, memory map): their views are
  // written out in full when read, at most once per change.
  get populated(): Uint32Array {
    if (this.x !== RELEASED) this.x.exactViews();
    return this.popView;
  }
  get ringLog(): Uint32Array {
    if (this.x !== RELEASED) this.x.exactViews();
    return this.ringView;
  }

  /**
   * Hands the core back to the thread for the next `acquire` (kept when its memory is at most
   * IDLE_CORE_MAX_BYTES). The store must not be used afterwards: its views are emptied and its calls throw.
   */
  release(): void {
    if (this.x === RELEASED) return;
    if (this.x.memory.buffer.byteLength <= IDLE_CORE_MAX_BYTES) idleCore = this.x;
    listViews.delete(this); // its table views are over the core it hands back: a later call must not write there
    (this as unknown as { x: CoreExports }).x = RELEASED;
    const self = this as { -readonly [K in keyof WasmPageStore]: WasmPageStore[K] };
    self.dirtyLog = self.toSend = new Uint32Array(0);
    this.popView = this.ringView = new Uint32Array(0);
    self.lastWrite = self.lastSend = null;
    this.out = this.costs = new Float64Array(0);
    this.cache = null;
  }

  private views(trace: boolean): void {
    const buf = this.x.memory.buffer;
    const pages = this.pages;
    const words = Math.ceil(pages / 64) * 2;
    const self = this as { -readonly [K in keyof WasmPageStore]: WasmPageStore[K] };
    self.dirtyLog = new Uint32Array(buf, this.x.dirtyLogPtr(), words);
    self.toSend = new Uint32Array(buf, this.x.toSendPtr(), words);
    this.popView = new Uint32Array(buf, this.x.populatedPtr(), words);
    this.ringView = new Uint32Array(buf, this.x.ringLogPtr(), words);
    self.lastWrite = trace ? new Uint32Array(buf, this.x.lastWriteStampPtr(), pages) : null;
    self.lastSend = trace ? new Uint32Array(buf, this.x.lastSendStampPtr(), pages) : null;
    this.out = new Float64Array(buf, this.x.counterBlockPtr(), WIRE_COUNTER_SLOTS);
    this.costs = new Float64Array(buf, this.x.costsPtr(), 9);
    if (this.cache !== null) {
      const n = this.cache.addrs.length;
      this.cache = { addrs: new Uint32Array(buf, this.x.cacheAddrsPtr(), n), ages: new Uint32Array(buf, this.x.cacheAgesPtr(), n) };
    }
  }

  initXbzrle(entries: number): void {
    const end = this.x.initXbzrle(entries);
    if (end === 0) throw new CapacityError('xbzrleCacheBytes', this.memoryBytes + entries * 8, WASM_MEMORY_LIMIT_BYTES);
    this.memoryBytes = end;
    this.cache = { addrs: new Uint32Array(0), ages: new Uint32Array(0) };
    this.cache.addrs = new Uint32Array(entries);
    this.views(this.lastWrite !== null);
  }
  setContent(fraction: number, seed: number): void { this.x.setContent(fraction * 4294967296, seed >>> 0); }
  setWireCosts(costs: readonly number[]): void { this.costs.set(costs); }
  setXbzrle(active: boolean, generation: number, lastStage: boolean, changed: number, pageSize: number, frame: number, work: number): void {
    this.x.setXbzrle(active ? 1 : 0, generation >>> 0, lastStage ? 1 : 0, changed, pageSize, frame, work);
  }
  scanSendWire(cursor: number, end: number, budget: number, wireBudget: number, workBudget: number, skip: boolean): number {
    return this.x.scanSendWire(cursor, end, budget, wireBudget, workBudget, skip ? 1 : 0) >>> 0;
  }
  wireCounters(): ArrayLike<number> { return this.out; }
  xbzrleCache(): { addrs: Uint32Array; ages: Uint32Array } | null { return this.cache; }

  seedStream(stream: number, seed: number): void { this.x.seedStream(stream, seed >>> 0); }
  populatePrefix(count: number): void { this.x.populatePrefix(count); }
  populateSpread(start: number, end: number, k: number, n: number, acc: number): number { return this.x.populateSpread(start, end, k, n, acc); }
  markAllToSend(): void { this.x.markAllToSend(); }
  resetRing(): void { this.x.resetRing(); }
  touchUniform(s: number, start: number, count: number, k: number): number {
    return this.x.touchUniform(s, start, count, k) >>> 0;
  }
  touchHotCold(s: number, hs: number, hc: number, cs: number, cc: number, hp: number, k: number): number {
    return this.x.touchHotCold(s, hs, hc, cs, cc, hp >>> 0, k) >>> 0;
  }
  touchSequential(start: number, count: number, cursor: number, k: number): number {
    return this.x.touchSequential(start, count, cursor, k) >>> 0;
  }
  lastFresh(): number { return this.out[FRESH]!; }
  syncDirtyLog(resetRings = false): number { return this.x.syncDirtyLog(resetRings ? 1 : 0) >>> 0; }
  lastLogPages(): number { return this.out[LOG_PAGES]!; }
  scanSend(cursor: number, end: number, budget: number, nc: number, zc: number, skip: boolean): number {
    return this.x.scanSend(cursor, end, budget, nc, zc, skip ? 1 : 0) >>> 0;
  }
  lastNormal(): number { return this.out[NORMAL]!; }
  lastZero(): number { return this.out[ZERO]!; }
  lastSkipped(): number { return this.out[SKIPPED]!; }
  lastBytes(): number { return this.out[BYTES]!; }
  setTouchMode(mode: TouchMode): void { this.x.setTouchMode(TOUCH_MODES[mode]); }
  /** The clean count the core keeps for region [start, start + count), or -1 (for tests: it must equal a count). */
  keptClean(start: number, count: number): number { return this.x.keptClean(start, count); }
  countBits(which: Bitmap): number {
    const x = this.x;
    const ptr = which === 'dirtyLog' ? x.dirtyLogPtr() : which === 'toSend' ? x.toSendPtr() : which === 'populated' ? x.populatedPtr() : x.ringLogPtr();
    return x.countBits(ptr) >>> 0;
  }
}

// === Postcopy (kept apart from the class body, like the additions below) ===
export interface WasmPageStore {
  toSendRuns(): number;
  toSendBytes(normalCost: number, zeroCost: number): number;
  countToSendRange(start: number, count: number): number;
  postcopyAccess(s: number, start: number, count: number, held: number, k: number, writeShare32: number, normalCost: number, zeroCost: number): number;
  lastFault(): number;
}
const coreOf = (store: WasmPageStore): CoreExports => (store as unknown as { x: CoreExports }).x;
const outOf = (store: WasmPageStore): Float64Array => (store as unknown as { out: Float64Array }).out;
WasmPageStore.prototype.toSendRuns = function toSendRuns(this: WasmPageStore): number { return coreOf(this).toSendRuns() >>> 0; };
WasmPageStore.prototype.toSendBytes = function toSendBytes(this: WasmPageStore, nc: number, zc: number): number { return coreOf(this).toSendBytes(nc, zc); };
WasmPageStore.prototype.countToSendRange = function countToSendRange(this: WasmPageStore, start: number, count: number): number {
  return coreOf(this).countToSendRange(start, count) >>> 0;
};
WasmPageStore.prototype.postcopyAccess = function postcopyAccess(
  this: WasmPageStore, s: number, start: number, count: number, held: number, k: number, writeShare32: number, nc: number, zc: number,
): number {
  return coreOf(this).postcopyAccess(s, start, count, held, k, writeShare32, nc, zc) >>> 0;
};
WasmPageStore.prototype.lastFault = function lastFault(this: WasmPageStore): number { return outOf(this)[LAST_FAULT]!; };

// === Trace replay and table-driven generators (kept apart from the class body, which is optimised separately) ===
export interface WasmPageStore {
  touchPages(pages: Uint32Array, map: PageMap): number;
  touchTable(stream: number, table: SamplingTable, map: PageMap, k: number): number;
}

/** Views of the core's static page list and sampling table, made on first use (the buffers never move). */
const listViews = new WeakMap<object, { list: Uint32Array; table: Uint32Array; loaded: SamplingTable | null }>();

function viewsOf(store: WasmPageStore): { list: Uint32Array; table: Uint32Array; loaded: SamplingTable | null } {
  let v = listViews.get(store);
  if (!v) {
    const x = (store as unknown as { x: CoreExports }).x;
    if (x.PAGE_LIST_CAPACITY.value !== PAGE_LIST_CAPACITY || x.TABLE_CAPACITY.value !== TABLE_CAPACITY) {
      throw new Error('livemig: Wasm core and host disagree on PAGE_LIST_CAPACITY / TABLE_CAPACITY');
    }
    const buf = x.memory.buffer;
    v = { list: new Uint32Array(buf, x.pageListPtr(), PAGE_LIST_CAPACITY), table: new Uint32Array(buf, x.tablePtr(), TABLE_CAPACITY * 3), loaded: null };
    listViews.set(store, v);
  }
  return v;
}

WasmPageStore.prototype.touchPages = function touchPages(this: WasmPageStore, pages: Uint32Array, map: PageMap): number {
  const x = (this as unknown as { x: CoreExports }).x;
  const v = viewsOf(this);
  let fresh = 0;
  for (let i = 0; i < pages.length; i += PAGE_LIST_CAPACITY) {
    const n = Math.min(PAGE_LIST_CAPACITY, pages.length - i);
    v.list.set(pages.subarray(i, i + n));
    fresh += x.touchList(n, map.base, map.count, map.a, map.b, map.shift) >>> 0;
  }
  return fresh;
};

WasmPageStore.prototype.touchTable = function touchTable(this: WasmPageStore, s: number, table: SamplingTable, map: PageMap, k: number): number {
  const x = (this as unknown as { x: CoreExports }).x;
  const v = viewsOf(this);
  // A workload keeps its table object; copy it into the core only when it is a different one.
  if (v.loaded !== table) {
    for (let i = 0; i < table.length; i++) {
      v.table[i * 3] = table.thresholds[i]!;
      v.table[i * 3 + 1] = table.starts[i]!;
      v.table[i * 3 + 2] = table.sizes[i]!;
    }
    v.loaded = table;
  }
  return x.touchTable(s, table.length, map.base, map.count, map.a, map.b, k) >>> 0;
};
