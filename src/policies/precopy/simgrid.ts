import type { PrecopyContext } from '../../engine/precopy-context.js';
import { type PrecopyAlgorithm, type PrecopyOutcome, checkCaps } from './algorithm.js';
import { refusePostcopy } from './algorithm.js';
import { qemuCpuThrottle, qemuWire } from './qemu-wire.js';

/**
 * SimGrid's three-stage pre-copy, simgrid/simgrid src/plugins/vm/VmLiveMigration.cpp (MigrationTx), here on
 * pages instead of byte counts. It is also the textbook geometric-series loop of reference §2.2.
 *
 * - Stage 1 sends all of memory; bandwidth = bytes / duration, threshold = bandwidth × max downtime.
 * - Stage 2: while the data dirtied during the last pass exceeds the threshold, send it all in another pass
 *   and re-estimate the bandwidth from that pass.
 * - Stage 3: stop the guest and send what remains.
 * Passes run at link capacity. Max downtime is the run's downtimeLimitMs (SimGrid's own default is 30 ms).
 * QEMU's wire format and cpu-throttle are used (SimGrid models QEMU/KVM).
 */
export const simgrid: PrecopyAlgorithm = {
  name: 'simgrid',
  wire: qemuWire,
  cpuShare: qemuCpuThrottle,
  run(ctx: PrecopyContext): PrecopyOutcome {
    refusePostcopy(ctx.scenario);
    const s = ctx.scenario;
    ctx.setup();
    ctx.sync();
    for (;;) {
      const startMs = ctx.nowMs;
      const startBytes = ctx.transferredBytes;
      ctx.restartPass();
      while (!ctx.passDone) {
        const capped = checkCaps(ctx);
        if (capped) return capped;
        ctx.burst(Number.POSITIVE_INFINITY, { wrap: false, skipDirty: false });
      }
      const dt = ctx.nowMs - startMs;
      const bandwidth = dt > 0 ? ((ctx.transferredBytes - startBytes) / dt) * 1000 : s.bandwidthBytesPerSec;
      const threshold = (bandwidth * s.downtimeLimitMs) / 1000;
      // After a full pass the to-send bitmap is empty, so what the next sync would bring is the dirty log.
      const remaining = ctx.dirtyLogPages() * s.pageSize;
      if (remaining <= threshold || ctx.controllerWantsStop(() => remaining / s.pageSize)) {
        return ctx.stopAndCopy();
      }
      ctx.sync();
    }
  },
};
