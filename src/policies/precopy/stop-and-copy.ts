import type { PrecopyContext } from '../../engine/precopy-context.js';
import type { PrecopyAlgorithm, PrecopyOutcome } from './algorithm.js';
import { refusePostcopy } from './algorithm.js';
import { qemuCpuThrottle, qemuWire } from './qemu-wire.js';

/**
 * The non-live baseline: pause the guest at once and send all of memory (Clark et al., NSDI 2005, §2:
 * "pure stop-and-copy"). Downtime is the whole transfer. QEMU's wire format.
 */
export const stopAndCopy: PrecopyAlgorithm = {
  name: 'stop-and-copy',
  wire: qemuWire,
  cpuShare: qemuCpuThrottle,
  run(ctx: PrecopyContext): PrecopyOutcome {
    refusePostcopy(ctx.scenario);
    ctx.setup();
    return ctx.stopAndCopy();
  },
};
