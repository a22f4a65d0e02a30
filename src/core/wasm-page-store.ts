import { CapacityError } from '../errors/capacity-error.js';
import type { Bitmap, PageStore, TouchMode } from './page-store.js';
import { checkCapacity } from '../model/limits.js';
import { TOUCH_MODES, WASM_MEMORY_LIMIT_BYTES, WASM_RESERVED_BYTES, bytesPerPage } from './page-store.js';
import { instantiateCore } from './wasm-loader.js';

/** The raw exports of assembly/index.ts, typed once here; nothing else in src/ touches them. */
interface CoreExports {
  memory: WebAssembly.Memory;
  init(pages: number, trace: number): number;
  dirtyLogPtr(): number;
  toSendPtr(): number;
  populatedPtr(): number;
  ringLogPtr(): number;
  resetRing(): void;
  lastWriteStampPtr(): number;
  lastSendStampPtr(): number;
  seedStream(s: number, seed: number): void;
  populatePrefix(count: number): void;
  markAllToSend(): void;
  touchUniform(s: number, start: number, count: number, k: number): number;
  touchHotCold(s: number, hs: number, hc: number, cs: number, cc: number, hp: number, k: number): number;
  touchSequential(start: number, count: number, cursor: number, k: number): number;
  syncDirtyLog(resetRings: number): number;
  countBits(ptr: number): number;
  scanSend(cursor: number, end: number, budget: number, nc: number, zc: number, skip: number): number;
  counterBlockPtr(): number;
  setTouchMode(mode: number): void;
}

// Slots of the core's counters block (f64 each; see OUT_* in assembly/index.ts).
const NORMAL = 0;
const ZERO = 1;
const SKIPPED = 2;
const BYTES = 3;
const FRESH = 4;
const LOG_PAGES = 5;

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
 * Guest memory held in the Wasm core. One instance (and one Wasm memory) per VM, sized once at creation;
 * the typed-array views below are built here, once, after the only memory growth.
 */
export class WasmPageStore implements PageStore {
  readonly dirtyLog: Uint32Array;
  readonly toSend: Uint32Array;
  readonly populated: Uint32Array;
  readonly ringLog: Uint32Array;
  readonly lastWrite: Uint32Array | null;
  readonly lastSend: Uint32Array | null;
  readonly memoryBytes: number;
  private readonly x: CoreExports;
  /** The core's counters block: results of the last call, read without crossing into Wasm. */
  private readonly out: Float64Array;

  constructor(
    readonly pages: number,
    trace = false,
    field = 'memoryBytes',
  ) {
    checkCapacity(field, pages, trace);
    const need = Math.ceil(pages * bytesPerPage(trace)) + WASM_RESERVED_BYTES;
    this.x = instantiate(field, need);
    const end = this.x.init(pages, trace ? 1 : 0);
    if (end === 0) throw new CapacityError(field, need, WASM_MEMORY_LIMIT_BYTES);
    this.memoryBytes = end;
    const buf = this.x.memory.buffer;
    const words = Math.ceil(pages / 64) * 2;
    this.dirtyLog = new Uint32Array(buf, this.x.dirtyLogPtr(), words);
    this.toSend = new Uint32Array(buf, this.x.toSendPtr(), words);
    this.populated = new Uint32Array(buf, this.x.populatedPtr(), words);
    this.ringLog = new Uint32Array(buf, this.x.ringLogPtr(), words);
    this.lastWrite = trace ? new Uint32Array(buf, this.x.lastWriteStampPtr(), pages) : null;
    this.lastSend = trace ? new Uint32Array(buf, this.x.lastSendStampPtr(), pages) : null;
    this.out = new Float64Array(buf, this.x.counterBlockPtr(), 8);
  }

  seedStream(stream: number, seed: number): void { this.x.seedStream(stream, seed >>> 0); }
  populatePrefix(count: number): void { this.x.populatePrefix(count); }
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
  countBits(which: Bitmap): number {
    const x = this.x;
    const ptr = which === 'dirtyLog' ? x.dirtyLogPtr() : which === 'toSend' ? x.toSendPtr() : which === 'populated' ? x.populatedPtr() : x.ringLogPtr();
    return x.countBits(ptr) >>> 0;
  }
}
