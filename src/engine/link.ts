import type { PageStore } from '../core/page-store.js';
import type { WireFormat } from './wire.js';

/** QEMU rate-limit window (BUFFER_DELAY, migration/migration.c): bandwidth is measured per window. */
export const WINDOW_MS = 100;
/** QEMU ram_save_iterate ends a send burst after this long (MAX_WAIT, migration/ram.c). */
export const MAX_BURST_MS = 50;

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

  constructor(
    readonly store: PageStore,
    readonly wire: WireFormat,
    readonly pages: number,
  ) {}

  /** Counts `bytes` as sent (pages, markers, device state). */
  account(bytes: number): void {
    this.transferredBytes += bytes;
    this.windowBytes += bytes;
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

  /** True once the window that opened at windowStartMs has lasted at least WINDOW_MS. */
  windowDue(nowMs: number): boolean {
    return nowMs >= this.windowStartMs + WINDOW_MS;
  }

  /** Closes the window at `nowMs`, measuring its throughput; returns what it saw. */
  closeWindow(nowMs: number): { startMs: number; endMs: number; bytes: number; ringEntries: number; dtMs: number } {
    const dt = nowMs - this.windowStartMs;
    this.bandwidthBytesPerSec = (this.windowBytes / dt) * 1000;
    const closed = { startMs: this.windowStartMs, endMs: nowMs, bytes: this.windowBytes, ringEntries: this.windowRingEntries, dtMs: dt };
    this.windowStartMs = nowMs;
    this.windowBytes = 0;
    this.windowRingEntries = 0;
    return closed;
  }
}
