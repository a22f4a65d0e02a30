import type { CpuShareActuator } from '../../engine/context.js';
import type { PrecopyContext } from '../../engine/precopy-context.js';
import type { WireFormat } from '../../engine/wire.js';
import type { AlgorithmName } from '../../model/algorithms.js';
import type { PrecopyOutcome, ResolvedScenario } from '../../model/report.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';

export type { PrecopyOutcome };

/**
 * A pre-copy algorithm: it drives the migration (bursts, syncs, the switch-over decision) from setup to
 * stop-and-copy, and says how its hypervisor puts pages on the wire and throttles a guest. One file per
 * algorithm in this folder, each citing its source.
 */
export interface PrecopyAlgorithm {
  readonly name: AlgorithmName;
  /** Bytes on the wire per page for this algorithm's protocol. */
  wire(pageSize: number): WireFormat;
  /** How a controller's CPU share is imposed: QEMU's cpu-throttle, or a Xen credit cap. */
  cpuShare: CpuShareActuator;
  run(ctx: PrecopyContext): PrecopyOutcome;
}

/** Cancels the run if its time or data cap is reached; returns the outcome to return, or null to go on. */
export function checkCaps(ctx: PrecopyContext): PrecopyOutcome | null {
  const reason = ctx.cancelReason();
  if (reason === null) return null;
  ctx.cancel();
  return { status: 'cancelled', reason };
}

/** Postcopy is modelled for QEMU only: the other algorithms refuse its options, naming the first one set. */
export function refusePostcopy(s: ResolvedScenario): void {
  const set = (['postcopyRam', 'postcopyAfterSyncs', 'postcopyAfterMs', 'postcopyStallSyncs', 'postcopyPreempt'] as const)
    .find((k) => s[k] !== null && s[k] !== false);
  if (set !== undefined) {
    throw new InvalidOptionError(set, s[set], `no postcopy option with algorithm ${s.algorithm} (postcopy is modelled for the qemu algorithm only)`);
  }
}
