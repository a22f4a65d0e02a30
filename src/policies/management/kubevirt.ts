import { MiB } from '../../units.js';
import type { Manager, ManagementContext } from '../../model/management.js';
import type { ManagerParams } from '../../model/managers.js';

/** virt-launcher's monitor wakes this often (live-migration-source.go monitorSleepPeriodMS). */
export const KUBEVIRT_POLL_MS = 400;

/** The MigrationConfiguration fields the policy reads (names as in KubeVirt's API; declared in src/model/managers.ts; allowWorkloadDisruption null follows allowPostCopy). */
export type KubevirtConf = ManagerParams<'kubevirt'>;

/**
 * getVMIMigrationDataSize: the guest memory as a Kubernetes quantity scaled to resource.Giga, which rounds up to
 * whole 10^9 B (ScaledValue is a ceiling): a 2 GiB guest counts as 3.
 */
export function kubevirtDataSize(memoryBytes: number): number {
  return Math.ceil(memoryBytes / 1e9);
}

/** vcpu.QuantityToMebiByte: a bandwidth quantity in whole MiB/s (rounded to nearest, at least 1 unless 0). */
export function kubevirtMebibytes(bytes: number): number {
  if (bytes === 0) return 0;
  if (bytes < MiB) return 1;
  return Math.floor(bytes / MiB + 0.5);
}

/**
 * KubeVirt's migration monitor in virt-launcher, legacy convergence (stall detection off, no downtime tuning),
 * kubevirt/kubevirt @ d923fdb: pkg/virt-launcher/virtwrap/live-migration-source.go startMonitor,
 * processInflightMigration, handleLegacyConvergence, shouldTriggerTimeout, isMigrationProgressing,
 * generateMigrationFlags, generateMigrationParams; manager.go getVMIMigrationDataSize; defaults
 * pkg/virt-config/virt-config.go.
 *
 * - Polls every 400 ms, the first 400 ms after the start. Times are whole seconds, truncated (elapsedNs / 1 s).
 * - Each poll: the remaining data (libvirt's DataRemaining: RAM still to send) below the previous poll's counts as
 *   progress (as does the first poll). Then, in order: in postcopy nothing; if workload disruption is allowed, the
 *   completion timeout has passed (`elapsed > completionTimeoutPerGiB × data size`) and the guest is not paused:
 *   postcopy if allowed, else pause the guest and double the acceptable completion time; else if no progress for
 *   more than progressTimeout s (0 = never): abort; else if the completion timeout has passed: abort.
 * - Flags: MIGRATE_AUTO_CONVERGE with allowAutoConverge, MIGRATE_POSTCOPY with allowPostCopy (both may be set);
 *   bandwidthPerMigration in whole MiB/s (0 = unlimited: livemig keeps its max-bandwidth).
 * Not modelled: stall detection (VEP 248) and downtime tuning (VEP 291) behind feature gates, VFIO devices, the
 * migration's extra volumes and block-migrated disks in the data size.
 */
export class KubevirtManager implements Manager {
  readonly name = 'kubevirt';
  readonly firstPollMs = KUBEVIRT_POLL_MS;
  readonly pollIntervalMs = KUBEVIRT_POLL_MS;
  readonly dataSize: number;
  /** acceptableCompletionTime, seconds (doubled when the guest is paused). */
  acceptableCompletionS: number;
  private readonly disruption: boolean;
  private watermark = 0;
  private lastProgressMs = 0;

  constructor(readonly conf: KubevirtConf, memoryBytes: number) {
    this.dataSize = kubevirtDataSize(memoryBytes);
    this.acceptableCompletionS = conf.completionTimeoutPerGiB * this.dataSize;
    this.disruption = conf.allowWorkloadDisruption ?? conf.allowPostCopy;
  }

  describe(): Record<string, unknown> {
    return { ...this.conf, allowWorkloadDisruption: this.disruption, data_size_gb: this.dataSize, acceptable_completion_s: this.conf.completionTimeoutPerGiB * this.dataSize };
  }

  start(ctx: ManagementContext): void {
    if (this.conf.allowAutoConverge) ctx.noteCapability('auto-converge', 'allowAutoConverge: MIGRATE_AUTO_CONVERGE');
    if (this.conf.allowPostCopy) ctx.noteCapability('postcopy-ram', 'allowPostCopy: MIGRATE_POSTCOPY');
    const mib = kubevirtMebibytes(this.conf.bandwidthPerMigration);
    if (mib > 0) ctx.setMaxBandwidth(mib * MiB, `bandwidthPerMigration = ${mib} MiB/s`);
  }

  private timedOut(elapsedS: number): boolean {
    return this.acceptableCompletionS !== 0 && elapsedS > this.acceptableCompletionS;
  }

  onPoll(tMs: number, ctx: ManagementContext): void {
    const remaining = ctx.remainingPages * ctx.pageSize;
    if (this.watermark === 0 || remaining < this.watermark) this.lastProgressMs = tMs;
    this.watermark = remaining;
    const elapsedS = Math.trunc(tMs / 1000);
    if (ctx.postcopyActive) return;
    if (this.disruption && this.timedOut(elapsedS) && !ctx.paused) {
      if (this.conf.allowPostCopy) {
        ctx.startPostcopy(`completion timeout: ${elapsedS} s > ${this.acceptableCompletionS} s, postcopy allowed`);
      } else {
        ctx.pauseGuest(`completion timeout: ${elapsedS} s > ${this.acceptableCompletionS} s, pausing the guest (acceptable time doubled)`);
        this.acceptableCompletionS *= 2;
      }
      return;
    }
    const stuckS = Math.trunc((tMs - this.lastProgressMs) / 1000);
    if (this.conf.progressTimeout !== 0 && stuckS > this.conf.progressTimeout) {
      ctx.abort(`progressTimeout: no progress for ${stuckS} s > ${this.conf.progressTimeout} s`);
      return;
    }
    if (this.timedOut(elapsedS)) ctx.abort(`completionTimeoutPerGiB: ${elapsedS} s > ${this.acceptableCompletionS} s (${this.conf.completionTimeoutPerGiB} s × ${this.dataSize} GB)`);
  }
}
