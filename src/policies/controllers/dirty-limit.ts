import { CONTROLLER_TABLE, checkControllerParams, type DirtyLimitParams } from '../../model/controllers.js';
import type { Controller, ControllerContext, SyncEvent, WindowEvent } from '../../model/controller.js';
import { MiB } from '../../units.js';
import { ThrottleTrigger } from './throttle-trigger.js';

export type { DirtyLimitParams };

/** DIRTYLIMIT_TOLERANCE_RANGE, MB/s (system/dirtylimit.c). */
export const DIRTYLIMIT_TOLERANCE_RANGE_MBPS = 25;
/** DIRTYLIMIT_LINEAR_ADJUSTMENT_PCT (system/dirtylimit.c). */
export const DIRTYLIMIT_LINEAR_ADJUSTMENT_PCT = 50;
/** DIRTYLIMIT_THROTTLE_PCT_MAX (system/dirtylimit.c). */
export const DIRTYLIMIT_THROTTLE_PCT_MAX = 99;

/**
 * QEMU dirty-limit (QEMU ≥ 8.1, KVM dirty ring): qemu/qemu system/dirtylimit.c and
 * docs/devel/migration/dirty-limit.rst. Reference §4.4.
 *
 * It is switched on by auto-converge's trigger (migration_trigger_throttle → migration_dirty_limit_guest):
 * every 2nd qualifying sync period. From then on, every period each vCPU's dirty rate (entries its dirty ring
 * collected: the rings are reset at every period and every sync, so a page written again counts again) is
 * compared with the quota: within 25 MB/s nothing changes; off by more than 50 % the sleep per
 * ring-full exit moves by ring_full_time × pct/(100 − pct), else by ring_full_time / 10; clamped to
 * [0, 99 × ring_full_time]. A vCPU sleeps that long each time its ring fills, so only writers are slowed.
 * ring_full_time = ring size (MiB) × 1e6 / the highest dirty rate seen (µs), as QEMU computes it.
 * Emulation: each vCPU runs on a duty cycle of (ring fill time at its full-speed dirty rate, sleep per full).
 */
export class DirtyLimitController implements Controller {
  readonly name = 'dirty-limit';
  private readonly p: Required<DirtyLimitParams>;
  /** Auto-converge's trigger; where auto-converge would throttle, dirty-limit switches the limit on. */
  private readonly trigger = new ThrottleTrigger(CONTROLLER_TABLE['auto-converge'].params.triggerThresholdPct.default);
  private enabled = false;
  private periodStartMs = 0;
  private ringAtStart: number[] = [];
  private obtainedAtStart: number[] = [];
  private throttleUsPerFull: number[] = [];
  /** Each vCPU's dirty-ring entries per ms of CPU, as last measured (its ring fill rate at full speed). */
  private fullSpeedPagesPerMs: number[] = [];
  private maxDirtyRate = 0;

  constructor(params: DirtyLimitParams = {}) {
    this.p = checkControllerParams('dirty-limit', params as Record<string, unknown>, 'controller');
  }

  describe(): Record<string, unknown> {
    return { ...this.p };
  }

  /** Per-vCPU sleep per ring-full exit, µs (QEMU's throttle_us_per_full), for inspection. */
  get sleepUsPerFull(): readonly number[] {
    return this.throttleUsPerFull;
  }

  onSync(e: SyncEvent, ctx: ControllerContext): void {
    if (!this.enabled && this.trigger.onSync(e, ctx) !== null) this.enable(ctx);
  }

  private enable(ctx: ControllerContext): void {
    this.enabled = true;
    this.startPeriod(ctx);
    this.throttleUsPerFull = ctx.vcpus.map(() => 0);
  }

  /** A period starts with the rings collected and reset (global_dirty_log_sync), as every period in QEMU does. */
  private startPeriod(ctx: ControllerContext): void {
    ctx.resetDirtyRings();
    this.periodStartMs = ctx.nowMs;
    this.ringAtStart = ctx.vcpus.map((v) => v.ringEntries);
    this.obtainedAtStart = ctx.vcpus.map((v) => v.cpuObtainedMs);
  }

  onWindow(_e: WindowEvent, ctx: ControllerContext): void {
    if (!this.enabled || ctx.nowMs - this.periodStartMs < this.p.periodMs) return;
    const seconds = (ctx.nowMs - this.periodStartMs) / 1000;
    const pagesPerMiB = MiB / ctx.pageSize;
    const quota = this.p.vcpuDirtyLimitMBps;
    const ringMiB = this.p.ringEntries / pagesPerMiB;
    for (const v of ctx.vcpus) {
      const entries = v.ringEntries - this.ringAtStart[v.index]!;
      // QEMU's MB/s figure: whole MiB per second.
      const current = Math.floor(entries / pagesPerMiB / seconds);
      if (Math.abs(quota - current) > DIRTYLIMIT_TOLERANCE_RANGE_MBPS) this.adjust(v.index, quota, current, ringMiB);
      // The duty cycle: run until the ring fills at the vCPU's full-speed dirty rate, then sleep. A vCPU that
      // slept through the whole period made no entries: its penalty stands, with the last rate it showed.
      const obtainedMs = v.cpuObtainedMs - this.obtainedAtStart[v.index]!;
      if (entries > 0 && obtainedMs > 0) this.fullSpeedPagesPerMs[v.index] = entries / obtainedMs;
      const sleepMs = this.throttleUsPerFull[v.index]! / 1000;
      const rate = this.fullSpeedPagesPerMs[v.index] ?? 0;
      ctx.setVcpuDutyCycle(v.index, sleepMs <= 0 || rate <= 0 ? null : { runMs: this.p.ringEntries / rate, sleepMs });
    }
    this.startPeriod(ctx);
  }

  /** dirtylimit_set_throttle. */
  private adjust(vcpu: number, quota: number, current: number, ringMiB: number): void {
    if (current === 0) {
      this.throttleUsPerFull[vcpu] = 0;
      return;
    }
    // QEMU's static max_dirtyrate only sees vCPUs that are being adjusted (dirtylimit_dirty_ring_full_time).
    this.maxDirtyRate = Math.max(this.maxDirtyRate, current);
    const ringFullUs = Math.floor((ringMiB * 1e6) / Math.max(1, this.maxDirtyRate));
    let t = this.throttleUsPerFull[vcpu]!;
    const lo = Math.min(quota, current);
    const hi = Math.max(quota, current);
    if (Math.floor(((hi - lo) * 100) / hi) > DIRTYLIMIT_LINEAR_ADJUSTMENT_PCT) {
      const sleepPct = quota < current ? Math.floor(((current - quota) * 100) / current) : Math.floor(((quota - current) * 100) / quota);
      const step = Math.floor((ringFullUs * sleepPct) / (100 - sleepPct));
      t += quota < current ? step : -step;
    } else {
      t += (quota < current ? 1 : -1) * Math.floor(ringFullUs / 10);
    }
    this.throttleUsPerFull[vcpu] = Math.max(0, Math.min(t, ringFullUs * DIRTYLIMIT_THROTTLE_PCT_MAX));
  }
}
