import type { CancelReason, PostcopyTrigger, PrecopyOutcome, ResolvedScenario, RoundRecord } from '../model/report.js';
import type { WireConfig } from './wire-model.js';

/** How a release runs the switch to postcopy. */
export interface PostcopyOptions {
  /** The discard bitmap and device state go at link capacity (10.0+: migration_switchover_start lifts the limit), else at max-postcopy-bandwidth. */
  switchoverUnlimited: boolean;
}

/** Options of one send burst. */
export interface BurstOptions {
  /** Continue from page 0 after the last page (QEMU); without, stop at the end of memory (a round-based pass). */
  wrap: boolean;
  /** Pass over pages re-dirtied since the round began (Xen's peek rule). */
  skipDirty: boolean;
  /** Longest link time of the burst, ms. @default MAX_BURST_MS (50, QEMU's MAX_WAIT) */
  maxMs?: number;
}

/**
 * What a pre-copy algorithm drives: read-only counters and a handful of primitives. The clock advances the guest
 * and the link together: every burst of sending is followed by the guest running for exactly the time those
 * bytes took on the link.
 */
export interface PrecopyContext {
  readonly scenario: ResolvedScenario;
  readonly nowMs: number;
  /** Dirty-log syncs so far (QEMU's dirty-sync-count). */
  readonly syncCount: number;
  /** Pages still to send (QEMU's migration_dirty_pages): set bits in the to-send bitmap. */
  readonly remainingPages: number;
  readonly transferredBytes: number;
  readonly normalPages: number;
  readonly zeroPages: number;
  readonly skippedPages: number;
  /** QEMU's downtime-limit in force, ms (the scenario's, unless a management layer changed it). */
  readonly downtimeLimitMs: number;
  /** QEMU's max-bandwidth in force, bytes per second (the scenario's, unless a management layer changed it). */
  readonly maxBandwidthBytesPerSec: number;
  /** Throughput of the last closed 100 ms window. */
  readonly bandwidthBytesPerSec: number;
  /** Start of the current window and the bytes sent in it (QEMU's rate-limit accounting). */
  readonly window: { readonly startMs: number; readonly bytes: number };
  /** True when a pass has reached the end of memory. */
  readonly passDone: boolean;
  /** Name of the controller driving the guest ('none' without one). */
  readonly controllerName: string;

  /**
   * Turns on the wire features (XBZRLE, multifd, compression; src/engine/wire-model.ts) before setup: bursts and
   * the stop-and-copy then scan through the wire model.
   */
  configureWire(cfg: WireConfig): void;
  /** Starts the migration: all of RAM to send, the log clean, then the setup phase with the guest running. */
  setup(): void;
  /** Syncs the dirty log into the to-send bitmap, ends the round and starts the next; returns the pages newly set. */
  sync(phase?: RoundRecord['phase']): number;
  /** Sends pages from the cursor until `budgetBytes` or the burst's time is used up, then runs the guest that long. */
  burst(budgetBytes: number, opts: BurstOptions): number;
  /** Idles the link until `tMs` while the guest runs (QEMU's migration_rate_limit wait). */
  idleUntil(tMs: number): void;
  /** Puts the scan cursor back at page 0 for a new pass. */
  restartPass(): void;
  /** Distinct pages dirtied since the last sync: what the next sync would bring. */
  dirtyLogPages(): number;
  /**
   * Whether the controller wants the switch-over now; `pendingPages` (what stop-and-copy would send) is only
   * computed when the controller asks, since it may cost a pass over the dirty log.
   */
  controllerWantsStop(pendingPages: () => number): boolean;
  /** Why the run must be cancelled now (its time or data cap is reached), if it must. */
  cancelReason(): CancelReason | null;
  /** Cancels: the guest keeps running at the source, throttles are lifted. */
  cancel(): void;
  /**
   * Pauses the guest, sends what remains and the device state at link capacity, resumes at the destination;
   * cancelled instead if a cap is reached first. Return its outcome.
   */
  stopAndCopy(): PrecopyOutcome;

  // --- Postcopy (QEMU) ---
  /** The pending postcopy request (migrate-start-postcopy: a trigger option, or a controller's startPostcopy), or null. */
  readonly postcopyRequest: { readonly atMs: number; readonly trigger: PostcopyTrigger } | null;
  /** Records a postcopy request now (a later request changes nothing). */
  requestPostcopy(trigger: PostcopyTrigger): void;
  /** Switches to postcopy and runs it until the destination has every page (cancelled instead if a cap is reached first). */
  postcopy(opts: PostcopyOptions): PrecopyOutcome;
}
