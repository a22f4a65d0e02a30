/**
 * What the engine needs from guest memory. Two implementations share these exact semantics:
 * `WasmPageStore` (the AssemblyScript core, for real runs) and `ReferencePageStore` (plain TypeScript,
 * the oracle for tests and the baseline for benchmarks). Every call handles a whole burst's (or sync's)
 * worth of pages. Bitmaps are little-endian words: page p is bit (p & 31) of word (p >>> 5).
 */
export interface PageStore {
  readonly pages: number;
  /** Bit set = page written since the last sync (the dirty log). A view, never a copy. */
  readonly dirtyLog: Uint32Array;
  /** Bit set = page still to send (the migration bitmap). */
  readonly toSend: Uint32Array;
  /**
   * Bit set = page written since boot; clear = zero page. Read the property each time: the Wasm core keeps this
   * bitmap and `ringLog` lazily and writes them out when they are read, so an array held across calls goes stale.
   */
  readonly populated: Uint32Array;
  /** Bit set = page logged in a KVM dirty ring since the last ring reset. */
  readonly ringLog: Uint32Array;
  /** Per-page stamp of the last write and last send, when tracing (small VMs only). */
  readonly lastWrite: Uint32Array | null;
  readonly lastSend: Uint32Array | null;

  seedStream(stream: number, seed: number): void;
  populatePrefix(count: number): void;
  /** Populates, evenly, the pages of [start, end) that a spread of k in n takes (see assembly/index.ts); returns the accumulator. */
  populateSpread(start: number, end: number, k: number, n: number, acc: number): number;
  markAllToSend(): void;
  /**
   * Writes return the dirty-ring entries they made: pages not logged since the last `resetRing` (KVM
   * write-protects every page again when the rings are reset, so a page written again afterwards counts again).
   */
  resetRing(): void;
  /** k uniform writes over [start, start+count) (none when count is 0); returns the dirty-ring entries made. */
  touchUniform(stream: number, start: number, count: number, k: number): number;
  /** k writes, hot range with probability hotProb/2^32 (all to the other range when one is empty); returns the dirty-ring entries made. */
  touchHotCold(
    stream: number, hotStart: number, hotCount: number, coldStart: number, coldCount: number,
    hotProb: number, k: number,
  ): number;
  /** k writes sweeping [start, start+count) from `cursor`; returns the new cursor (fresh count: lastFresh). */
  touchSequential(start: number, count: number, cursor: number, k: number): number;
  lastFresh(): number;
  /**
   * OR the log into the to-send bitmap and clear it, and with `resetRings` empty the rings in the same pass;
   * returns pages newly set in the to-send bitmap.
   */
  syncDirtyLog(resetRings?: boolean): number;
  /** Distinct pages that were in the log at the last sync. */
  lastLogPages(): number;
  /** Scan-and-send; see assembly/index.ts `scanSend`. Returns where the scan stopped. */
  scanSend(cursor: number, end: number, budget: number, normalCost: number, zeroCost: number, skipDirty: boolean): number;
  lastNormal(): number;
  lastZero(): number;
  lastSkipped(): number;
  lastBytes(): number;
  countBits(which: Bitmap): number;
  // Wire features (src/engine/wire-model.ts; the core's section "Wire features" in assembly/index.ts).
  /** Allocates the XBZRLE cache: `entries` slots (a power of two), each the page it holds and its age. */
  initXbzrle(entries: number): void;
  /** The content model: the fraction of 64-page blocks of the compressible class, and the content seed. */
  setContent(compressibleFraction: number, seed: number): void;
  /** Per-page costs, 9 numbers: [counted, wire, work] × [zero, incompressible, compressible], metric-major. */
  setWireCosts(costs: readonly number[]): void;
  /** XBZRLE state of the next scans (see assembly/index.ts setXbzrle). */
  setXbzrle(active: boolean, generation: number, lastStage: boolean, changedBytes: number, pageSize: number, frameBytes: number, work: number): void;
  /** scanSend with content-aware costs and three budgets (counted bytes, wire bytes, CPU work); results in wireCounters(). */
  scanSendWire(cursor: number, end: number, budget: number, wireBudget: number, workBudget: number, skipDirty: boolean): number;
  /** Results of the last scanSendWire: see WIRE_SLOTS. */
  wireCounters(): ArrayLike<number>;
  /** The XBZRLE cache as [page + 1 (0 = empty), age] per slot (tests read it). */
  xbzrleCache(): { addrs: Uint32Array; ages: Uint32Array } | null;
  /** How uniform and hot/cold writes are applied (see TouchMode); runs keep 'auto'. */
  setTouchMode(mode: TouchMode): void;

  // Trace replay and table-driven generators (src/core/page-map.ts).
  /** Writes every page of `pages`, placed by `map`, in calls of PAGE_LIST_CAPACITY; returns the dirty-ring entries made. */
  touchPages(pages: Uint32Array, map: PageMap): number;
  /** k writes with stream `s`, ranks drawn from `table`, placed by `map`; returns the dirty-ring entries made. */
  touchTable(stream: number, table: SamplingTable, map: PageMap, k: number): number;

  // Postcopy (src/engine/postcopy.ts): the to-send bitmap is then the set of pages the destination lacks.
  /** Runs of set bits in the to-send bitmap (the ranges of QEMU's discard bitmap). */
  toSendRuns(): number;
  /** Bytes sending every page still to send would cost (populated pages `normalCost`, zero pages `zeroCost`). */
  toSendBytes(normalCost: number, zeroCost: number): number;
  /** Pages of [start, start + count) still to send. */
  countToSendRange(start: number, count: number): number;
  /**
   * k destination accesses, uniform over [start, start + count) holding `held` pages still to send (countToSendRange);
   * each first access to such a page faults and fetches it (cleared, counted in lastNormal/lastZero/lastBytes).
   * Returns the faults; lastFault() is the page of the last one (−1 for none). With trace stamps, an access is a write
   * with probability writeShare32 / 2^32 and stamps lastWrite; a fetch stamps lastSend. See assembly/index.ts.
   */
  postcopyAccess(s: number, start: number, count: number, held: number, k: number, writeShare32: number, normalCost: number, zeroCost: number): number;
  lastFault(): number;
}

import type { PageMap, SamplingTable } from './page-map.js';

/**
 * 'auto': whichever of the per-write loop and occupancy sampling costs less (assembly/index.ts, measured switch
 * points); 'loop': always the per-write loop; 'sample': occupancy sampling whenever the store does not trace.
 * Tests and benchmarks force one to compare them; both give the same distribution of dirtied pages.
 */
export type TouchMode = 'auto' | 'loop' | 'sample';
export const TOUCH_MODES: Record<TouchMode, number> = { auto: 0, loop: 1, sample: 2 };

/** Slots of wireCounters(): the core's counters block (assembly/index.ts OUT_*), f64 each. */
export const WIRE_SLOTS = {
  normal: 0, zero: 1, skipped: 2, bytes: 3, wire: 6, work: 7, compressible: 8,
  xbzrleEncoded: 9, xbzrleData: 10, xbzrleUnchanged: 11, xbzrleMiss: 12, xbzrleOverflow: 13,
} as const;
export const WIRE_COUNTER_SLOTS = 16;

/** lowbias32 (C. Wellons, hash-prospector), the core's content hash (assembly/index.ts mix32). */
export function mix32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16; x = Math.imul(x, 0x7feb352d) >>> 0; x ^= x >>> 15; x = Math.imul(x, 0x846ca68b) >>> 0; x ^= x >>> 16;
  return x >>> 0;
}

/** The bitmaps a page store holds. */
export type Bitmap = 'dirtyLog' | 'toSend' | 'populated' | 'ringLog';

export { MAX_STREAMS, MAX_PAGES, WASM_MEMORY_LIMIT_BYTES, WASM_RESERVED_BYTES, bytesPerPage } from '../model/limits.js';
