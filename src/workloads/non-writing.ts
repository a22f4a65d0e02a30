import type { Workload } from './workload.js';

/**
 * A vCPU that writes no memory: `compute` is CPU-bound (a reader, or pure compute: auto-converge's throttle
 * slows it like any other vCPU, dirty-limit leaves it alone, QEMU docs/devel/migration/dirty-limit.rst);
 * `idle` wants no CPU at all (Xen's stop rule ends such a VM's pre-copy after round 2).
 */
export class NonWritingWorkload implements Workload {
  readonly writesPerSec = 0;
  readonly cpuDemand: number;
  constructor(readonly kind: 'idle' | 'compute') {
    this.cpuDemand = kind === 'compute' ? 1 : 0;
  }
  write(): number {
    return 0;
  }
}
