import { MiB } from '../../units.js';
import type { Manager, ManagementContext } from '../../model/management.js';
import type { ManagerParams } from '../../model/managers.js';

/** The virsh migrate options the policy reads (declared in src/model/managers.ts); timeout is required, so checked non-null. */
export type LibvirtTimeoutConf = Omit<ManagerParams<'libvirt-timeout'>, 'timeout'> & { timeout: number };

/**
 * virsh migrate --timeout SECONDS [--timeout-suspend | --timeout-postcopy], libvirt tools/virsh-domain.c (cmdMigrate
 * arms a one-shot timer; virshMigrateTimeout runs the action) and docs/manpages/virsh.rst: once the migration has
 * run `timeout` seconds, suspend the guest (virDomainSuspend; the default action) or switch to postcopy
 * (virDomainMigrateStartPostCopy, which needs --postcopy). The action runs once, at exactly `timeout` s.
 * --postcopy and --auto-converge set the capabilities, --bandwidth QEMU's max-bandwidth in MiB/s.
 */
export class LibvirtTimeoutManager implements Manager {
  readonly name = 'libvirt-timeout';
  readonly firstPollMs: number;
  readonly pollIntervalMs = Number.POSITIVE_INFINITY;

  constructor(readonly conf: LibvirtTimeoutConf) {
    this.firstPollMs = conf.timeout * 1000;
  }

  describe(): Record<string, unknown> {
    return { ...this.conf, action: this.conf['timeout-postcopy'] ? 'postcopy' : 'suspend' };
  }

  start(ctx: ManagementContext): void {
    if (this.conf.postcopy) ctx.noteCapability('postcopy-ram', '--postcopy: VIR_MIGRATE_POSTCOPY');
    if (this.conf['auto-converge']) ctx.noteCapability('auto-converge', '--auto-converge: VIR_MIGRATE_AUTO_CONVERGE');
    if (this.conf.bandwidth > 0) ctx.setMaxBandwidth(this.conf.bandwidth * MiB, `--bandwidth ${this.conf.bandwidth} (MiB/s)`);
  }

  onPoll(_tMs: number, ctx: ManagementContext): void {
    if (ctx.postcopyActive) return;
    if (this.conf['timeout-postcopy']) ctx.startPostcopy(`--timeout ${this.conf.timeout} --timeout-postcopy`);
    else if (!ctx.paused) ctx.pauseGuest(`--timeout ${this.conf.timeout}${this.conf['timeout-suspend'] ? ' --timeout-suspend' : ''}: suspending the guest`);
  }
}
