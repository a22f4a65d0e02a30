import { checkControllerParams, type SdpsParams } from '../../model/controllers.js';
import type { Controller, ControllerContext, WindowEvent } from '../../model/controller.js';

export type { SdpsParams };

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
    this.p = checkControllerParams('sdps', params as Record<string, unknown>, 'controller');
  }

  describe(): Record<string, unknown> {
    return { ...this.p };
  }

  onWindow(e: WindowEvent, ctx: ControllerContext): void {
    const seconds = (e.endMs - e.startMs) / 1000;
    if (seconds <= 0) return;
    const dirtyBytesPerSec = (e.ringEntries * ctx.pageSize) / seconds;
    const sendBytesPerSec = e.bytes / seconds;
    const fullSpeed = dirtyBytesPerSec / this.share;
    const allowed = this.p.targetRatio * sendBytesPerSec;
    const share = fullSpeed > allowed && fullSpeed > 0 ? Math.max(this.p.minShare, allowed / fullSpeed) : 1;
    this.share = share;
    const cycle = share >= 1 ? null : { runMs: (this.p.maxSleepMs * share) / (1 - share), sleepMs: this.p.maxSleepMs };
    for (const v of ctx.vcpus) ctx.setVcpuDutyCycle(v.index, cycle);
  }
}
