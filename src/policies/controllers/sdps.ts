import { checkNumber } from '../../engine/check.js';
import type { Controller, ControllerContext, WindowEvent } from './controller.js';

/** Longest single sleep SDPS injects: "a few milliseconds at a time at most" (Epping, 2012). [REC] */
export const DEFAULT_SDPS_MAX_SLEEP_MS = 2;
/** Dirty rate SDPS aims for, as a fraction of the transmit rate. [REC] */
export const DEFAULT_SDPS_TARGET_RATIO = 0.9;
/** Smallest CPU share SDPS leaves a vCPU. [REC] */
export const DEFAULT_SDPS_MIN_SHARE = 0.01;

export interface SdpsParams {
  /** Length of each injected sleep, ms (0.1–10). @default 2 */
  maxSleepMs?: number;
  /** Target dirty rate / transmit rate, in (0, 1]. @default 0.9 */
  targetRatio?: number;
  /** Smallest CPU share, in (0, 1]. @default 0.01 */
  minShare?: number;
}

export function checkSdpsParams(p: Record<string, unknown>, field: string): Required<SdpsParams> {
  return {
    maxSleepMs: checkNumber(`${field}.maxSleepMs`, p['maxSleepMs'] ?? DEFAULT_SDPS_MAX_SLEEP_MS, { min: 0.1, max: 10, unit: 'ms' }),
    targetRatio: checkNumber(`${field}.targetRatio`, p['targetRatio'] ?? DEFAULT_SDPS_TARGET_RATIO, { min: 0, minExclusive: true, max: 1 }),
    minShare: checkNumber(`${field}.minShare`, p['minShare'] ?? DEFAULT_SDPS_MIN_SHARE, { min: 0, minExclusive: true, max: 1 }),
  };
}

/**
 * VMware vMotion's Stun During Page Send (vSphere 5.0). Sources: VMware, "vSphere vMotion Architecture,
 * Performance and Best Practices in VMware vSphere 5"; D. Epping, "Clearing up a misunderstanding around CPU
 * throttling with vMotion" (2012): vMotion compares the rate at which the guest dirties pages with the
 * transmission rate and, only while the former is higher, puts the source vCPUs to sleep "for a few
 * milliseconds at a time at most" — frequent, tiny sleeps. Patent US 9,052,949 B2 names the inputs.
 *
 * RECONSTRUCTION (reference §5; VMware's formula is not public): every 100 ms window, with D the dirty rate
 * (pages newly dirtied) and R the transmit rate of the window, D0 = D / f the full-speed rate: if
 * D0 > target·R, each vCPU gets the share f = max(f_min, target·R / D0) as sleeps of `maxSleepMs` between
 * runs of maxSleepMs·f/(1 − f); otherwise it runs freely.
 */
export class SdpsController implements Controller {
  readonly name = 'sdps';
  private readonly p: Required<SdpsParams>;
  private share = 1;

  constructor(params: SdpsParams = {}) {
    this.p = checkSdpsParams(params as Record<string, unknown>, 'controller');
  }

  describe(): Record<string, unknown> {
    return { ...this.p };
  }

  onWindow(e: WindowEvent, ctx: ControllerContext): void {
    const seconds = (e.endMs - e.startMs) / 1000;
    if (seconds <= 0) return;
    const dirtyBytesPerSec = (e.freshPages * ctx.pageSize) / seconds;
    const sendBytesPerSec = e.bytes / seconds;
    const fullSpeed = dirtyBytesPerSec / this.share;
    const allowed = this.p.targetRatio * sendBytesPerSec;
    const share = fullSpeed > allowed && fullSpeed > 0 ? Math.max(this.p.minShare, allowed / fullSpeed) : 1;
    this.share = share;
    const cycle = share >= 1 ? null : { runMs: (this.p.maxSleepMs * share) / (1 - share), sleepMs: this.p.maxSleepMs };
    for (const v of ctx.vcpus) ctx.setVcpuDutyCycle(v.index, cycle);
  }
}
