import type { PageStore } from '../core/page-store.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { MAX_EXACT_BYTES } from '../model/limits.js';
import type { Controller, DutyCycle, VcpuView } from '../model/controller.js';
import type { ManagementContext, ManagementEvent, ManagementEventKind, Manager } from '../model/management.js';
import type { ResolvedOptions } from '../model/options.js';
import type { CancelReason, MigrationReport, PostcopyStats, PostcopyTrigger, PrecopyOutcome, ResolvedScenario, RoundRecord } from '../model/report.js';
import { Guest } from './guest.js';
import { clockOf } from './clock.js';
import { Link, MAX_BURST_MS } from './link.js';
import { PiecewiseRate } from '../model/piecewise-rate.js';
import { parseThrottledWriteFraction } from './throttled-writes.js';
import { populateLayout } from './zero-pages.js';
import type { BurstOptions, PostcopyOptions, PrecopyContext } from './precopy-context.js';
import { discardBytes, faultLatencyMs, postcopyCapable, runPostcopyActive } from './postcopy.js';
import { Recorder, buildReport } from './recorder.js';
import type { ThrottleMode, Vcpu } from './vcpu.js';
import type { WireFormat } from './wire.js';
import { WireModel, type WireConfig } from './wire-model.js';
import { MAX_DOWNTIME_LIMIT_MS, MAX_RATE_BYTES_PER_SEC } from '../model/bounds.js';

/** The throttledWriteFraction option as a function (null for the ideal 1 − p, which the duty cycle alone gives). */
function throttleModel(text: string) {
  return text === 'ideal' ? null : parseThrottledWriteFraction('throttledWriteFraction', text);
}


/** Shortest duty-cycle period a controller may set (1 µs; real throttles work in milliseconds). */
export const MIN_PERIOD_MS = 0.001;

/** How an algorithm imposes a CPU share on every vCPU: its hypervisor's throttle as a duty cycle. */
export type CpuShareActuator = (share: number) => { cycle: DutyCycle | null; mode: ThrottleMode };

/**
 * The running migration, wiring together the guest (clock and vCPUs), the link (windows, bursts, the scan) and
 * the recorder (rounds, timeline, hooks). Pre-copy algorithms see it as a PrecopyContext, controllers as a
 * ControllerContext, management layers as a ManagementContext (polled on their own clock from runGuest).
 */
export class MigrationContext implements PrecopyContext, ManagementContext {
  nowMs = 0;
  remainingPages = 0;
  syncCount = 0;
  pauseAtMs = 0;
  /** QEMU's downtime-limit and max-bandwidth in force (a management layer changes them while pre-copy runs). */
  private downtimeLimitNowMs: number;
  private maxBandwidthNow: number;
  /** A downtime limit set but not yet read by QEMU (it is, at the next closed window), with its event. */
  private pendingDowntime: { ms: number; event: ManagementEvent } | null = null;
  private readonly manager: Manager | null;
  private readonly events: ManagementEvent[] = [];
  private nextPollMs = 0;
  /** The stop-and-copy has begun: the management layer's part is over. */
  private stopping = false;
  private abortEvent: ManagementEvent | null = null;
  /** When the management layer paused the guest (force-complete), or null. */
  private managerPausedAtMs: number | null = null;
  /** A management layer's callback is running (its calls are recorded as events). */
  private inManager = false;
  /** The migration has switched to postcopy. */
  private postcopySwitched = false;
  private postcopyEvent: ManagementEvent | null = null;
  /** estimate()'s reduction: the management layer sees the real VM, this many times the emulated one. */
  private readonly scale: number;
  /** The pending postcopy request (migrate-start-postcopy), or null. */
  postcopyRequest: { atMs: number; trigger: PostcopyTrigger } | null = null;
  private postcopyStats: PostcopyStats | null = null;
  private readonly guest: Guest;
  private readonly link: Link;
  private readonly recorder: Recorder;
  private readonly views: VcpuView[];
  /** The link's capacity over time (constant unless a trace, background traffic or a drain's share says otherwise). */
  private readonly capacity: PiecewiseRate;
  /** The wire features, when the algorithm turned them on (configureWire). */
  private wireModel: WireModel | null = null;
  /** A multifd sync owed at the first burst (ram_save_setup's, billed once the first round is open). */
  private setupSyncOwed = false;

  constructor(
    readonly options: ResolvedOptions,
    readonly store: PageStore,
    readonly vcpuList: Vcpu[],
    wire: WireFormat,
    private readonly cpuShare: CpuShareActuator,
    readonly controller: Controller,
  ) {
    this.guest = new Guest(store, vcpuList, throttleModel(options.scenario.throttledWriteFraction));
    this.link = new Link(store, wire, options.scenario.pages, clockOf(options.scenario));
    this.recorder = new Recorder(options.hooks);
    this.capacity = options.linkCapacity ?? PiecewiseRate.constant(options.scenario.bandwidthBytesPerSec);
    this.downtimeLimitNowMs = options.scenario.downtimeLimitMs;
    this.maxBandwidthNow = options.scenario.maxBandwidthBytesPerSec;
    this.scale = options.scale ?? 1;
    this.manager = options.management?.create(options.scenario.memoryBytes * this.scale) ?? null;
    this.nextPollMs = this.manager?.firstPollMs ?? Number.POSITIVE_INFINITY;
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
  get downtimeLimitMs() { return this.downtimeLimitNowMs; }
  get maxBandwidthBytesPerSec() { return this.maxBandwidthNow; }
  get memoryBytes() { return this.options.scenario.memoryBytes * this.scale; }
  get postcopyAvailable(): boolean { return this.algorithm === 'qemu' && postcopyCapable(this.scenario); }
  get postcopyActive(): boolean { return this.postcopySwitched; }
  /** The link's capacity now (the constant bandwidthBytesPerSec unless the link changes). */
  get linkBytesPerSec() { return this.capacity.at(this.nowMs); }
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
  get sendBursts(): number { return this.link.bursts; }

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
      // The period must be finite (two finite halves can overflow) and at least MIN_PERIOD_MS: a subnormal
      // period makes the run-time arithmetic divide to Infinity.
      const period = typeof cycle === 'object' ? cycle.runMs + cycle.sleepMs : Number.NaN;
      if (typeof cycle !== 'object' || !ok(cycle.runMs) || !ok(cycle.sleepMs) || !(period >= MIN_PERIOD_MS && Number.isFinite(period))) {
        throw new InvalidOptionError(`${call} cycle`, cycle, `null or { runMs, sleepMs }: finite numbers >= 0 whose sum (the period) is at least ${MIN_PERIOD_MS} ms`);
      }
    }
    this.vcpuList[vcpu]!.setDutyCycle(cycle, this.nowMs);
  }

  // --- Management actuators (ManagementContext) ---

  private event(kind: ManagementEventKind, value: number | string | null, reason: string | undefined, appliedMs: number | null): ManagementEvent {
    const e: ManagementEvent = { tMs: this.pollMs, appliedMs, round: this.recorder.current?.index ?? 0, kind, value, reason: reason ?? '' };
    this.events.push(e);
    return e;
  }

  /** The moment of the poll being handled (the layer's own clock), or now outside a poll. */
  private pollMs = 0;

  private get who(): string { return `management ${this.manager?.name ?? 'none'}`; }

  setDowntimeLimit(ms: number, reason?: string): void {
    if (typeof ms !== 'number' || !(ms > 0 && ms <= MAX_DOWNTIME_LIMIT_MS)) {
      throw new InvalidOptionError(`${this.who}: setDowntimeLimit(ms)`, ms, `a number > 0 and <= ${MAX_DOWNTIME_LIMIT_MS} ms (QEMU's 2000 s)`);
    }
    // migrate-set-parameters stores it at once; QEMU reads it when it next recomputes the threshold.
    if (this.pendingDowntime !== null) this.pendingDowntime.event.appliedMs = null;
    this.pendingDowntime = { ms, event: this.event('downtime-limit', ms, reason, null) };
  }

  setMaxBandwidth(bytesPerSec: number, reason?: string): void {
    if (typeof bytesPerSec !== 'number' || !(bytesPerSec > 0 && bytesPerSec <= MAX_RATE_BYTES_PER_SEC)) {
      throw new InvalidOptionError(`${this.who}: setMaxBandwidth(bytesPerSec)`, bytesPerSec, `a number > 0 and <= ${MAX_RATE_BYTES_PER_SEC} B/s`);
    }
    // migrate_params_apply sets the rate limit at once (migration_rate_set).
    this.maxBandwidthNow = bytesPerSec / this.scale;
    this.event('max-bandwidth', bytesPerSec, reason, this.nowMs);
  }

  abort(reason?: string): void {
    if (this.abortEvent === null) this.abortEvent = this.event('abort', null, reason, null);
  }

  pauseGuest(reason?: string): void {
    if (this.guest.paused) return;
    this.guest.paused = true;
    this.managerPausedAtMs = this.nowMs;
    this.event('pause', null, reason, this.nowMs);
  }

  noteCapability(name: string, reason: string): void {
    this.event('capability', name, reason, this.nowMs);
  }

  /** Runs the management layer's polls that are due (their moments up to now), unless its part is over. */
  private pollManager(): void {
    const m = this.manager;
    if (m === null) return;
    while (!this.stopping && this.abortEvent === null && this.nextPollMs <= this.nowMs) {
      this.pollMs = this.nextPollMs;
      this.nextPollMs += m.pollIntervalMs;
      this.asManager(() => m.onPoll(this.pollMs, this));
    }
    this.pollMs = this.nowMs;
  }

  /** Runs a management layer's callback (its start, a poll): the calls it makes are its own, recorded as events. */
  private asManager(fn: () => void): void {
    this.inManager = true;
    try {
      fn();
    } finally {
      this.inManager = false;
    }
  }

  /**
   * Requests the switch to postcopy at the algorithm's next iteration (QMP migrate-start-postcopy). Only QEMU
   * has postcopy here, and only with the postcopy-ram capability on (postcopyRam, or a postcopy trigger option).
   */
  startPostcopy(reason?: string): void {
    // The management layer calls it from its polls; a controller from its hooks.
    const byManager = this.inManager;
    const call = byManager ? `${this.who}: startPostcopy()` : `controller ${this.controller.name}: startPostcopy()`;
    if (this.algorithm !== 'qemu') throw new InvalidOptionError(`${call} algorithm`, this.algorithm, 'qemu (postcopy is modelled for QEMU only)');
    if (!postcopyCapable(this.scenario)) {
      throw new InvalidOptionError(`${call} postcopyRam`, false, 'true: the postcopy-ram capability must be set before the migration starts (postcopyRam, or a postcopy trigger option)');
    }
    if (byManager && this.postcopyRequest === null) this.postcopyEvent = this.event('postcopy', null, reason, null);
    this.requestPostcopy(byManager ? 'management' : 'controller');
  }

  requestPostcopy(trigger: PostcopyTrigger): void {
    if (this.postcopyRequest === null) this.postcopyRequest = { atMs: this.nowMs, trigger };
  }

  // --- Clock ---

  /**
   * Lets the guest run (or stay paused) for `dtMs` with the link idle, closing the window if it ends. Unless
   * `uncapped`, the step stops at the max-time cap (the clock lands on it exactly), so no step emulates the
   * guest past the moment the run is cancelled.
   */
  private runGuest(dtMs: number, uncapped = false): void {
    const capMs = this.options.scenario.maxTimeMs;
    const toCap = !uncapped && this.nowMs + dtMs >= capMs;
    const dt = toCap ? capMs - this.nowMs : dtMs;
    if (dt <= 0) return;
    this.link.windowRingEntries += this.guest.run(this.nowMs, dt);
    this.nowMs = toCap ? capMs : this.nowMs + dt;
    if (this.link.windowDue(this.nowMs)) this.closeWindow();
    this.pollManager();
  }

  /**
   * Bytes the link can still carry before a cap is reached (Infinity without one). With `horizonMs`, the time
   * cap only counts when it is nearer than that (a burst of that length cannot reach it otherwise).
   */
  private bytesToCap(horizonMs?: number): number {
    const s = this.options.scenario;
    const toCapMs = Math.max(0, s.maxTimeMs - this.nowMs);
    const byTime = horizonMs !== undefined && toCapMs >= horizonMs ? Infinity : this.capacity.integrateFor(this.nowMs, toCapMs);
    return Math.min(byTime, Math.max(0, this.dataCap() - this.link.transferredBytes));
  }

  /** Link time of `bytes` sent from now (the capacity integrated exactly; Infinity if it never carries them). */
  private sendTimeMs(bytes: number): number {
    return this.capacity.timeToSend(this.nowMs, bytes);
  }

  idleUntil(tMs: number): void {
    this.runGuest(tMs - this.nowMs);
  }

  private closeWindow(): void {
    const w = this.link.closeWindow(this.nowMs);
    const pending = this.pendingDowntime;
    if (pending !== null) {
      this.downtimeLimitNowMs = pending.ms;
      pending.event.appliedMs = this.nowMs;
      this.pendingDowntime = null;
    }
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

  private account(bytes: number, counted = bytes): void {
    this.link.account(bytes, counted);
    this.recorder.addBytes(bytes);
  }

  configureWire(cfg: WireConfig): void {
    this.wireModel = new WireModel(this.store, cfg);
    this.setupSyncOwed = cfg.multifd !== null;
  }

  /** The wire model's totals for the report (none without wire features). */
  get wireTotals(): ReturnType<WireModel['totals']> | undefined {
    return this.wireModel?.totals();
  }

  /** One wire-model scan over [cursor, end): pages and bytes land in the link's totals and the round's. */
  private wireScan(w: WireModel, budget: number, wireBudget: number, workBudget: number, skipDirty: boolean, lastStage: boolean): { counted: number; wire: number; cpuMs: number; work: number } {
    const r = w.scan(this.link.cursor, this.pages, budget, wireBudget, workBudget, skipDirty, this.syncCount, lastStage);
    this.link.cursor = r.cursor;
    this.remainingPages -= r.taken;
    const into = this.recorder.current!;
    into.normalPages += r.normal;
    into.zeroPages += r.zero;
    into.skippedPages += r.skipped;
    this.link.normalPages += r.normal;
    this.link.zeroPages += r.zero;
    this.link.skippedPages += r.skipped;
    this.account(r.wire, r.counted);
    return r;
  }

  /** A multifd sync (wire-model.ts sync), accounted. */
  private wireSync(w: WireModel): { counted: number; wire: number } {
    const b = w.sync();
    if (b.wire > 0) this.account(b.wire, b.counted);
    return b;
  }

  /**
   * burst() through the wire model: three budgets (counted bytes, the link's bytes over the burst, the CPU-bound
   * stage's work), a wrap starts XBZRLE (and syncs multifd per round), time = max(link time, CPU time).
   */
  private wireBurst(w: WireModel, budgetBytes: number, opts: BurstOptions): number {
    const maxMs = opts.maxMs ?? MAX_BURST_MS;
    const horizonBytes = this.capacity.integrateFor(this.nowMs, maxMs);
    if (horizonBytes === 0 && maxMs > 0) {
      this.runGuest(maxMs);
      return 0;
    }
    const wireBudget = Math.min(horizonBytes, this.bytesToCap(maxMs));
    const workBudget = w.workBudget(maxMs);
    let counted = 0;
    let wire = 0;
    let cpuMs = 0;
    let work = 0;
    const add = (b: { counted: number; wire: number }): void => {
      counted += b.counted;
      wire += b.wire;
    };
    if (this.setupSyncOwed) {
      this.setupSyncOwed = false;
      add(this.wireSync(w));
    }
    const one = (): void => {
      const r = this.wireScan(w, budgetBytes - counted, wireBudget - wire, workBudget - work, opts.skipDirty, false);
      add(r);
      cpuMs += r.cpuMs;
      work += r.work;
    };
    one();
    if (opts.wrap && this.link.cursor >= this.pages && counted < budgetBytes && wire < wireBudget && work < workBudget && this.remainingPages > 0) {
      this.link.cursor = 0;
      w.startXbzrle();
      if (w.syncPerRound) add(this.wireSync(w));
      one();
    }
    if (w.syncPerSection) add(this.wireSync(w));
    const trailer = this.link.wire.burstTrailerBytes;
    if (trailer > 0) {
      this.link.bursts++;
      this.account(trailer);
      add({ counted: trailer, wire: trailer });
    }
    this.runGuest(Math.max(this.sendTimeMs(wire), cpuMs));
    return counted;
  }

  /** One scan over [cursor, end) with a byte budget; returns the bytes sent. */
  private scan(end: number, budget: number, skipDirty: boolean): number {
    this.remainingPages -= this.link.scan(end, budget, skipDirty, this.recorder.current!);
    const bytes = this.store.lastBytes();
    this.account(bytes);
    return bytes;
  }

  burst(budgetBytes: number, opts: BurstOptions): number {
    if (this.wireModel !== null) return this.wireBurst(this.wireModel, budgetBytes, opts);
    const maxMs = opts.maxMs ?? MAX_BURST_MS;
    const horizonBytes = this.capacity.integrateFor(this.nowMs, maxMs);
    // A link with no capacity for the whole burst (an outage) carries nothing: the thread waits that long.
    if (horizonBytes === 0 && maxMs > 0) {
      this.runGuest(maxMs);
      return 0;
    }
    // A cap inside the burst ends it there (the page that crosses it is still sent, as any budget's).
    const limit = Math.min(budgetBytes, horizonBytes, this.bytesToCap(maxMs));
    let bytes = this.scan(this.pages, limit, opts.skipDirty);
    if (opts.wrap && this.link.cursor >= this.pages && bytes < limit && this.remainingPages > 0) {
      this.link.cursor = 0;
      bytes += this.scan(this.pages, limit - bytes, opts.skipDirty);
    }
    const trailer = this.link.wire.burstTrailerBytes;
    if (trailer > 0) {
      this.link.bursts++;
      this.account(trailer);
      bytes += trailer;
    }
    this.runGuest(this.sendTimeMs(bytes));
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
    if (this.recorder.current !== null) this.wireModel?.closeRound();
    const ended = this.recorder.endRound(this.nowMs, this.store.lastLogPages(), this.guest.meanThrottlePct());
    const bw = this.link.bandwidthBytesPerSec;
    this.recorder.startRound(phase, this.nowMs, this.remainingPages, bw > 0 ? ((this.remainingPages * this.pageSize) / bw) * 1000 : 0, this.guest.meanThrottlePct());
    this.wireModel?.openRound(this.recorder.current!);
    if (phase === 'live') {
      this.controller.onSync?.({ syncCount: this.syncCount, ended, newPages, remainingPages: this.remainingPages }, this);
    }
    // Processing the fetched log takes time with the link idle (src/engine/clock.ts); the guest's writes meanwhile go to the next log.
    this.runGuest(this.link.clock.syncCostMs(this.options.scenario.memoryBytes));
    return newPages;
  }

  setup(): void {
    const s = this.options.scenario;
    const m = this.manager;
    if (m?.start !== undefined) this.asManager(() => m.start!(this));
    this.pollManager();
    populateLayout(this.store, s.zeroPageLayout, s.populatedFraction, this.options.workloads);
    this.store.markAllToSend();
    this.remainingPages = s.pages;
    this.runGuest(s.setupTimeMs);
  }

  controllerWantsStop(pendingPages: () => number): boolean {
    const ask = this.controller.shouldStopAndCopy;
    return ask !== undefined && ask.call(this.controller, pendingPages(), this);
  }

  /** The data cap: max-data, or without one 2^53 B, beyond which byte sums would no longer be exact. */
  private dataCap(): number {
    return this.options.scenario.maxDataBytes ?? MAX_EXACT_BYTES;
  }

  cancelReason(): CancelReason | null {
    if (this.nowMs >= this.options.scenario.maxTimeMs) return 'max-time';
    if (this.link.transferredBytes >= this.dataCap()) return 'max-data';
    if (this.abortEvent !== null) return 'aborted';
    return null;
  }

  cancel(): void {
    if (this.abortEvent !== null && this.abortEvent.appliedMs === null) this.abortEvent.appliedMs = this.nowMs;
    // Cancelled during stop-and-copy, the guest resumes at the source.
    this.guest.paused = false;
    if (this.recorder.current !== null) this.wireModel?.closeRound();
    this.recorder.endRound(this.nowMs, this.store.countBits('dirtyLog'), this.guest.meanThrottlePct());
    this.guest.schedule(null, this.nowMs);
  }

  /**
   * Stop-and-copy: pause the guest, sync the log one last time, send every remaining page and the device
   * state at link capacity (QEMU lifts the rate limit at completion), then resume at the destination. The
   * caps hold here too: if the last pages and the device state cannot all be sent before the time or data cap,
   * the run is cancelled at the cap (the guest resumes at the source). The resume time comes after the last
   * byte, when the migration has already succeeded, so it is not cut.
   */
  stopAndCopy(): PrecopyOutcome {
    const early = this.cancelReason();
    if (early !== null) {
      this.cancel();
      return { status: 'cancelled', reason: early };
    }
    this.stopping = true;
    this.guest.paused = true;
    // A guest the management layer paused has been down since then (force-complete by pausing).
    this.pauseAtMs = this.managerPausedAtMs ?? this.nowMs;
    const cursorAtStop = this.link.cursor;
    this.sync('stop-and-copy');
    this.guest.schedule(null, this.nowMs);
    this.link.cursor = 0;
    const room = this.bytesToCap();
    let bytes: number;
    let cpuMs = 0;
    const w = this.wireModel;
    if (w === null) bytes = this.scan(this.pages, room, false);
    else {
      // ram_save_complete: the rate limit lifted, XBZRLE in its last stage, then the last multifd sync. The scan
      // goes on from where pre-copy stopped, and its wrap (complete_round) starts XBZRLE if no wrap did yet.
      this.link.cursor = cursorAtStop;
      const first = this.wireScan(w, Infinity, room, Infinity, false, true);
      bytes = first.wire;
      cpuMs = first.cpuMs;
      if (this.link.cursor >= this.pages) {
        this.link.cursor = 0;
        w.startXbzrle();
        const r = this.wireScan(w, Infinity, room - bytes, Infinity, false, true);
        bytes += r.wire;
        cpuMs += r.cpuMs;
      }
      if (this.remainingPages === 0) bytes += this.wireSync(w).wire;
    }
    const tail = this.options.scenario.deviceStateBytes + this.link.wire.burstTrailerBytes;
    const fits = this.remainingPages === 0 && bytes + tail <= room;
    // Cut short, the tail counts as sent like the page that crosses a budget: bytes stay pages + framing + state.
    if (this.remainingPages === 0) {
      this.account(tail);
      bytes += tail;
    }
    this.runGuest(Math.max(this.sendTimeMs(bytes), cpuMs));
    // A link that carries nothing more before the time cap (an outage to the end): paused, the run waits for the cap.
    if (!fits && this.cancelReason() === null) this.runGuest(Infinity);
    if (!fits) {
      const reason = this.cancelReason() ?? 'max-data';
      this.cancel();
      return { status: 'cancelled', reason };
    }
    this.runGuest(this.options.scenario.resumeTimeMs, true);
    this.wireModel?.closeRound();
    this.recorder.endRound(this.nowMs, 0, this.guest.meanThrottlePct());
    return { status: 'completed' };
  }

  /**
   * The switch to postcopy (src/engine/postcopy.ts): stop the guest, sync once more, send the discard bitmap and
   * the device state (QEMU's postcopy downtime ends there), then push the rest while the destination guest runs
   * and faults on pages it lacks, until it has every page. The caps cancel only before the switch: after it the
   * VM lives at the destination, and a postcopy cannot be cancelled (it always ends, since every step moves pages).
   */
  postcopy(opts: PostcopyOptions): PrecopyOutcome {
    const early = this.cancelReason();
    if (early !== null) {
      this.cancel();
      return { status: 'cancelled', reason: early };
    }
    const s = this.options.scenario;
    const request = this.postcopyRequest ?? { atMs: this.nowMs, trigger: 'controller' as const };
    // The management layer's part ends at the switch (nova and KubeVirt leave a postcopy alone).
    this.stopping = true;
    this.postcopySwitched = true;
    if (this.postcopyEvent !== null) this.postcopyEvent.appliedMs = this.nowMs;
    this.guest.paused = true;
    this.pauseAtMs = this.nowMs;
    const switchAtMs = this.nowMs;
    this.sync('postcopy');
    this.guest.schedule(null, this.nowMs);
    const pagesAtSwitch = this.remainingPages;
    const ranges = this.store.toSendRuns();
    const discard = discardBytes(ranges);
    const postRate = Math.min(this.linkBytesPerSec, s.maxPostcopyBandwidthBytesPerSec ?? Number.POSITIVE_INFINITY);
    const switchRate = opts.switchoverUnlimited ? this.linkBytesPerSec : postRate;
    const pkg = discard + s.deviceStateBytes + this.link.wire.burstTrailerBytes;
    this.account(pkg);
    this.runGuest((pkg / switchRate) * 1000, true);
    const downtimeMs = this.nowMs - switchAtMs;
    const resumeAtMs = this.nowMs + s.resumeTimeMs;
    const ctx = this;
    const link = this.link;
    const round = this.recorder.current!;
    this.postcopyStats = runPostcopyActive({
      store: this.store, vcpus: this.vcpuList, workloads: this.options.workloads, pages: this.pages,
      normalPageBytes: link.wire.normalPageBytes, zeroPageBytes: link.wire.zeroPageBytes, trailerBytes: link.wire.burstTrailerBytes,
      get nowMs() { return ctx.nowMs; },
      get remainingPages() { return ctx.remainingPages; },
      get cursor() { return link.cursor; },
      set cursor(c: number) { link.cursor = c; },
      push(budget: number, stops: readonly number[]) {
        const n0 = round.normalPages;
        const z0 = round.zeroPages;
        const pieces: { from: number; to: number; pages: number }[] = [];
        let bytes = 0;
        let wrapped = false;
        while (bytes < budget && ctx.remainingPages > 0) {
          if (link.cursor >= ctx.pages) {
            if (wrapped) break;
            link.cursor = 0;
            wrapped = true;
          }
          const from = link.cursor;
          const to = stops.find((x) => x > from) ?? ctx.pages;
          const before = round.normalPages + round.zeroPages;
          bytes += ctx.scan(to, budget - bytes, false);
          pieces.push({ from, to, pages: round.normalPages + round.zeroPages - before });
          if (link.cursor < to) break;
        }
        const trailer = link.wire.burstTrailerBytes;
        if (trailer > 0) {
          link.bursts++;
          ctx.account(trailer);
          bytes += trailer;
        }
        return { bytes, normal: round.normalPages - n0, zero: round.zeroPages - z0, pieces };
      },
      fetched(normal: number, zero: number, bytes: number) {
        round.normalPages += normal;
        round.zeroPages += zero;
        link.normalPages += normal;
        link.zeroPages += zero;
        ctx.remainingPages -= normal + zero;
        ctx.account(bytes);
      },
      advance(dtMs: number) {
        ctx.nowMs += dtMs;
        if (link.windowDue(ctx.nowMs)) ctx.closeWindow();
      },
    }, {
      trigger: request.trigger, requestedAtMs: request.atMs, switchAtMs, downtimeMs, resumeAtMs, pagesAtSwitch,
      discardRanges: ranges, discardBytes: discard, rateBytesPerSec: postRate,
      latencyMs: faultLatencyMs(s.postcopyFaultLatencyMs, s.postcopyPreempt), preempt: s.postcopyPreempt,
      readsPerWriteOption: s.postcopyReadsPerWrite,
    });
    // Every page arrived before the guest could resume: the migration ends with the guest running.
    if (this.nowMs < resumeAtMs) this.runGuest(resumeAtMs - this.nowMs, true);
    this.recorder.endRound(this.nowMs, 0, this.guest.meanThrottlePct());
    return { status: 'completed' };
  }

  /** The report of the finished run. */
  report(outcome: PrecopyOutcome): MigrationReport {
    const report = buildReport({
      scenario: this.options.scenario,
      nowMs: this.nowMs,
      pauseAtMs: this.pauseAtMs,
      paused: this.guest.paused,
      transferredBytes: this.link.transferredBytes,
      normalPages: this.link.normalPages,
      zeroPages: this.link.zeroPages,
      skippedPages: this.link.skippedPages,
      vcpus: this.vcpuList,
      ...(this.wireModel === null ? {} : { wire: this.wireModel.totals() }),
      ...(this.postcopyStats === null ? {} : { postcopy: this.postcopyStats }),
    }, this.recorder, outcome);
    const m = this.options.management;
    if (m != null) report.management = { name: m.spec.name, params: this.manager!.describe(), events: this.events };
    return report;
  }
}
