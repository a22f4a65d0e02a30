import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { HEADLINE } from '../../src/scenarios/presets.js';

// The management layers' postcopy paths, through the postcopy the engine models (branch post): the layer's
// postcopy flag turns on postcopy-ram, and its switch is a migrate-start-postcopy the qemu algorithm acts on at its
// next iteration (the report's postcopy block says trigger 'management').
const base = { ...HEADLINE.base, maxTimeMs: 600_000 };

function switchEvent(management: string) {
  const r = migrate({ ...base, management });
  const ev = r.management!.events;
  return { r, ev, pc: r.summary.postcopy, postcopy: ev.find((e) => e.kind === 'postcopy') };
}

describe('management layers switching to postcopy', () => {
  it('nova force_complete with post-copy permitted switches at the poll after the timeout, instead of pausing', () => {
    const { r, ev, pc, postcopy } = switchEvent('nova:live_migration_permit_post_copy=true,live_migration_timeout_action=force_complete,live_migration_completion_timeout=10');
    expect(r.scenario.postcopyRam).toBe(true);
    expect(ev[0]).toMatchObject({ kind: 'capability', value: 'postcopy-ram' });
    expect(postcopy!.tMs).toBe(21_000);
    expect(ev.some((e) => e.kind === 'pause')).toBe(false);
    expect(r.status).toBe('completed');
    expect(pc!.trigger).toBe('management');
    expect(pc!.switchAtMs).toBe(postcopy!.appliedMs);
    expect(pc!.switchAtMs - postcopy!.tMs).toBeLessThanOrEqual(50 + 1e-9);
  });

  it("nova leaves auto-converge off when post-copy is permitted (and aborts on 'abort')", () => {
    const { r, ev } = switchEvent('nova:live_migration_permit_post_copy=true,live_migration_permit_auto_converge=true,live_migration_completion_timeout=10');
    expect(r.summary.controller).toBe('none');
    expect(ev.map((e) => e.kind)).toContain('abort');
  });

  it('KubeVirt allowPostCopy switches at the first poll past the completion timeout (15 s: at 16.0 s, not 15.6 s)', () => {
    const { r, postcopy, pc } = switchEvent('kubevirt:allowPostCopy=true,completionTimeoutPerGiB=5');
    expect(postcopy!.tMs).toBe(16_000);
    expect(r.status).toBe('completed');
    expect(pc!.trigger).toBe('management');
  });

  it('virsh --timeout 30 --timeout-postcopy switches at exactly 30 s', () => {
    const { postcopy, pc } = switchEvent('libvirt-timeout:timeout=30,timeout-postcopy,postcopy');
    expect(postcopy!.tMs).toBe(30_000);
    // requested within the send burst the poll fell in, switched at the algorithm's next iteration
    expect(pc!.requestedAtMs).toBeGreaterThanOrEqual(30_000);
    expect(pc!.switchAtMs - 30_000).toBeLessThanOrEqual(100);
  });

  it('the management layer stops acting once the migration is in postcopy (no ramp step after the switch)', () => {
    const { ev, pc } = switchEvent('nova:live_migration_permit_post_copy=true,live_migration_timeout_action=force_complete,live_migration_completion_timeout=1,live_migration_downtime_delay=3');
    expect(ev.filter((e) => e.tMs > pc!.switchAtMs)).toEqual([]);
  });
});
