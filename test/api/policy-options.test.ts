/**
 * Policies that set scenario options: ALGORITHM{option=value,...}[+CONTROLLER], and Policy.options in the
 * library and experiment files. The oracle for every run is migrate() called with the same options directly.
 */
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/api/compare.js';
import { migrate } from '../../src/api/migrate.js';
import { parsePolicy, policyLabel, policyScenario } from '../../src/api/policy.js';
import { InvalidOptionError } from '../../src/errors/index.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { MiB } from '../../src/units.js';
import { runCli } from '../cli/helpers.js';

const BASE = { memoryBytes: 64 * MiB, maxTimeMs: 20_000, workload: { kind: 'hot-cold' as const, writesPerSec: 4000 } };

function refusal(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidOptionError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('the braces of a policy', () => {
  it('read each value by its row\'s unit, under the flag name or the migrate() name', () => {
    const p = parsePolicy('qemu{downtime-limit=1.5s,maxBandwidthBytesPerSec=1Gbit/s,max-data=2GiB}+auto-converge');
    expect(p.options).toEqual({ downtimeLimitMs: 1500, maxBandwidthBytesPerSec: 125_000_000, maxDataBytes: 2 * 1024 * MiB });
    expect(p.algorithm).toBe('qemu');
    expect(p.controller).toBe('auto-converge');
  });

  it('turn a bare boolean on, and read true/false/on/off with a value', () => {
    expect(parsePolicy('qemu{switchover-ack}').options).toEqual({ switchoverAck: true });
    expect(parsePolicy('xen{xen-skip=off}').options).toEqual({ xenSkipRule: false });
    expect(parsePolicy('xen{xenSkipRule=true}').options).toEqual({ xenSkipRule: true });
    expect(refusal(() => parsePolicy('xen{xen-skip=maybe}')).accepted).toMatch(/true or false/);
  });

  it('name the bad key with a suggestion, and refuse what is not a policy\'s to set', () => {
    const e = refusal(() => parsePolicy('qemu{downtimeLimit=1s}', '--policies'));
    expect(e.field).toBe('--policies qemu{…} option');
    expect(e.value).toBe('downtimeLimit');
    expect(e.accepted).toMatch(/did you mean downtime-limit\?/);
    for (const k of ['seed=2', 'algorithm=xen', 'controller=sdps', 'workload=idle']) expect(() => parsePolicy(`qemu{${k}}`)).toThrow(InvalidOptionError);
    expect(refusal(() => parsePolicy('qemu{downtime-limit}')).accepted).toMatch(/needs a value/);
    expect(refusal(() => parsePolicy('qemu{downtime-limit=1s,downtimeLimitMs=2s}')).accepted).toMatch(/set twice/);
    expect(() => parsePolicy('qemu{}')).toThrow(InvalidOptionError);
    expect(() => parsePolicy('qemu{max-time=1s}{max-data=1MiB}')).toThrow(InvalidOptionError);
    expect(refusal(() => parsePolicy('qemu{downtime-limit=-1s}')).field).toBe('policy qemu{…} (downtime-limit)');
  });

  it('label an object policy by its text form, which parses back to the same policy', () => {
    const p = { algorithm: 'qemu' as const, options: { maxBandwidthBytesPerSec: 125_000_000, switchoverAck: true, downtimeLimitMs: 500 }, controller: 'auto-converge' as const };
    const label = policyLabel(p);
    expect(label).toBe('qemu{downtime-limit=500ms,max-bandwidth=1Gbit/s,switchover-ack}+auto-converge');
    const back = parsePolicy(label);
    expect(back.options).toEqual(p.options);
    expect(back.controller).toBe('auto-converge');
    expect(policyLabel({ algorithm: 'xen' })).toBe('xen');
  });
});

describe('compare() with policy options', () => {
  it('runs each policy on the base with its options on top, and only its own', () => {
    const rows = compare(BASE, ['qemu', 'qemu{downtime-limit=2s}', { algorithm: 'qemu', options: { maxBandwidthBytesPerSec: 32 * MiB } }]);
    expect(rows.map((r) => r.policy)).toEqual(['qemu', 'qemu{downtime-limit=2s}', 'qemu{max-bandwidth=32MiB/s}']);
    expect(JSON.stringify(rows[0]!.report)).toBe(JSON.stringify(migrate({ ...BASE, algorithm: 'qemu' })));
    expect(JSON.stringify(rows[1]!.report)).toBe(JSON.stringify(migrate({ ...BASE, algorithm: 'qemu', downtimeLimitMs: 2000 })));
    expect(JSON.stringify(rows[2]!.report)).toBe(JSON.stringify(migrate({ ...BASE, maxBandwidthBytesPerSec: 32 * MiB })));
    expect(rows[1]!.report.scenario.downtimeLimitMs).toBe(2000);
    expect(rows[2]!.report.scenario.downtimeLimitMs).toBe(300);
  });

  it('refuses an options object with a key a policy does not set, naming the policy', () => {
    const e = refusal(() => compare(BASE, [{ algorithm: 'qemu', options: { seed: 3 } as never }]));
    expect(e.field).toBe('policies[0].options option');
    expect(() => policyScenario({}, { algorithm: 'qemu', options: null as never })).toThrow(/policy\.options/);
  });
});

describe('policy options in experiment files', () => {
  const file = (policies: unknown[]) => ({ name: 'p', base: { memoryBytes: 64 * MiB }, axes: { bandwidthBytesPerSec: [1e8, 2e8] }, policies });

  it('set the options of that policy\'s runs, over the base and the axes', () => {
    const e = checkExperiment(file(['qemu', 'qemu{downtime-limit=1s}+auto-converge', { algorithm: 'xen', options: { xenSkipRule: false } }]));
    expect(e.runs.map((r) => r.policy)).toEqual(['qemu', 'qemu{downtime-limit=1s}+auto-converge', 'xen{xen-skip=false}'].flatMap((p) => [p]).concat(['qemu', 'qemu{downtime-limit=1s}+auto-converge', 'xen{xen-skip=false}']));
    expect(e.runs[1]!.options.downtimeLimitMs).toBe(1000);
    expect(e.runs[0]!.options.downtimeLimitMs).toBeUndefined();
    expect(e.runs[2]!.options.xenSkipRule).toBe(false);
    expect(e.runs[5]!.options.bandwidthBytesPerSec).toBe(2e8);
  });

  it('name the policy and the option when one is wrong, or clashes with an axis value', () => {
    expect(() => checkExperiment(file([{ algorithm: 'qemu', options: { downtimeLimitMs: -1 } }]))).toThrow(/policies\[0\]\.options\.downtimeLimitMs/);
    expect(() => checkExperiment(file([{ algorithm: 'qemu', options: { nope: 1 } }]))).toThrow(/policies\[0\]\.options/);
    const clash = { name: 'c', base: { memoryBytes: 64 * MiB }, axes: { maxTimeMs: [1000] }, policies: [{ algorithm: 'qemu', options: { maxDataBytes: 0.5 } }] };
    expect(() => checkExperiment(clash)).toThrow(/maxDataBytes/);
  });
});

describe('livemig compare --policies with braces', () => {
  it('keeps commas inside braces and runs each policy with its options', async () => {
    const r = await runCli('compare', '--memory', '64MiB', '--max-time', '20s', '--policies', 'qemu,qemu{downtime-limit=2s,max-bandwidth=1Gbit/s}', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { policies: { label: string }[]; runs: { report: { scenario: { downtimeLimitMs: number; maxBandwidthBytesPerSec: number } } }[] };
    const out = { policies: json.policies, reports: json.runs.map((x) => x.report) };
    expect(out.policies.map((p) => p.label)).toEqual(['qemu', 'qemu{downtime-limit=2s,max-bandwidth=1Gbit/s}']);
    expect(out.reports[1]!.scenario.downtimeLimitMs).toBe(2000);
    expect(out.reports[1]!.scenario.maxBandwidthBytesPerSec).toBe(125_000_000);
    expect(out.reports[0]!.scenario.downtimeLimitMs).toBe(300);
  });

  it('exits 2 naming the key of a bad option', async () => {
    const r = await runCli('compare', '--policies', 'qemu{downtime-limt=2s}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/downtime-limt.*did you mean downtime-limit/);
  });
});

describe('a management layer in a policy', () => {
  it('is set once: in the braces or after @, not both', () => {
    expect(parsePolicy('qemu{management=nova}').options).toEqual({ management: 'nova' });
    expect(refusal(() => parsePolicy('qemu{management=nova}@kubevirt')).accepted).toMatch(/once/);
  });

  it('in braces is checked where it is typed, naming the policy key', () => {
    const e = refusal(() => parsePolicy('qemu{management=bogus}', '--policies'));
    expect(e.field).toBe('--policies qemu{…} (management)');
  });
});
