import type { Workload } from './workload.js';

/** An idle vCPU: wants no CPU, writes nothing. Xen's stop rule ends such a VM's pre-copy after round 2. */
export class IdleWorkload implements Workload {
  readonly kind = 'idle';
  readonly cpuDemand = 0;
  readonly writesPerSec = 0;
  write(): number {
    return 0;
  }
}
