import type { PageStore } from '../core/page-store.js';
import type { Clock } from './clock.js';

export { WINDOW_MS, MAX_BURST_MS } from './clock.js';
import type { WireFormat } from './wire.js';


/**
 * The sending side: the scan cursor over the to-send bitmap, the bytes and pages put on the wire, and QEMU's
 * rate-limit windows in which throughput is measured.
 */
export class Link {
  transferredBytes = 0;
  cursor = 0;
  normalPages = 0;
  zeroPages = 0;
  skippedPages = 0;
  /** Throughput of the last closed window. */
  bandwidthBytesPerSec = 0;
  windowStartMs = 0;
  windowBytes = 0;
  /** Dirty-ring entries the guest made in the current window. */
  windowRingEntries = 0;
  /** Send bursts so far, each closed by the wire's burst trailer (QEMU: one ram_save_iterate section each). */
  bursts = 0;

  constructor(
    readonly store: PageStore,
    readonly wire: WireFormat,
    readonly pages: number,
    /** The clock the algorithm's windows read (src/engine/clock.ts). */
    readonly clock: Clock,
  ) {}

  /**
   * Counts `bytes` as sent (pages, markers, device state); the window (rate limit, bandwidth estimate) counts
   * `counted`, which differs only for multifd on releases that count other bytes than the wire's (wire-model.ts).
   */
  account(bytes: number, counted = bytes): void {
    this.transferredBytes += bytes;
    this.windowBytes += counted;
  }

  /**
   * One scanSend over [cursor, end) with a byte budget; the page counts land in the link's totals and in `into`.
   * Returns the pages taken off the to-send bitmap and leaves the bytes in `lastBytes`.
   */
  scan(end: number, budget: number, skipDirty: boolean, into: { normalPages: number; zeroPages: number; skippedPages: number }): number {
    const s = this.store;
    this.cursor = s.scanSend(this.cursor, end, budget, this.wire.normalPageBytes, this.wire.zeroPageBytes, skipDirty);
    const normal = s.lastNormal();
    const zero = s.lastZero();
    const skipped = s.lastSkipped();
    into.normalPages += normal;
    into.zeroPages += zero;
    into.skippedPages += skipped;
    this.normalPages += normal;
    this.zeroPages += zero;
    this.skippedPages += skipped;
    return normal + zero + skipped;
  }

  /** True once the window that opened at windowStartMs has lasted at least WINDOW_MS on the clock. */
  windowDue(nowMs: number): boolean {
    return this.clock.windowDue(nowMs, this.windowStartMs);
  }

  /** Closes the window at `nowMs`, measuring its throughput; returns what it saw. */
  closeWindow(nowMs: number): { startMs: number; endMs: number; bytes: number; ringEntries: number; dtMs: number } {
    // QEMU's time_spent: whole clock readings (the real span when the clock is exact).
    const dt = this.clock.windowSpanMs(nowMs, this.windowStartMs);
    this.bandwidthBytesPerSec = (this.windowBytes / dt) * 1000;
    const closed = { startMs: this.windowStartMs, endMs: nowMs, bytes: this.windowBytes, ringEntries: this.windowRingEntries, dtMs: dt };
    this.windowStartMs = nowMs;
    this.windowBytes = 0;
    this.windowRingEntries = 0;
    return closed;
  }
}
