import type { MigrationContext, WireFormat } from '../../engine/context.js';
import type { AlgorithmName } from '../../engine/options.js';
import type { CancelReason } from '../../report/types.js';

/** How a pre-copy run ended. */
export type PrecopyOutcome = { status: 'completed' } | { status: 'cancelled'; reason: CancelReason };

/**
 * A pre-copy algorithm: it drives the migration context (bursts, syncs, the switch-over decision) from setup
 * to stop-and-copy. One file per algorithm in this folder, each citing its source.
 */
export interface PrecopyAlgorithm {
  readonly name: AlgorithmName;
  /** Bytes on the wire per page for this algorithm's protocol. */
  wire(pageSize: number): WireFormat;
  run(ctx: MigrationContext): PrecopyOutcome;
}

/** Cancels the run if its time or data cap is reached; returns the outcome to return, or null to go on. */
export function checkCaps(ctx: MigrationContext): PrecopyOutcome | null {
  const reason = ctx.cancelReason();
  if (reason === null) return null;
  ctx.cancel();
  return { status: 'cancelled', reason };
}
