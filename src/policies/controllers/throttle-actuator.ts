import type { ControllerContext } from './controller.js';

/**
 * How a guest's CPU share f is imposed, by the algorithm's own mechanism: on Xen a credit-scheduler cap of
 * 100·f % (Cherkasova et al.; the seed paper ran on Xen, very likely with `xm sched-credit -c`), elsewhere
 * QEMU's cpu-throttle at (1 − f) · 100 %.
 */
export function applyCpuShare(ctx: ControllerContext, share: number): void {
  if (ctx.algorithm === 'xen') ctx.setCreditCap(share * 100);
  else ctx.setCpuThrottle((1 - share) * 100);
}
