import type { Workload } from './workload.js';

/**
 * A CPU-bound vCPU that writes no memory (a reader, or pure compute). Auto-converge's throttle slows it
 * like any other vCPU; dirty-limit leaves it alone (QEMU docs/devel/migration/dirty-limit.rst).
 */
export class ComputeWorkload implements Workload {
  readonly kind = 'compute';
  readonly cpuDemand = 1;
  readonly writesPerSec = 0;
  write(): number {
    return 0;
  }
}
