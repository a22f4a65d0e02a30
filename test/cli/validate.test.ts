import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

const DIR = process.env['LIVEMIG_VALIDATION_DIR'] ?? '/work/shared/validation/qemu-7.2';
const CASE = join(DIR, 'r4096_bw128_acoff_rand');

describe('livemig validate', () => {
  it('documents the case.json mapping in --help', async () => {
    const { code, stdout } = await runCli('validate', '--help');
    expect(code).toBe(0);
    for (const s of ['guest.zeroPagesAtStart', 'observed.guestWritesPerSecBeforeMigration', 'migration.cancelAfterMs', '--qmp-log', '--measured-throttle']) expect(stdout).toContain(s);
  });

  it('refuses a call with nothing to validate, or --qmp-log without --scenario, with exit 2', async () => {
    expect((await runCli('validate')).code).toBe(2);
    const r = await runCli('validate', '--qmp-log', 'x.ndjson');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid --scenario.*both --qmp-log FILE and --scenario FILE/);
    const v = await runCli('validate', 'some-dir', '--qemu-version', '5.2');
    expect(v.code).toBe(2);
    expect(v.stderr).toBe('livemig: invalid --qemu-version: "5.2"; expected one of 6.2, 7.2, 8.0, 8.1, 8.2, 9.0, 9.1, 9.2, 10.0, 10.1\n');
  });

  it('names the file, line and field of a bad QMP log, with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livemig-validate-'));
    const log = join(dir, 'log.ndjson');
    writeFileSync(log, '{"t":0.1,"status":"active","ram":{"transferred":1,"dirty-sync-count":1}}\n');
    writeFileSync(join(dir, 'scenario.json'), '{}');
    const r = await runCli('validate', '--qmp-log', log, '--scenario', join(dir, 'scenario.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`livemig: ${log}:1: missing field "ram.remaining" (a number) in a "active" reply\n`);
    const missing = await runCli('validate', join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not a validation case folder: cannot read case\.json/);
  });

  it.skipIf(!existsSync(CASE))('prints the table for a case, --json for machines, and takes the same case as a QMP log plus a scenario file', async () => {
    const table = await runCli('validate', CASE);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/outcome \(QEMU \/ livemig\)\s+completed \/ completed/);
    expect(table.stdout).toMatch(/dirty-sync-count\s+4 \/ 4/);
    const json = JSON.parse((await runCli('validate', CASE, '--json')).stdout) as { format: string; cases: { id: string; dirtySyncCount: { livemig: number }; scenario: Record<string, unknown> }[] };
    expect(json.format).toBe('livemig-validate/1');
    expect(json.cases[0]!.scenario['qemuVersion']).toBe('7.2');
    // The folder's own log, with the options the mapping gives as the scenario file.
    const dir = mkdtempSync(join(tmpdir(), 'livemig-validate-'));
    const { memoryBytes: _m, pageSize: _p, ...scenario } = json.cases[0]!.scenario as Record<string, unknown>;
    const c = JSON.parse(readFileSync(join(CASE, 'case.json'), 'utf8')) as { guest: Record<string, number>; migration: Record<string, number> };
    writeFileSync(join(dir, 's.json'), JSON.stringify({
      qemuVersion: '7.2', populatedFraction: scenario['populatedFraction'], bandwidthBytesPerSec: 2e9, resumeTimeMs: 0,
      maxBandwidthBytesPerSec: c.migration['maxBandwidthBytesPerSec'], downtimeLimitMs: c.migration['downtimeLimitMs'],
      workload: { kind: 'uniform', writesPerSec: 4066.5, regionSize: c.guest['workingSetBytes']! / c.guest['ramBytes']! },
    }));
    const own = JSON.parse((await runCli('validate', '--qmp-log', join(CASE, 'query-migrate.ndjson'), '--scenario', join(dir, 's.json'), '--json')).stdout) as typeof json;
    expect(own.cases[0]!.dirtySyncCount.livemig).toBe(json.cases[0]!.dirtySyncCount.livemig);
  });
});
