import { type MigrationContext, qemuWire } from '../../engine/context.js';
import type { PrecopyAlgorithm, PrecopyOutcome } from './algorithm.js';

/**
 * The non-live baseline: pause the guest at once and send all of memory (Clark et al., NSDI 2005, §2:
 * "pure stop-and-copy"). Downtime is the whole transfer. QEMU's wire format.
 */
export const stopAndCopy: PrecopyAlgorithm = {
  name: 'stop-and-copy',
  wire: qemuWire,
  run(ctx: MigrationContext): PrecopyOutcome {
    ctx.setup();
    ctx.stopAndCopy();
    return { status: 'completed' };
  },
};
