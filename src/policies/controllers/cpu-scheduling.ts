import { checkControllerParams, type CpuSchedulingParams } from '../../model/controllers.js';
import type { Controller, ControllerContext, SyncEvent } from '../../model/controller.js';
import { XEN_LAST_ITER_PAGES } from '../precopy/xen.js';

export type { CpuSchedulingParams };

/**
 * The seed paper's scheme: Jin, Gao, Wu, Shi, Wu, Zhou, "Optimizing the live migration of virtual machine by
 * CPU scheduling", J. Network and Computer Applications 34(4):1088–1096, 2011, doi:10.1016/j.jnca.2010.06.013.
 * "According to pre-copy speed, the VCPU working frequency may be reduced so that at a certain phase of the
 * pre-copy the remaining dirty memory can reach a desired small amount."
 *
 * RECONSTRUCTION (reference §1.4): the paper's exact formula, phase and target are not public. At the start of
 * round i ≥ 2, with V_i the pages to send, R the bandwidth measured over the last round and D the dirty rate
 * measured over it (distinct pages dirtied / duration):
 *
 *   n_rem  = max(1, N − i)                    rounds left to reach the target round N
 *   λ_req  = (V_target / V_i)^(1 / n_rem)     the per-round shrink ratio needed
 *   D0     = D / f_current                    the dirty rate at full speed (dirtying ∝ CPU share)
 *   f      = clamp(λ_req · R / D0, f_min, 1)  (so f = 1, no throttle, when D0 ≤ λ_req · R)
 *
 * and stop-and-copy as soon as what is left is at most V_target. The share is imposed by the algorithm's own
 * mechanism (Xen credit cap, QEMU cpu-throttle). Every constant is a parameter (src/model/controllers.ts).
 */
export class CpuSchedulingController implements Controller {
  readonly name = 'cpu-scheduling';
  private demandedAtSync = 0;
  private obtainedAtSync = 0;
  private readonly p: Required<CpuSchedulingParams>;

  constructor(params: CpuSchedulingParams = {}) {
    this.p = checkControllerParams('cpu-scheduling', params as Record<string, unknown>, 'controller');
  }

  describe(): Record<string, unknown> {
    return { ...this.p };
  }

  /** V_target in pages for the bandwidth measured now. */
  private targetPages(ctx: ControllerContext, bandwidthBytesPerSec: number): number {
    const t = this.p.target;
    if (t === 'xen-50-pages') return XEN_LAST_ITER_PAGES;
    if (t === 'downtime') return (bandwidthBytesPerSec * ctx.downtimeLimitMs) / 1000 / ctx.pageSize;
    return t / ctx.pageSize;
  }

  onSync(e: SyncEvent, ctx: ControllerContext): void {
    const demanded = sum(ctx.vcpus.map((v) => v.cpuDemandedMs));
    const obtained = sum(ctx.vcpus.map((v) => v.cpuObtainedMs));
    // The share the guest really got over the round just ended (a throttle may have changed inside it).
    const share = demanded > this.demandedAtSync ? (obtained - this.obtainedAtSync) / (demanded - this.demandedAtSync) : 1;
    this.demandedAtSync = demanded;
    this.obtainedAtSync = obtained;
    const last = e.ended;
    if (last === null || last.endMs <= last.startMs || e.remainingPages <= 0 || share <= 0) return;
    const i = last.index + 1;
    const seconds = (last.endMs - last.startMs) / 1000;
    // R from bytes on the wire (reference §1.4), in pages: a round-1 zero page costs 9 B, not a page's worth.
    const Rpages = last.bytes / seconds / ctx.pageSize;
    const D0 = last.dirtiedPages / seconds / share;
    const Vtarget = this.targetPages(ctx, last.bytes / seconds);
    const nRem = Math.max(1, this.p.targetRound - i);
    const lambda = Math.min(1, Math.pow(Vtarget / e.remainingPages, 1 / nRem));
    // f = 1 exactly when the guest at full speed already dirties no faster than λ_req · R allows.
    const f = D0 > 0 ? Math.min(1, Math.max(this.p.minShare, (lambda * Rpages) / D0)) : 1;
    ctx.setCpuShare(f);
  }

  shouldStopAndCopy(pendingPages: number, ctx: ControllerContext): boolean {
    return pendingPages <= this.targetPages(ctx, ctx.bandwidthBytesPerSec);
  }
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
