import type { PageStore } from '../core/page-store.js';
import type { Controller, ControllerContext, VcpuView } from '../policies/controllers/controller.js';
import type { CancelReason, RoundRecord, TimelineSample } from '../report/types.js';
import { MAX_BURST_MS, PAGE_HEADER_BYTES, QEMU_ITERATION_FRAMING_BYTES, WINDOW_MS, ZERO_PAGE_BYTES } from './defaults.js';
import type { ResolvedOptions } from './resolve.js';
import type { DutyCycle, Vcpu } from './vcpu.js';

/** What one page costs on the wire, per algorithm. */
export interface WireFormat {
  normalPageBytes: number;
  zeroPageBytes: number;
  /** Bytes framing each send burst (QEMU's section header, EOS and footer; Xen's batch header). */
  burstTrailerBytes: number;
}

/**
 * QEMU's wire format (migration/ram.c, migration/savevm.c): 8 B header + page, 9 B zero page, and 18 B of
 * section header, EOS and section footer around every iteration (one RAMBlock, so no block names).
 */
export function qemuWire(pageSize: number): WireFormat {
  return { normalPageBytes: PAGE_HEADER_BYTES + pageSize, zeroPageBytes: ZERO_PAGE_BYTES, burstTrailerBytes: QEMU_ITERATION_FRAMING_BYTES };
}

/** QEMU cpu-throttle timeslice (CPU_THROTTLE_TIMESLICE_NS, migration/cpu-throttle.c). */
export const CPU_THROTTLE_TIMESLICE_MS = 10;
/** Xen credit scheduler accounting period, over which a cap is enforced. [REC: cap modelled as a duty cycle] */
export const XEN_CREDIT_PERIOD_MS = 30;

/**
 * The running migration: the clock, the guest's vCPUs, the link, the page store and the records. Pre-copy
 * algorithms (src/policies/precopy) drive it through a handful of primitives: `burst`, `idleUntil`, `sync`,
 * `stopAndCopy`. The clock advances the guest and the link together: every burst of sending is followed by
 * the guest running for exactly the time those bytes took on the link.
 */
export class MigrationContext implements ControllerContext {
  nowMs = 0;
  paused = false;
  /** Pages still to send (QEMU's migration_dirty_pages): set bits in the to-send bitmap. */
  remainingPages = 0;
  transferredBytes = 0;
  syncCount = 0;
  cursor = 0;
  normalPages = 0;
  zeroPages = 0;
  skippedPages = 0;
  bandwidthBytesPerSec = 0;
  pauseAtMs = 0;
  readonly rounds: RoundRecord[] = [];
  readonly timeline: TimelineSample[] = [];
  private round: RoundRecord | null = null;
  private windowStartMs = 0;
  private windowBytes = 0;
  private windowFresh = 0;
  private readonly views: VcpuView[];

  constructor(
    readonly options: ResolvedOptions,
    readonly store: PageStore,
    readonly vcpuList: Vcpu[],
    readonly wire: WireFormat,
    readonly controller: Controller | null,
  ) {
    this.views = vcpuList.map((v) => ({
      index: v.index,
      workloadKind: v.workload.kind,
      writesPerSec: v.workload.writesPerSec,
      get freshPages() { return v.freshPages; },
      get cpuDemandedMs() { return v.cpuDemandedMs; },
      get cpuObtainedMs() { return v.cpuObtainedMs; },
      get throttlePct() { return v.throttlePct; },
      get dutyCycle() { return v.dutyCycle; },
    }));
  }

  // --- ControllerContext ---
  get algorithm() { return this.options.scenario.algorithm; }
  get pageSize() { return this.options.scenario.pageSize; }
  get pages() { return this.options.scenario.pages; }
  get downtimeLimitMs() { return this.options.scenario.downtimeLimitMs; }
  get linkBytesPerSec() { return this.options.scenario.bandwidthBytesPerSec; }
  get vcpus(): readonly VcpuView[] { return this.views; }

  setCpuThrottle(pct: number): void {
    // cpu_throttle_set takes a whole percentage and clamps it to [1, 99]; here 0 stops throttling
    // (cpu_throttle_stop), which controllers other than QEMU's own use to release the guest.
    const whole = Math.round(pct);
    const p = whole <= 0 ? 0 : Math.min(99, whole) / 100;
    const cycle = p <= 0 ? null : { runMs: CPU_THROTTLE_TIMESLICE_MS, sleepMs: (p / (1 - p)) * CPU_THROTTLE_TIMESLICE_MS };
    for (const v of this.vcpuList) v.setDutyCycle(cycle, this.nowMs, 'qemu-throttle');
  }

  setCreditCap(capPct: number): void {
    // In Xen a cap of 0 means uncapped; otherwise at least 1 % of a physical CPU.
    const share = capPct <= 0 ? 1 : Math.min(100, Math.max(1, capPct)) / 100;
    const cycle = share >= 1 ? null : { runMs: share * XEN_CREDIT_PERIOD_MS, sleepMs: (1 - share) * XEN_CREDIT_PERIOD_MS };
    for (const v of this.vcpuList) v.setDutyCycle(cycle, this.nowMs);
  }

  resetDirtyRings(): void {
    this.store.resetRing();
  }

  setVcpuDutyCycle(vcpu: number, cycle: DutyCycle | null): void {
    this.vcpuList[vcpu]!.setDutyCycle(cycle, this.nowMs);
  }

  /** Mean throttle over vCPUs, percent. */
  meanThrottlePct(): number {
    let s = 0;
    for (const v of this.vcpuList) s += v.throttlePct;
    return s / this.vcpuList.length;
  }

  // --- Clock ---

  /** Lets the guest run (or stay paused) for `dtMs` with the link idle, closing the window if it ends. */
  runGuest(dtMs: number): void {
    if (dtMs <= 0) return;
    let fresh = 0;
    for (const v of this.vcpuList) fresh += v.run(this.store, this.nowMs, dtMs, this.paused);
    this.windowFresh += fresh;
    this.nowMs += dtMs;
    if (this.nowMs >= this.windowStartMs + WINDOW_MS) this.closeWindow();
  }

  /** Idles the link until `tMs` (QEMU's migration_rate_limit wait) while the guest runs. */
  idleUntil(tMs: number): void {
    this.runGuest(tMs - this.nowMs);
  }

  /** Start of the current 100 ms window and the bytes sent in it (QEMU's rate-limit accounting). */
  get window(): { startMs: number; bytes: number } {
    return { startMs: this.windowStartMs, bytes: this.windowBytes };
  }

  private closeWindow(): void {
    const dt = this.nowMs - this.windowStartMs;
    this.bandwidthBytesPerSec = (this.windowBytes / dt) * 1000;
    const sample: TimelineSample = {
      tMs: this.nowMs,
      round: this.syncCount,
      transferredBytes: this.transferredBytes,
      remainingPages: this.remainingPages,
      bandwidthBytesPerSec: this.bandwidthBytesPerSec,
      dirtyPagesPerSec: (this.windowFresh / dt) * 1000,
      throttlePct: this.meanThrottlePct(),
    };
    this.timeline.push(sample);
    const event = { startMs: this.windowStartMs, endMs: this.nowMs, bytes: this.windowBytes, freshPages: this.windowFresh };
    this.windowStartMs = this.nowMs;
    this.windowBytes = 0;
    this.windowFresh = 0;
    this.options.hooks.onWindow?.(sample);
    if (!this.paused) this.controller?.onWindow?.(event, this);
  }

  // --- Sending ---

  /** Puts `bytes` on the wire without pages (markers, device state). */
  private account(bytes: number): void {
    this.transferredBytes += bytes;
    this.windowBytes += bytes;
    this.round!.bytes += bytes;
  }

  /** One scanSend over [cursor, end) with a byte budget; returns the bytes sent. */
  private scan(end: number, budget: number, skipDirty: boolean): number {
    const s = this.store;
    this.cursor = s.scanSend(this.cursor, end, budget, this.wire.normalPageBytes, this.wire.zeroPageBytes, skipDirty);
    const normal = s.lastNormal();
    const zero = s.lastZero();
    const skipped = s.lastSkipped();
    const r = this.round!;
    r.normalPages += normal;
    r.zeroPages += zero;
    r.skippedPages += skipped;
    this.normalPages += normal;
    this.zeroPages += zero;
    this.skippedPages += skipped;
    this.remainingPages -= normal + zero + skipped;
    const bytes = s.lastBytes();
    this.account(bytes);
    return bytes;
  }

  /**
   * A send burst: pages from the cursor until `budgetBytes` are on the wire or `maxMs` of link time has
   * passed (QEMU's MAX_WAIT, 50 ms, by default), then the burst's framing; the guest then runs for the time the
   * burst took. With `wrap`, the scan continues from page 0 after the last page (QEMU); without, it stops at
   * the end of memory (a round-based pass). Returns the bytes sent.
   */
  burst(budgetBytes: number, opts: { wrap: boolean; skipDirty: boolean; maxMs?: number }): number {
    const link = this.linkBytesPerSec;
    const limit = Math.min(budgetBytes, (link * (opts.maxMs ?? MAX_BURST_MS)) / 1000);
    let bytes = this.scan(this.pages, limit, opts.skipDirty);
    if (opts.wrap && this.cursor >= this.pages && bytes < limit && this.remainingPages > 0) {
      this.cursor = 0;
      bytes += this.scan(this.pages, limit - bytes, opts.skipDirty);
    }
    if (this.wire.burstTrailerBytes > 0) {
      this.account(this.wire.burstTrailerBytes);
      bytes += this.wire.burstTrailerBytes;
    }
    this.runGuest((bytes / link) * 1000);
    return bytes;
  }

  /** True when a full pass has reached the end of memory. */
  get passDone(): boolean {
    return this.cursor >= this.pages;
  }

  // --- Rounds ---

  /**
   * Syncs the dirty log into the to-send bitmap (one dirty-sync), ends the current round and starts the next.
   * Returns the pages newly set in the to-send bitmap.
   */
  sync(phase: RoundRecord['phase'] = 'live'): number {
    // Collecting the dirty log resets the dirty rings too (KVM_RESET_DIRTY_RINGS), in the same pass.
    const fresh = this.store.syncDirtyLog(true);
    this.remainingPages += fresh;
    this.syncCount++;
    const ended = this.endRound(this.store.lastLogPages());
    this.round = {
      index: this.rounds.length + 1,
      phase,
      startMs: this.nowMs,
      endMs: this.nowMs,
      normalPages: 0,
      zeroPages: 0,
      skippedPages: 0,
      bytes: 0,
      dirtiedPages: 0,
      remainingPages: this.remainingPages,
      bandwidthBytesPerSec: 0,
      expectedDowntimeMs: this.bandwidthBytesPerSec > 0 ? ((this.remainingPages * this.pageSize) / this.bandwidthBytesPerSec) * 1000 : 0,
      throttlePct: this.meanThrottlePct(),
    };
    if (phase === 'live') {
      this.controller?.onSync?.({ syncCount: this.syncCount, ended, newPages: fresh, remainingPages: this.remainingPages }, this);
    }
    return fresh;
  }

  private endRound(dirtiedPages: number): RoundRecord | null {
    const r = this.round;
    if (r === null) return null;
    r.endMs = this.nowMs;
    r.dirtiedPages = dirtiedPages;
    const dt = r.endMs - r.startMs;
    r.bandwidthBytesPerSec = dt > 0 ? (r.bytes / dt) * 1000 : 0;
    r.throttlePct = this.meanThrottlePct();
    this.rounds.push(r);
    this.options.hooks.onRound?.(r);
    return r;
  }

  /** Starts the migration: all of RAM to send, the log clean, then the setup phase with the guest running. */
  setup(): void {
    const s = this.options.scenario;
    this.store.populatePrefix(Math.floor(s.populatedFraction * s.pages));
    this.store.markAllToSend();
    this.remainingPages = s.pages;
    this.runGuest(s.setupTimeMs);
  }

  /**
   * Whether the controller wants the switch-over now; `pendingPages` (what stop-and-copy would send) is only
   * computed when the controller asks, since it may cost a pass over the dirty log.
   */
  controllerWantsStop(pendingPages: () => number): boolean {
    const ask = this.controller?.shouldStopAndCopy;
    return ask !== undefined && ask.call(this.controller, pendingPages(), this);
  }

  /** Why the run must be cancelled now, if it must. */
  cancelReason(): CancelReason | null {
    const s = this.options.scenario;
    if (this.nowMs >= s.maxTimeMs) return 'max-time';
    if (s.maxDataBytes !== null && this.transferredBytes >= s.maxDataBytes) return 'max-data';
    return null;
  }

  /** Cancels: the guest keeps running at the source, throttles are lifted. */
  cancel(): void {
    this.endRound(this.store.countBits('dirtyLog'));
    for (const v of this.vcpuList) v.setDutyCycle(null, this.nowMs);
  }

  /**
   * Stop-and-copy: pause the guest, sync the log one last time, send every remaining page and the device
   * state at link capacity (QEMU lifts the rate limit at completion), then resume at the destination.
   */
  stopAndCopy(): void {
    this.paused = true;
    this.pauseAtMs = this.nowMs;
    this.sync('stop-and-copy');
    for (const v of this.vcpuList) v.setDutyCycle(null, this.nowMs);
    this.cursor = 0;
    let bytes = this.scan(this.pages, Number.POSITIVE_INFINITY, false);
    const tail = this.options.scenario.deviceStateBytes + this.wire.burstTrailerBytes;
    this.account(tail);
    bytes += tail;
    this.runGuest((bytes / this.linkBytesPerSec) * 1000);
    this.runGuest(this.options.scenario.resumeTimeMs);
    this.endRound(0);
  }
}
