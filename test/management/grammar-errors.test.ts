import { describe, expect, it } from 'vitest';
import { compare } from '../../src/api/compare.js';
import { migrate } from '../../src/api/migrate.js';
import { parsePolicy, policyLabel } from '../../src/api/policy.js';
import { InvalidOptionError } from '../../src/errors/index.js';
import { parseManagementSpec } from '../../src/model/managers.js';
import { HEADLINE } from '../../src/scenarios/presets.js';
import { runCli } from '../cli/helpers.js';

describe('the policy grammar: ALGORITHM[+CONTROLLER[:k=v,...]][@MANAGER[:k=v,...]]', () => {
  it('reads the management layer after @, its commas its own', () => {
    const p = parsePolicy('qemu+auto-converge:initialPct=30@nova:live_migration_completion_timeout=400,live_migration_downtime=400');
    expect(p.algorithm).toBe('qemu');
    expect(p.controller).toEqual({ name: 'auto-converge', initialPct: 30 });
    expect(p.options).toEqual({ management: 'nova:live_migration_completion_timeout=400,live_migration_downtime=400' });
    expect(policyLabel({ algorithm: 'qemu', options: { management: 'kubevirt' } })).toBe('qemu@kubevirt');
    expect(policyLabel({ algorithm: 'qemu', options: { downtimeLimitMs: 500, management: 'kubevirt' }, controller: 'sdps' })).toMatch(/^qemu\{.*\}\+sdps@kubevirt$/);
    expect(parsePolicy('qemu').options).toBeUndefined();
    // braces and a management layer together
    expect(parsePolicy('qemu{downtime-limit=400ms}+auto-converge@kubevirt').options).toEqual({ downtimeLimitMs: 400, management: 'kubevirt' });
  });

  it('compare runs each policy under its own layer, with the same guest and seed', () => {
    const [plain, nova] = compare({ ...HEADLINE.base, maxTimeMs: 30_000 }, ['qemu', 'qemu@nova:live_migration_completion_timeout=5']);
    expect(plain!.report.management).toBeUndefined();
    expect(plain!.report.summary.status === 'cancelled' && plain!.report.summary.reason).toBe('max-time');
    expect(nova!.report.summary.status === 'cancelled' && nova!.report.summary.reason).toBe('aborted');
    expect(nova!.report.management!.events.at(-1)!.tMs).toBe(10_500);
  });

  it('a layer that never acts leaves the migration exactly as it was', () => {
    const o = { ...HEADLINE.base, maxTimeMs: 20_000 };
    const plain = migrate(o);
    const idle = migrate({ ...o, management: 'kubevirt:completionTimeoutPerGiB=0,progressTimeout=0' });
    expect(idle.summary).toEqual(plain.summary);
    expect(idle.rounds).toEqual(plain.rounds);
    expect(idle.management!.events).toEqual([]);
  });
});

describe('events in the round table and the JSON report', () => {
  it("run's table puts each change and the final action under its round; --json has them in management.events", async () => {
    const args = ['run', '--preset', 'headline', '--management', 'nova:live_migration_completion_timeout=2', '--max-time', '10s', '--all-rounds'];
    const t = await runCli(...args);
    expect(t.code).toBe(0);
    const lines = t.stdout.split('\n');
    const step = lines.findIndex((l) => /> 0\.500 s {2}downtime-limit 50 ms: downtime step 0 of 10: elapsed > 0 s \(applied at \d/.test(l));
    const abort = lines.findIndex((l) => /> 4\.500 s {2}abort: live_migration_completion_timeout: not completed after 4 s/.test(l));
    expect(step).toBeGreaterThan(0);
    expect(abort).toBeGreaterThan(step);
    // under the round in progress then: the line above is a round row (or another event)
    expect(lines[step - 1]).toMatch(/^\s+1\s+live/);
    expect(t.stdout).toMatch(/status\s+aborted \(management\)/);
    expect(t.stdout).toMatch(/management\s+nova: abort at 4\.500 s/);
    const j = JSON.parse((await runCli(...args, '--json')).stdout) as { management: { name: string; events: { kind: string; tMs: number }[] } };
    expect(j.management.name).toBe('nova');
    expect(j.management.events.map((e) => [e.kind, e.tMs])).toEqual([['downtime-limit', 500], ['abort', 4500]]);
  });
});

describe('bad management input', () => {
  it('an unknown nova option gets a did-you-mean and the list of options, naming the field', () => {
    const err = (() => { try { parseManagementSpec('nova:live_migration_completion_timout=400'); } catch (e) { return e; } })() as InvalidOptionError;
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(err.field).toBe('management parameter');
    expect(err.accepted).toMatch(/did you mean live_migration_completion_timeout\?/);
    expect(err.accepted).toMatch(/live_migration_downtime_steps/);
    // a KubeVirt name given to nova is named as such
    expect(() => parseManagementSpec('nova:progressTimeout=3')).toThrow(/progressTimeout is a kubevirt parameter/);
    expect(() => parseManagementSpec('nvoa')).toThrow(/did you mean nova\?/);
  });

  it('out-of-range and malformed values name the key and the accepted range', () => {
    expect(() => parseManagementSpec('nova:live_migration_downtime_steps=2')).toThrow(/invalid management \(live_migration_downtime_steps\): 2; expected an integer >= 3/);
    expect(() => parseManagementSpec('nova:live_migration_timeout_action=pause')).toThrow(/one of abort, force_complete/);
    expect(() => parseManagementSpec('nova:live_migration_permit_post_copy=yes')).toThrow(/true or false/);
    expect(() => parseManagementSpec('nova:live_migration_downtime')).toThrow(/a value/);
    expect(() => parseManagementSpec('nova:live_migration_downtime=1,live_migration_downtime=2')).toThrow(/given once/);
    expect(() => migrate({ management: 'nova', algorithm: 'xen' })).toThrow(/algorithm qemu/);
    expect(() => migrate({ management: null as unknown as string })).toThrow(InvalidOptionError);
  });

  it('the CLI exits 2 with the flag and the key named', async () => {
    const bad = await runCli('run', '--management', 'nova:live_migration_downtime_stesp=4');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --management parameter: "live_migration_downtime_stesp".*did you mean live_migration_downtime_steps/);
    const range = await runCli('run', '--management', 'kubevirt:progressTimeout=-1');
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/invalid --management \(progressTimeout\): -1; expected an integer >= 0 s/);
  });
});

describe('management values the engine would refuse mid-run are refused when read', () => {
  it('nova: live_migration_downtime_steps at most live_migration_downtime (the first step is downtime / steps ms)', () => {
    expect(parseManagementSpec('nova:live_migration_downtime=500,live_migration_downtime_steps=500')!.params['live_migration_downtime_steps']).toBe(500);
    expect(() => parseManagementSpec('nova:live_migration_downtime=500,live_migration_downtime_steps=501'))
      .toThrow(/live_migration_downtime_steps.*<= 500 \(live_migration_downtime/);
    expect(parseManagementSpec('nova:live_migration_downtime=20000,live_migration_downtime_steps=10000')).not.toBeNull();
    expect(() => parseManagementSpec('nova:live_migration_downtime=20000,live_migration_downtime_steps=10001')).toThrow(/<= 10000$/);
  });

  it('bandwidths in MiB/s at most the engine\'s 1e13 B/s', () => {
    for (const spec of ['nova:live_migration_bandwidth=', 'libvirt-timeout:timeout=1,bandwidth=']) {
      expect(parseManagementSpec(`${spec}9536743`)).not.toBeNull();
      expect(() => parseManagementSpec(`${spec}9536744`)).toThrow(InvalidOptionError);
    }
  });
});
