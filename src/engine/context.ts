import type { PageStore } from '../core/page-store.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { Controller, ControllerContext, DutyCycle, VcpuView } from '../model/controller.js';
import type { ResolvedOptions } from '../model/options.js';
import type { CancelReason, MigrationReport, PrecopyOutcome, ResolvedScenario, RoundRecord } from '../model/report.js';
import { Guest } from './guest.js';
import { Link, MAX_BURST_MS } from './link.js';
import type { BurstOptions, PrecopyContext } from './precopy-context.js';
import { Recorder, buildReport } from './recorder.js';
import type { ThrottleMode, Vcpu } from './vcpu.js';
import type { WireFormat } from './wire.js';

/** How an algorithm imposes a CPU share on every vCPU: its hypervisor's throttle as a duty cycle. */
export type CpuShareActuator = (share: number) => { cycle: DutyCycle | null; mode: ThrottleMode };

/**
 * The running migration, wiring together the guest (clock and vCPUs), the link (windows, bursts, the scan) and
 * the recorder (rounds, timeline, hooks). Pre-copy algorithms see it as a PrecopyContext, controllers as a
 * ControllerContext.
 */
export class MigrationContext implements PrecopyContext, ControllerContext {
  nowMs = 0;
  remainingPages = 0;
  syncCount = 0;
  pauseAtMs = 0;
  private readonly guest: Guest;
  private readonly link: Link;
  private readonly recorder: Recorder;
  private readonly views: VcpuView[];

  constructor(
    readonly options: ResolvedOptions,
    readonly store: PageStore,
    readonly vcpuList: Vcpu[],
    wire: WireFormat,
    private readonly cpuShare: CpuShareActuator,
    readonly controller: Controller,
  ) {
    this.guest = new Guest(store, vcpuList);
    this.link = new Link(store, wire, options.scenario.pages);
    this.recorder = new Recorder(options.hooks);
    this.views = vcpuList.map((v) => ({
      index: v.index,
      workloadKind: v.workload.kind,
      writesPerSec: v.workload.writesPerSec,
      get ringEntries() { return v.ringEntries; },
      get cpuDemandedMs() { return v.cpuDemandedMs; },
      get cpuObtainedMs() { return v.cpuObtainedMs; },
      get throttlePct() { return v.throttlePct; },
      get dutyCycle() { return v.dutyCycle; },
    }));
  }

  // --- Read-only state (PrecopyContext, ControllerContext) ---
  get scenario(): ResolvedScenario { return this.options.scenario; }
  get algorithm() { return this.options.scenario.algorithm; }
  get pageSize() { return this.options.scenario.pageSize; }
  get pages() { return this.options.scenario.pages; }
  get downtimeLimitMs() { return this.options.scenario.downtimeLimitMs; }
  get linkBytesPerSec() { return this.options.scenario.bandwidthBytesPerSec; }
  get vcpus(): readonly VcpuView[] { return this.views; }
  get controllerName(): string { return this.controller.name; }
  get transferredBytes(): number { return this.link.transferredBytes; }
  get normalPages(): number { return this.link.normalPages; }
  get zeroPages(): number { return this.link.zeroPages; }
  get skippedPages(): number { return this.link.skippedPages; }
  get bandwidthBytesPerSec(): number { return this.link.bandwidthBytesPerSec; }
  get window(): { startMs: number; bytes: number } { return { startMs: this.link.windowStartMs, bytes: this.link.windowBytes }; }
  get passDone(): boolean { return this.link.cursor >= this.pages; }
  get paused(): boolean { return this.guest.paused; }
  get wire(): WireFormat { return this.link.wire; }

  // --- Controller actuators ---

  setCpuShare(share: number): void {
    if (typeof share !== 'number' || !(share > 0 && share <= 1)) {
      throw new InvalidOptionError(`controller ${this.controller.name}: setCpuShare(share)`, share, 'a number > 0 and <= 1');
    }
    const { cycle, mode } = this.cpuShare(share);
    this.guest.schedule(cycle, this.nowMs, mode);
  }

  resetDirtyRings(): void {
    this.store.resetRing();
  }

  setVcpuDutyCycle(vcpu: number, cycle: DutyCycle | null): void {
    const call = `controller ${this.controller.name}: setVcpuDutyCycle(vcpu, cycle)`;
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= this.vcpuList.length) {
      throw new InvalidOptionError(`${call} vcpu`, vcpu, `a vCPU index from 0 to ${this.vcpuList.length - 1}`);
    }
    if (cycle !== null) {
      const ok = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
      if (typeof cycle !== 'object' || !ok(cycle.runMs) || !ok(cycle.sleepMs) || cycle.runMs + cycle.sleepMs <= 0) {
        throw new InvalidOptionError(`${call} cycle`, cycle, 'null or { runMs, sleepMs }: finite numbers >= 0, not both 0');
      }
    }
    this.vcpuList[vcpu]!.setDutyCycle(cycle, this.nowMs);
  }

  // --- Clock ---

  /** Lets the guest run (or stay paused) for `dtMs` with the link idle, closing the window if it ends. */
  private runGuest(dtMs: number): void {
    if (dtMs <= 0) return;
    this.link.windowRingEntries += this.guest.run(this.nowMs, dtMs);
    this.nowMs += dtMs;
    if (this.link.windowDue(this.nowMs)) this.closeWindow();
  }

  idleUntil(tMs: number): void {
    this.runGuest(tMs - this.nowMs);
  }

  private closeWindow(): void {
    const w = this.link.closeWindow(this.nowMs);
    this.recorder.sample({
      tMs: this.nowMs,
      round: this.syncCount,
      transferredBytes: this.link.transferredBytes,
      remainingPages: this.remainingPages,
      bandwidthBytesPerSec: this.link.bandwidthBytesPerSec,
      dirtyPagesPerSec: (w.ringEntries / w.dtMs) * 1000,
      throttlePct: this.guest.meanThrottlePct(),
    });
    if (!this.guest.paused) this.controller.onWindow?.({ startMs: w.startMs, endMs: w.endMs, bytes: w.bytes, ringEntries: w.ringEntries }, this);
  }

  // --- Sending ---

  private account(bytes: number): void {
    this.link.account(bytes);
    this.recorder.addBytes(bytes);
  }

  /** One scan over [cursor, end) with a byte budget; returns the bytes sent. */
  private scan(end: number, budget: number, skipDirty: boolean): number {
    this.remainingPages -= this.link.scan(end, budget, skipDirty, this.recorder.current!);
    const bytes = this.store.lastBytes();
    this.account(bytes);
    return bytes;
  }

  burst(budgetBytes: number, opts: BurstOptions): number {
    const link = this.linkBytesPerSec;
    const limit = Math.min(budgetBytes, (link * (opts.maxMs ?? MAX_BURST_MS)) / 1000);
    let bytes = this.scan(this.pages, limit, opts.skipDirty);
    if (opts.wrap && this.link.cursor >= this.pages && bytes < limit && this.remainingPages > 0) {
      this.link.cursor = 0;
      bytes += this.scan(this.pages, limit - bytes, opts.skipDirty);
    }
    const trailer = this.link.wire.burstTrailerBytes;
    if (trailer > 0) {
      this.account(trailer);
      bytes += trailer;
    }
    this.runGuest((bytes / link) * 1000);
    return bytes;
  }

  restartPass(): void {
    this.link.cursor = 0;
  }

  dirtyLogPages(): number {
    return this.store.countBits('dirtyLog');
  }

  // --- Rounds ---

  sync(phase: RoundRecord['phase'] = 'live'): number {
    // Collecting the dirty log resets the dirty rings too (KVM_RESET_DIRTY_RINGS), in the same pass.
    const newPages = this.store.syncDirtyLog(true);
    this.remainingPages += newPages;
    this.syncCount++;
    const ended = this.recorder.endRound(this.nowMs, this.store.lastLogPages(), this.guest.meanThrottlePct());
    const bw = this.link.bandwidthBytesPerSec;
    this.recorder.startRound(phase, this.nowMs, this.remainingPages, bw > 0 ? ((this.remainingPages * this.pageSize) / bw) * 1000 : 0, this.guest.meanThrottlePct());
    if (phase === 'live') {
      this.controller.onSync?.({ syncCount: this.syncCount, ended, newPages, remainingPages: this.remainingPages }, this);
    }
    return newPages;
  }

  setup(): void {
    const s = this.options.scenario;
    this.store.populatePrefix(Math.floor(s.populatedFraction * s.pages));
    this.store.markAllToSend();
    this.remainingPages = s.pages;
    this.runGuest(s.setupTimeMs);
  }

  controllerWantsStop(pendingPages: () => number): boolean {
    const ask = this.controller.shouldStopAndCopy;
    return ask !== undefined && ask.call(this.controller, pendingPages(), this);
  }

  cancelReason(): CancelReason | null {
    const s = this.options.scenario;
    if (this.nowMs >= s.maxTimeMs) return 'max-time';
    if (s.maxDataBytes !== null && this.link.transferredBytes >= s.maxDataBytes) return 'max-data';
    return null;
  }

  cancel(): void {
    this.recorder.endRound(this.nowMs, this.store.countBits('dirtyLog'), this.guest.meanThrottlePct());
    this.guest.schedule(null, this.nowMs);
  }

  /**
   * Stop-and-copy: pause the guest, sync the log one last time, send every remaining page and the device
   * state at link capacity (QEMU lifts the rate limit at completion), then resume at the destination.
   */
  stopAndCopy(): void {
    this.guest.paused = true;
    this.pauseAtMs = this.nowMs;
    this.sync('stop-and-copy');
    this.guest.schedule(null, this.nowMs);
    this.link.cursor = 0;
    let bytes = this.scan(this.pages, Number.POSITIVE_INFINITY, false);
    const tail = this.options.scenario.deviceStateBytes + this.link.wire.burstTrailerBytes;
    this.account(tail);
    bytes += tail;
    this.runGuest((bytes / this.linkBytesPerSec) * 1000);
    this.runGuest(this.options.scenario.resumeTimeMs);
    this.recorder.endRound(this.nowMs, 0, this.guest.meanThrottlePct());
  }

  /** The report of the finished run. */
  report(outcome: PrecopyOutcome): MigrationReport {
    return buildReport({
      scenario: this.options.scenario,
      nowMs: this.nowMs,
      pauseAtMs: this.pauseAtMs,
      paused: this.guest.paused,
      transferredBytes: this.link.transferredBytes,
      normalPages: this.link.normalPages,
      zeroPages: this.link.zeroPages,
      skippedPages: this.link.skippedPages,
      vcpus: this.vcpuList,
    }, this.recorder, outcome);
  }
}
