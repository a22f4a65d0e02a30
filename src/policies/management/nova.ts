import { GiB, MiB } from '../../units.js';
import type { Manager, ManagementContext } from '../../model/management.js';
import type { ManagerParams } from '../../model/managers.js';

/** nova's monitor loop sleeps this long between polls (driver.py _live_migration_monitor, sleep_time = 0.5). */
export const NOVA_POLL_MS = 500;
/** nova counts the RAM, and each block-migrated disk, as at least this many GiB (driver.py _live_migration_data_gb). */
export const NOVA_MIN_GIB = 2;

/** The nova.conf [libvirt] options the policy reads (names as in nova/conf/libvirt.py; declared in src/model/managers.ts). */
export type NovaConf = ManagerParams<'nova'>;

/**
 * _live_migration_data_gb: the RAM in GiB (flavor memory_mb × Mi / Gi, at least 2), plus each block-migrated disk
 * in GiB (at least 2 each); livemig has one optional disk, 0 for shared storage (no disk_paths).
 */
export function novaDataGb(memoryBytes: number, diskGiB: number): number {
  const ram = Math.max(memoryBytes / GiB, NOVA_MIN_GIB);
  return ram + (diskGiB > 0 ? Math.max(diskGiB, NOVA_MIN_GIB) : 0);
}

/**
 * nova's downtime_steps(data_gb): steps + 1 pairs (seconds, ms). delay = int(delay × data_gb); base = downtime /
 * steps; offset = (downtime − base) / steps; pair i = (int(delay × i), int(base + offset × i)), with Python's
 * int() truncating the doubles (the same IEEE arithmetic here).
 */
export function novaDowntimeSteps(conf: Pick<NovaConf, 'live_migration_downtime' | 'live_migration_downtime_steps' | 'live_migration_downtime_delay'>, dataGb: number): [number, number][] {
  const downtime = conf.live_migration_downtime;
  const steps = conf.live_migration_downtime_steps;
  const delay = Math.trunc(conf.live_migration_downtime_delay * dataGb);
  const base = downtime / steps;
  const offset = (downtime - base) / steps;
  const out: [number, number][] = [];
  for (let i = 0; i <= steps; i++) out.push([Math.trunc(delay * i), Math.trunc(base + offset * i)]);
  return out;
}

/**
 * OpenStack nova's libvirt live-migration monitor, openstack/nova @ 00a0304: nova/virt/libvirt/driver.py
 * _live_migration_monitor and _live_migration_data_gb, nova/virt/libvirt/migration.py downtime_steps,
 * update_downtime, should_trigger_timeout_action, run_tasks, trigger_postcopy_switch; options nova/conf/libvirt.py.
 *
 * - Polls every 0.5 s from the start (the loop's first get_job_info comes at once); `elapsed` is the poll's time.
 * - Each poll first runs queued tasks (run_tasks): a queued force-complete switches to postcopy when it is
 *   permitted (trigger_postcopy_switch), else pauses the guest (guest.pause()); then the completion timeout
 *   (int(completion_timeout × data_gb) s, 0 = none) is tested as `elapsed > timeout`, not in postcopy: 'abort'
 *   aborts the job at once, 'force_complete' queues a force-complete for the next poll (live_migration_force_complete
 *   appends to the task queue); then update_downtime sets the ramp's latest step whose time `elapsed` exceeds
 *   (strictly), when it differs from the last one set.
 * - Flags at the start: VIR_MIGRATE_POSTCOPY with permit_post_copy; VIR_MIGRATE_AUTO_CONVERGE with
 *   permit_auto_converge unless post-copy is permitted (_handle_live_migration_auto_converge); live_migration_bandwidth
 *   (MiB/s) passed to migrate, 0 = the hypervisor's choice (livemig keeps its max-bandwidth).
 * Not modelled: the time get_job_info and the loop take (elapsed is exactly n × 0.5 s), the disk copy of a block
 * migration (disk_gib only enters data_gb), live_migration_parallel_connections.
 */
export class NovaManager implements Manager {
  readonly name = 'nova';
  readonly firstPollMs = 0;
  readonly pollIntervalMs = NOVA_POLL_MS;
  readonly dataGb: number;
  readonly steps: [number, number][];
  /** int(live_migration_completion_timeout × data_gb), seconds (0 = no timeout). */
  readonly completionTimeoutS: number;
  private curDowntime: number | null = null;
  private forceCompleteQueued = false;

  constructor(readonly conf: NovaConf, memoryBytes: number) {
    this.dataGb = novaDataGb(memoryBytes, conf.disk_gib);
    this.steps = novaDowntimeSteps(conf, this.dataGb);
    this.completionTimeoutS = Math.trunc(conf.live_migration_completion_timeout * this.dataGb);
  }

  /** Whether nova turns on QEMU's auto-converge (not when post-copy is permitted). */
  static autoConverge(conf: NovaConf): boolean {
    return conf.live_migration_permit_auto_converge && !conf.live_migration_permit_post_copy;
  }

  describe(): Record<string, unknown> {
    return { ...this.conf, data_gb: this.dataGb, completion_timeout_s: this.completionTimeoutS, downtime_steps: this.steps };
  }

  start(ctx: ManagementContext): void {
    if (this.conf.live_migration_permit_post_copy) ctx.noteCapability('postcopy-ram', 'live_migration_permit_post_copy: VIR_MIGRATE_POSTCOPY');
    if (NovaManager.autoConverge(this.conf)) ctx.noteCapability('auto-converge', 'live_migration_permit_auto_converge: VIR_MIGRATE_AUTO_CONVERGE');
    else if (this.conf.live_migration_permit_auto_converge) ctx.noteCapability('no auto-converge', 'post-copy is permitted, so nova leaves auto-converge off');
    if (this.conf.live_migration_bandwidth > 0) ctx.setMaxBandwidth(this.conf.live_migration_bandwidth * MiB, `live_migration_bandwidth = ${this.conf.live_migration_bandwidth} MiB/s`);
  }

  onPoll(tMs: number, ctx: ManagementContext): void {
    const elapsed = tMs / 1000;
    if (this.forceCompleteQueued) {
      this.forceCompleteQueued = false;
      if (ctx.postcopyActive) {
        // "already switched to post-copy mode"
      } else if (this.conf.live_migration_permit_post_copy) {
        ctx.startPostcopy(`force-complete: post-copy permitted (queued after the ${this.completionTimeoutS} s completion timeout)`);
      } else if (!ctx.paused) {
        ctx.pauseGuest(`force-complete: post-copy not permitted, so the guest is paused (queued after the ${this.completionTimeoutS} s completion timeout)`);
      }
    }
    if (this.completionTimeoutS !== 0 && !ctx.postcopyActive && elapsed > this.completionTimeoutS) {
      if (this.conf.live_migration_timeout_action === 'force_complete') {
        this.forceCompleteQueued = true;
      } else {
        ctx.abort(`live_migration_completion_timeout: not completed after ${this.completionTimeoutS} s (${this.conf.live_migration_completion_timeout} s × ${this.dataGb} GiB)`);
        return;
      }
    }
    let index = -1;
    for (let i = 0; i < this.steps.length; i++) if (elapsed > this.steps[i]![0]) index = i;
    if (index < 0 || this.steps[index]![1] === this.curDowntime) return;
    const [at, ms] = this.steps[index]!;
    this.curDowntime = ms;
    ctx.setDowntimeLimit(ms, `downtime step ${index} of ${this.steps.length - 1}: elapsed > ${at} s`);
  }
}
