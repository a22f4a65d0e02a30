import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { parseManagementSpec } from '../../src/model/managers.js';
import { NOVA_POLL_MS, NovaManager, novaDataGb, novaDowntimeSteps, type NovaConf } from '../../src/policies/management/nova.js';
import { HEADLINE } from '../../src/scenarios/presets.js';
import { GiB } from '../../src/units.js';
import { FakeManagementContext } from './fake-context.js';

// nova's ramp (nova/virt/libvirt/migration.py downtime_steps, documented in its docstring and in
// nova/conf/libvirt.py): delay = int(delay × data_gb) s between steps; the values go linearly from
// downtime / steps up to downtime in `steps` steps. The oracle is that formula in exact rational arithmetic:
// value_i = floor(D·(N + (N − 1)·i) / N²), time_i = delay·i.

function conf(over: Partial<NovaConf> = {}): NovaConf {
  return { ...(parseManagementSpec('nova')!.params as unknown as NovaConf), ...over };
}

function rationalSteps(D: number, N: number, delayPerGiB: number, dataGb: number): [number, number][] {
  const delay = Math.floor(delayPerGiB * dataGb);
  return Array.from({ length: N + 1 }, (_, i) => [delay * i, Number((BigInt(D) * BigInt(N + (N - 1) * i)) / BigInt(N * N))] as [number, number]);
}

describe("nova's downtime ramp (downtime_steps)", () => {
  it("gives the docstring's series for 400 ms, 10 steps, 30 s delay and 3 GB", () => {
    const steps = novaDowntimeSteps({ live_migration_downtime: 400, live_migration_downtime_steps: 10, live_migration_downtime_delay: 30 }, 3);
    expect(steps.map(([, ms]) => ms)).toEqual([40, 76, 112, 148, 184, 220, 256, 292, 328, 364, 400]);
    expect(steps.map(([t]) => t)).toEqual([0, 90, 180, 270, 360, 450, 540, 630, 720, 810, 900]);
  });

  it('matches the formula in exact arithmetic over a grid of settings', () => {
    for (const D of [100, 101, 333, 400, 500, 777, 1000]) {
      for (const N of [3, 4, 7, 10, 13, 100]) {
        for (const delay of [3, 30, 75]) {
          for (const gb of [2, 2.5, 3, 3.25, 5.125]) {
            expect(novaDowntimeSteps({ live_migration_downtime: D, live_migration_downtime_steps: N, live_migration_downtime_delay: delay }, gb)).toEqual(rationalSteps(D, N, delay, gb));
          }
        }
      }
    }
  });

  it("truncates the doubles as Python's int() does, even where exact arithmetic would round up", () => {
    // python3: int(2000000/13 + (2000000 - 2000000/13)/13*13) == 1999999 (nova's float arithmetic; exact is 2000000).
    const last = novaDowntimeSteps({ live_migration_downtime: 2_000_000, live_migration_downtime_steps: 13, live_migration_downtime_delay: 3 }, 2).at(-1)!;
    expect(last[1]).toBe(1_999_999);
  });

  it('counts RAM and a block-migrated disk as at least 2 GiB each (_live_migration_data_gb)', () => {
    expect(novaDataGb(1 * GiB, 0)).toBe(2);
    expect(novaDataGb(2 * GiB, 0)).toBe(2);
    expect(novaDataGb(2.5 * GiB, 0)).toBe(2.5);
    expect(novaDataGb(2 * GiB, 1)).toBe(4);
    expect(novaDataGb(3 * GiB, 5)).toBe(8);
  });

  it("enforces nova.conf's minimums: downtime 100 ms, steps 3, delay 3 s, completion timeout 0 (neighbours accepted)", () => {
    expect(() => parseManagementSpec('nova:live_migration_downtime=99')).toThrow(/live_migration_downtime.*>= 100 ms/);
    expect(parseManagementSpec('nova:live_migration_downtime=100')!.params['live_migration_downtime']).toBe(100);
    expect(() => parseManagementSpec('nova:live_migration_downtime_steps=2')).toThrow(/>= 3/);
    expect(parseManagementSpec('nova:live_migration_downtime_steps=3')!.params['live_migration_downtime_steps']).toBe(3);
    expect(() => parseManagementSpec('nova:live_migration_downtime_delay=2')).toThrow(/>= 3 s/);
    expect(parseManagementSpec('nova:live_migration_downtime_delay=3')!.params['live_migration_downtime_delay']).toBe(3);
    expect(() => parseManagementSpec('nova:live_migration_completion_timeout=-1')).toThrow(/>= 0 s/);
  });

  it("has nova's defaults", () => {
    expect(parseManagementSpec('nova')!.params).toEqual({
      live_migration_downtime: 500, live_migration_downtime_steps: 10, live_migration_downtime_delay: 75, live_migration_completion_timeout: 800,
      live_migration_timeout_action: 'abort', live_migration_permit_post_copy: false, live_migration_permit_auto_converge: false, live_migration_bandwidth: 0, disk_gib: 0,
    });
  });
});

/** Polls a nova monitor every 0.5 s up to `untilMs`, returning what it did at each poll. */
function pollNova(c: NovaConf, memoryBytes: number, untilMs: number): Map<number, string[]> {
  const m = new NovaManager(c, memoryBytes);
  const f = new FakeManagementContext();
  m.start(f.ctx);
  f.take();
  const out = new Map<number, string[]>();
  for (let t = m.firstPollMs; t <= untilMs; t += m.pollIntervalMs) {
    m.onPoll(t, f.ctx);
    const did = f.take();
    if (did.length > 0) out.set(t, did);
  }
  return out;
}

describe("nova's monitor loop (_live_migration_monitor)", () => {
  it('polls every 500 ms from the start and sets each step at the first poll strictly after its time', () => {
    expect(NOVA_POLL_MS).toBe(500);
    const acts = pollNova(conf({ live_migration_completion_timeout: 0 }), 2 * GiB, 1_600_000);
    // 2 GiB: delay int(75 × 2) = 150 s; values 50 + 45 i.
    expect(acts.get(0)).toBeUndefined();
    expect(acts.get(500)).toEqual(['downtime 50']);
    expect(acts.get(150_000)).toBeUndefined(); // elapsed 150 is not > 150
    expect(acts.get(150_500)).toEqual(['downtime 95']);
    expect(acts.get(1_500_500)).toEqual(['downtime 500']);
    expect([...acts.keys()]).toEqual([500, ...Array.from({ length: 10 }, (_, i) => 150_000 * (i + 1) + 500)]);
  });

  it('aborts at the first poll after int(completion_timeout × data_gb) s, not at it', () => {
    const acts = pollNova(conf({ live_migration_completion_timeout: 10 }), 2 * GiB, 30_000);
    expect(acts.get(20_000)).toBeUndefined(); // elapsed 20 is not > 20
    expect(acts.get(20_500)).toEqual(['abort']);
    const frac = pollNova(conf({ live_migration_completion_timeout: 10 }), 2.55 * GiB, 30_000);
    // int(10 × 2.55) = 25 s (Python truncates)
    expect([...frac.entries()].find(([, a]) => a.includes('abort'))![0]).toBe(25_500);
  });

  it('force_complete queues a task: the pause comes at the next poll, once', () => {
    const acts = pollNova(conf({ live_migration_completion_timeout: 10, live_migration_timeout_action: 'force_complete' }), 2 * GiB, 30_000);
    expect(acts.get(20_500)).toBeUndefined();
    expect(acts.get(21_000)).toEqual(['pause']);
    expect([...acts.values()].flat().filter((a) => a === 'pause')).toHaveLength(1);
  });

  it('never times out with live_migration_completion_timeout = 0', () => {
    const acts = pollNova(conf({ live_migration_completion_timeout: 0 }), 2 * GiB, 4_000_000);
    expect([...acts.values()].flat().filter((a) => !a.startsWith('downtime'))).toEqual([]);
  });

  it('passes live_migration_bandwidth in MiB/s and turns auto-converge on only without post-copy', () => {
    const f = new FakeManagementContext();
    new NovaManager(conf({ live_migration_bandwidth: 100, live_migration_permit_auto_converge: true }), 2 * GiB).start(f.ctx);
    expect(f.take()).toEqual(['capability auto-converge', `bandwidth ${100 * 2 ** 20}`]);
    expect(NovaManager.autoConverge(conf({ live_migration_permit_auto_converge: true, live_migration_permit_post_copy: true }))).toBe(false);
  });
});

describe('nova in a whole migration (the headline guest, which never converges by itself)', () => {
  const base = { ...HEADLINE.base, maxTimeMs: 2_000_000 };

  it('ramps the downtime limit as downtime_steps says, then aborts at 1600.5 s; the guest keeps running', () => {
    const r = migrate({ ...base, management: 'nova' });
    expect(r.status).toBe('cancelled');
    expect(r.summary.status === 'cancelled' && r.summary.reason).toBe('aborted');
    const events = r.management!.events;
    const ramp = novaDowntimeSteps(conf(), 2);
    expect(events.filter((e) => e.kind === 'downtime-limit').map((e) => [e.tMs, e.value])).toEqual(ramp.map(([t, ms]) => [t * 1000 + 500, ms]));
    const abort = events.at(-1)!;
    expect(abort.kind).toBe('abort');
    expect(abort.tMs).toBe(1_600_500);
    // QEMU notices the cancel at the end of the send burst in flight (at most 50 ms).
    expect(r.summary.totalTimeMs).toBe(abort.appliedMs);
    expect(r.summary.totalTimeMs - abort.tMs).toBeLessThanOrEqual(50 + 1e-9);
    // Each downtime limit is read by QEMU at the next closed window (after at least one more 100 ms).
    for (const e of events.filter((x) => x.kind === 'downtime-limit')) expect(e.appliedMs! - e.tMs).toBeGreaterThan(0);
  });

  it('force_complete pauses the guest: pre-copy finishes with nothing dirtied and the downtime runs from the pause', () => {
    const r = migrate({ ...base, management: 'nova:live_migration_completion_timeout=10,live_migration_timeout_action=force_complete' });
    expect(r.status).toBe('completed');
    const pause = r.management!.events.find((e) => e.kind === 'pause')!;
    expect(pause.tMs).toBe(21_000);
    expect(r.summary.downtimeMs).toBe(r.summary.totalTimeMs - pause.appliedMs!);
    const last = r.rounds.at(-1)!;
    expect(r.summary.downtimeMs!).toBeGreaterThan(last.endMs - last.startMs);
  });

  it('permit_auto_converge turns on the auto-converge controller, and it converges', () => {
    const r = migrate({ ...base, management: 'nova:live_migration_permit_auto_converge=true' });
    expect(r.summary.controller).toBe('auto-converge');
    expect(r.status).toBe('completed');
    const same = migrate({ ...base, controller: 'auto-converge', management: 'nova:live_migration_permit_auto_converge=true' });
    expect(same.summary).toEqual(r.summary);
  });
});
