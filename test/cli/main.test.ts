import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../../src/cli/main.js';
import { RUN_FLAGS, helpEntries, runCli } from './helpers.js';

describe('livemig (in-process)', () => {
  it('prints help and exits 0 with no command', async () => {
    const { code, stdout } = await runCli();
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: livemig');
    expect(stdout).toContain('run [options]');
  });

  it('documents every run flag', async () => {
    const entries = helpEntries((await runCli('run', '--help')).stdout);
    expect([...entries.keys()].filter((f) => f !== '--help').sort()).toEqual([...RUN_FLAGS].sort());
  });

  it('prints the JSON report with --json', async () => {
    const { code, stdout, stderr } = await runCli('run', '--memory', '16MiB', '--json');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { format: string; scenario: { memoryBytes: number } };
    expect(report.format).toBe('livemig-report/1');
    expect(report.scenario.memoryBytes).toBe(16 * 1024 ** 2);
  });

  // 256 MiB of uniform writes at 60000 pages/s never converges on 1 Gbit/s: one round per 1.3 s until --max-time.
  const LONG_RUN = ['run', '--memory', '256MiB', '--workload', 'uniform', '--write-rate', '60000pages/s', '--max-time', '30s'];

  it('shortens a long round table unless --all-rounds', async () => {
    const short = await runCli(...LONG_RUN);
    expect(short.stdout).toMatch(/\.\.\. \d+ rounds omitted \.\.\./);
    expect(short.stdout).toContain('cancelled (max-time)');
    const all = await runCli(...LONG_RUN, '--all-rounds');
    expect(all.stdout).not.toContain('omitted');
    expect(all.stdout.split('\n').length).toBeGreaterThan(short.stdout.split('\n').length);
  });

  it('exits 2 on a bad value, naming the flag', async () => {
    const { code, stdout, stderr } = await runCli('run', '--downtime-limit', 'soon');
    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^livemig: invalid --downtime-limit: "soon"; expected a duration/);
  });

  it('exits 2 on a usage error, with commander\'s message', async () => {
    const { code, stderr } = await runCli('run', '--memroy', '1GiB');
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain("unknown option '--memroy'");
    expect(stderr).toContain('--help');
  });
});
