import { WORKLOAD_TABLE } from '../../src/model/workloads.js';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addScenarioFlags, migrateFromFlags, toMigrationOptions, type ScenarioFlags } from '../../src/cli/flags.js';
import { resolveOptions } from '../../src/api/resolve.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { CapacityError, InvalidOptionError, LivemigError } from '../../src/errors/index.js';
import { helpEntries, runCli } from './helpers.js';

/** The options `livemig run <args>` would migrate with. */
function optionsFor(...args: string[]): MigrationOptions {
  const command = addScenarioFlags(new Command('run')).exitOverride();
  command.parse(args, { from: 'user' });
  return toMigrationOptions(command.opts<ScenarioFlags>());
}

function errorFor(run: () => unknown): LivemigError {
  try {
    run();
  } catch (err) {
    if (err instanceof LivemigError) return err;
    throw err;
  }
  throw new Error('expected a LivemigError');
}


/** The workload flags the default workload (hot-cold) does not have. */
const OTHER_KINDS_FLAGS = new Set(
  Object.values(WORKLOAD_TABLE).flatMap((k) => Object.values(k.fields as Record<string, { flag?: string }>).map((f) => f.flag))
    .filter((f): f is string => f !== undefined && !Object.values(WORKLOAD_TABLE['hot-cold'].fields as Record<string, { flag?: string }>).some((g) => g.flag === f)),
);

describe('scenario flags to migration options', () => {
  it('leaves every option to the library default when no flag is given', () => {
    expect(resolveOptions(optionsFor()).scenario).toEqual(resolveOptions({}).scenario);
  });

  it('states in --help exactly the defaults the library uses', async () => {
    const { stdout } = await runCli('run', '--help');
    const args: string[] = [];
    for (const [flag, text] of helpEntries(stdout)) {
      const value = /\(default: ([^)]+)\)$/.exec(text)?.[1];
      // One-word defaults are values a user could type; 'no limit', 'start of memory' and the like describe an absent flag.
      // A switch that is off by default ('off') is given by leaving it out; flags of workload kinds other than the
      // default one are refused with the default workload.
      if (OTHER_KINDS_FLAGS.has(flag)) continue;
      if (value !== undefined && value !== 'off' && !value.includes(' ') && !flag.startsWith('--no-') && flag !== '--json' && flag !== '--all-rounds') args.push(flag, value);
    }
    expect(args).toEqual(expect.arrayContaining(['--memory', '--bandwidth', '--write-rate', '--max-time', '--algorithm', '--workload']));
    expect(resolveOptions(optionsFor(...args)).scenario).toEqual(resolveOptions({}).scenario);
  });

  it('maps each flag to its option in the library units', () => {
    expect(optionsFor(
      '--memory', '8GiB', '--page-size', '8KiB', '--populated', '0.25', '--vcpus', '4',
      '--bandwidth', '10Gbit/s', '--algorithm', 'xen', '--downtime-limit', '1.5s', '--max-bandwidth', '1GB/s',
      '--setup-time', '20ms', '--resume-time', '1ms', '--device-state', '1MiB', '--max-time', '2min', '--max-data', '16GB',
      '--no-xen-skip', '--seed', '42',
    )).toMatchObject({
      memoryBytes: 8589934592, pageSize: 8192, populatedFraction: 0.25, vcpus: 4,
      bandwidthBytesPerSec: 1.25e9, algorithm: 'xen', downtimeLimitMs: 1500, maxBandwidthBytesPerSec: 1e9,
      setupTimeMs: 20, resumeTimeMs: 1, deviceStateBytes: 1048576, maxTimeMs: 120_000, maxDataBytes: 16e9,
      xenSkipRule: false, seed: 42,
    });
  });

  it('builds the workload spec from the workload flags', () => {
    expect(optionsFor().workload).toEqual({ kind: 'hot-cold', writesPerSec: 25000 });
    expect(optionsFor('--workload', 'hot-cold', '--hot-fraction', '0.1', '--hot-probability', '0.5', '--region-start', '0.5').workload)
      .toEqual({ kind: 'hot-cold', writesPerSec: 25000, regionStart: 0.5, hotFraction: 0.1, hotProbability: 0.5 });
    expect(optionsFor('--workload', 'uniform', '--write-rate', '1000pages/s', '--region-size', '0.25').workload)
      .toEqual({ kind: 'uniform', writesPerSec: 1000, regionSize: 0.25 });
    expect(optionsFor('--workload', 'idle').workload).toEqual({ kind: 'idle' });
    expect(optionsFor('--workload', 'compute').workload).toEqual({ kind: 'compute' });
  });

  it('divides a byte write rate by the page size given', () => {
    expect(optionsFor('--write-rate', '100MiB/s').workload).toMatchObject({ writesPerSec: 25600 });
    expect(optionsFor('--page-size', '8KiB', '--write-rate', '100MiB/s').workload).toMatchObject({ writesPerSec: 12800 });
  });

  it.each([
    [['--algorithm', 'nope'], '--algorithm'],
    [['--workload', 'nope'], '--workload'],
    [['--workload', 'uniform', '--hot-fraction', '0.1'], '--hot-fraction'],
    [['--workload', 'sequential', '--hot-probability', '0.1'], '--hot-probability'],
    [['--workload', 'idle', '--write-rate', '10pages/s'], '--write-rate'],
    [['--workload', 'compute', '--region-start', '0.5'], '--region-start'],
    [['--write-rate', '25000'], '--write-rate'],
    [['--memory', '-1GiB'], '--memory'],
    [['--seed', 'one'], '--seed'],
  ])('refuses %j naming %s', (args, flag) => {
    const err = errorFor(() => optionsFor(...args));
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).field).toBe(flag);
  });
});

describe('migrateFromFlags', () => {
  it('runs the scenario', () => {
    const report = migrateFromFlags({ memory: '16MiB', bandwidth: '10Gbit/s' });
    expect(report.status).toBe('completed');
    expect(report.scenario.memoryBytes).toBe(16 * 1024 ** 2);
  });

  it.each([
    [{ pageSize: '3000B' }, '--page-size'],
    [{ bandwidth: '0' }, '--bandwidth'],
    [{ populated: '2' }, '--populated'],
    [{ vcpus: '2.5' }, '--vcpus'],
    [{ downtimeLimit: '0ms' }, '--downtime-limit'],
    [{ workload: 'uniform', writeRate: '1e11pages/s' }, '--write-rate'],
    [{ regionStart: '0.5', regionSize: '0.75' }, '--region-size'],
    [{ hotFraction: '0' }, '--hot-fraction'],
    [{ seed: '4294967296' }, '--seed'],
  ] as [ScenarioFlags, string][])('reports the library refusing %j under %s', (flags, flag) => {
    const err = errorFor(() => migrateFromFlags(flags));
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as InvalidOptionError).field).toBe(flag);
    expect(err.message).toMatch(new RegExp(`^invalid ${flag}: `));
  });

  it('reports a VM too large for the Wasm core under --memory', () => {
    const err = errorFor(() => migrateFromFlags({ memory: '64TiB' }));
    expect(err).toBeInstanceOf(CapacityError);
    expect((err as CapacityError).field).toBe('--memory');
  });
});

describe('--controller', () => {
  it('maps a bare name to the controller name, and name:key=value pairs to a spec with typed values', async () => {
    const { parseControllerSpec } = await import('../../src/api/policy.js');
    expect(parseControllerSpec('auto-converge', '--controller')).toBe('auto-converge');
    expect(parseControllerSpec('cpu-scheduling:targetRound=4,minShare=0.1,target=xen-50-pages', '--controller')).toEqual({
      name: 'cpu-scheduling', targetRound: 4, minShare: 0.1, target: 'xen-50-pages',
    });
    expect(parseControllerSpec('auto-converge:tailslow=true', '--controller')).toEqual({ name: 'auto-converge', tailslow: true });
  });

  it('refuses an unknown controller or a malformed parameter list, naming --controller', async () => {
    const { parseControllerSpec } = await import('../../src/api/policy.js');
    expect(() => parseControllerSpec('magic', '--controller')).toThrow(/invalid --controller: "magic"/);
    expect(() => parseControllerSpec('sdps:maxSleepMs', '--controller')).toThrow(/invalid --controller/);
  });
});

describe('compare', () => {
  it('refuses --algorithm and --controller, which it would otherwise ignore, and takes parameters in --policies', async () => {
    const refused = await runCli('compare', '--controller', 'cpu-scheduling:targetRound=3', '--memory', '64MiB');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/invalid --controller: .*--policies/);
    const ok = await runCli('compare', '--memory', '256MiB', '--max-time', '60s', '--json', '--policies', 'xen;xen+cpu-scheduling:targetRound=3');
    expect(ok.code).toBe(0);
    const rows = (JSON.parse(ok.stdout) as { runs: { policy: string; report: { summary: { controller: string } } }[] }).runs;
    expect(rows.map((r) => r.policy)).toEqual(['xen', 'xen+cpu-scheduling:targetRound=3']);
    expect(rows[1]!.report.summary.controller).toBe('cpu-scheduling');
  });
});

describe('errors echo what was typed', () => {
  it('names the flag and quotes its text, not the parsed number', async () => {
    const { code, stderr } = await runCli('run', '--memory', '4GB');
    expect(code).toBe(2);
    expect(stderr).toBe('livemig: invalid --memory: "4GB"; expected a whole number of 4096 B pages\n');
  });
});
