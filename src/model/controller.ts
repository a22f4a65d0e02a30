/**
 * The controller seam: what a CPU-scheduling controller sees of a running migration and how it acts on the
 * guest. Hypervisor-neutral: a controller asks for a CPU share, and the pre-copy algorithm imposes it with its
 * own mechanism (QEMU's cpu-throttle, a Xen credit cap).
 */
import type { AlgorithmName } from './algorithms.js';
import type { ResolvedScenario, RoundRecord } from './report.js';

/**
 * How a throttled vCPU is scheduled: it runs `runMs`, then sleeps `sleepMs`, over and over. This one shape
 * covers QEMU's cpu-throttle (run 10 ms, sleep pct/(1−pct) × 10 ms), a Xen credit cap (run cap% of each
 * accounting period) and dirty-limit (run until the dirty ring fills, then sleep the penalty).
 */
export interface DutyCycle {
  runMs: number;
  sleepMs: number;
}

/** A vCPU as a controller sees it. */
export interface VcpuView {
  readonly index: number;
  readonly workloadKind: string;
  /** Page writes/s at full speed. */
  readonly writesPerSec: number;
  /** Dirty-ring entries this vCPU has made so far (a page counts again after each ring reset). */
  readonly ringEntries: number;
  /** CPU time the vCPU's workload has wanted and obtained so far. */
  readonly cpuDemandedMs: number;
  readonly cpuObtainedMs: number;
  readonly throttlePct: number;
  readonly dutyCycle: DutyCycle | null;
}

/** What a controller can read about the migration and how it acts on the guest. */
export interface ControllerContext {
  readonly nowMs: number;
  readonly algorithm: AlgorithmName;
  readonly pageSize: number;
  readonly pages: number;
  readonly downtimeLimitMs: number;
  readonly linkBytesPerSec: number;
  /** Bytes put on the wire so far. */
  readonly transferredBytes: number;
  /** Pages still to send (QEMU's migration_dirty_pages). */
  readonly remainingPages: number;
  /** Throughput of the last closed 100 ms window. */
  readonly bandwidthBytesPerSec: number;
  readonly vcpus: readonly VcpuView[];
  /** The resolved scenario (qemuVersion, the clock settings), where the engine provides it. */
  readonly scenario?: ResolvedScenario;
  /** Send bursts so far (QEMU: ram_save_iterate sections), where the engine provides it. */
  readonly sendBursts?: number;
  /**
   * Leaves every vCPU `share` of its CPU, in (0, 1]; 1 lifts the throttle. The algorithm imposes it with its
   * hypervisor's mechanism: QEMU's cpu-throttle at a whole percentage (1 − share) × 100, clamped to 99 %
   * (migration/cpu-throttle.c), or a Xen credit-scheduler cap of share × 100 %.
   */
  setCpuShare(share: number): void;
  /** Collects and resets every vCPU's dirty ring, so pages written again make new entries (KVM_RESET_DIRTY_RINGS). */
  resetDirtyRings(): void;
  /** Any schedule on one vCPU (null lifts it). */
  setVcpuDutyCycle(vcpu: number, cycle: DutyCycle | null): void;
  /**
   * Switches the migration to postcopy at the algorithm's next iteration (QMP migrate-start-postcopy): QEMU only,
   * with the postcopy-ram capability on (the postcopyRam option, or a postcopy trigger option). Otherwise an
   * InvalidOptionError naming the controller. A second call changes nothing.
   */
  startPostcopy(): void;
}

/** A dirty-log sync during live pre-copy (it ended round `ended` and started the next). */
export interface SyncEvent {
  /** Syncs so far, the setup sync included (QEMU's dirty-sync-count). */
  syncCount: number;
  /** The round that just ended, or null at the setup sync. */
  ended: RoundRecord | null;
  /** Pages newly set in the to-send bitmap by this sync (QEMU's num_dirty_pages_period increment). */
  newPages: number;
  /** Pages to send in the round now starting. */
  remainingPages: number;
}

/** A 100 ms window closed during live pre-copy. */
export interface WindowEvent {
  startMs: number;
  endMs: number;
  bytes: number;
  /** Dirty-ring entries made during the window (pages newly dirtied since the last ring reset). */
  ringEntries: number;
}

/**
 * A CPU-scheduling controller: it watches pre-copy and throttles the guest. One file per controller in
 * src/policies/controllers/, each citing its source. The engine lifts every throttle when the guest is paused
 * for stop-and-copy (QEMU's cpu_throttle_stop) or the migration is cancelled.
 */
export interface Controller {
  readonly name: string;
  onSync?(event: SyncEvent, ctx: ControllerContext): void;
  onWindow?(event: WindowEvent, ctx: ControllerContext): void;
  /**
   * Asked at the algorithm's switch-over decision point with the pages stop-and-copy would have to send;
   * true makes the algorithm stop the guest now, on top of its own rule (the seed's scheme stops once its
   * target is reached). QEMU asks after each sync, Xen and SimGrid after each pass.
   */
  shouldStopAndCopy?(pendingPages: number, ctx: ControllerContext): boolean;
  /** JSON-safe description of the controller's parameters, echoed in reports. */
  describe?(): Record<string, unknown>;
}

/** The controller of a run without one: it does nothing (a null object, so the engine never tests for null). */
export const NO_CONTROLLER: Controller = Object.freeze({ name: 'none' });
