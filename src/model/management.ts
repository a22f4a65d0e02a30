/**
 * The management seam: what a management layer (nova, KubeVirt, virsh) sees of a running migration and how it
 * changes QEMU's parameters while it runs. It is the controller seam (ControllerContext) plus the knobs a
 * management layer turns through libvirt: the downtime limit, max-bandwidth, abort, pausing the guest
 * (force-complete) and the switch to postcopy. Each call is recorded as an event of the report.
 */
import type { ControllerContext } from './controller.js';
import type { ManagementSpec } from './managers.js';
import type { ManagementEvent, ManagementEventKind, ManagementRecord } from './management-events.js';

export type { ManagementEvent, ManagementEventKind, ManagementRecord };

/** The controller seam, extended with what a management layer changes while pre-copy runs. */
export interface ManagementContext extends ControllerContext {
  /** QEMU's max-bandwidth now, bytes per second. */
  readonly maxBandwidthBytesPerSec: number;
  /** Guest RAM, bytes. */
  readonly memoryBytes: number;
  /** Syncs so far (QEMU's dirty-sync-count: the iteration libvirt reports). */
  readonly syncCount: number;
  /** Whether the guest is paused (by the layer; a stop-and-copy ends the layer's part). */
  readonly paused: boolean;
  /** Whether the postcopy-ram capability is on, so startPostcopy() may be called. */
  readonly postcopyAvailable: boolean;
  /** Whether the migration has switched to postcopy. */
  readonly postcopyActive: boolean;
  /** migrate-set-parameters downtime-limit (virDomainMigrateSetMaxDowntime), ms. */
  setDowntimeLimit(ms: number, reason?: string): void;
  /** migrate-set-parameters max-bandwidth (virDomainMigrateSetMaxSpeed), bytes per second. */
  setMaxBandwidth(bytesPerSec: number, reason?: string): void;
  /** migrate_cancel (virDomainAbortJob): the guest keeps running at the source. */
  abort(reason?: string): void;
  /** Pauses the guest (virDomainSuspend): pre-copy goes on with nothing dirtied, and completes. */
  pauseGuest(reason?: string): void;
  /** migrate-start-postcopy (virDomainMigrateStartPostCopy); refused when postcopy-ram is off. */
  startPostcopy(reason?: string): void;
  /** Records a capability the layer turns on when the migration starts (auto-converge, postcopy-ram). */
  noteCapability(name: string, reason: string): void;
}

/**
 * A management layer: it polls the migration on its own clock, as the real monitor threads do, and changes
 * QEMU's parameters through the context. One file per layer in src/policies/management/, each citing the
 * functions it follows. Its polls stop when the guest is stopped for the final stop-and-copy.
 */
export interface Manager {
  readonly name: string;
  /** The first poll, ms after the migration starts, and the period after it (Infinity: one poll only). */
  readonly firstPollMs: number;
  readonly pollIntervalMs: number;
  /** Called once before the migration starts (the flags and parameters the layer passes to migrate). */
  start?(ctx: ManagementContext): void;
  /** One poll at `tMs` (the poll's own moment; the state read is the engine's at that point, within one burst). */
  onPoll(tMs: number, ctx: ManagementContext): void;
  /** JSON-safe description of the parameters, echoed in the report. */
  describe(): Record<string, unknown>;
}

/** A checked management option: what it turns on at the start, and a factory (a fresh monitor per run). */
export interface ResolvedManagement {
  spec: ManagementSpec;
  /** QEMU's auto-converge capability on (the layer's flag). */
  autoConverge: boolean;
  /** postcopy-ram on (the layer's flag). */
  postcopy: boolean;
  /** Whether the layer can switch to postcopy with these settings. */
  mayStartPostcopy: boolean;
  create(memoryBytes: number): Manager;
}
