import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUN_FLAGS, helpEntries } from './helpers.js';

// These run the real executable, as a user would; it loads the compiled CLI from dist/ (`npm run build:ts`).
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'livemig.js');

function livemig(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LIVEMIG_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK_LINE = /^ {4}at /m;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build:ts` first');
});

describe('bin/livemig.js', () => {
  it('--help describes livemig, its commands and examples', () => {
    const { code, stdout } = livemig('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: livemig /);
    expect(stdout).toContain('live migration');
    expect(stdout).toMatch(/^ {2}run \[options\] +emulate one migration/m);
    expect(stdout).toMatch(/Examples:\n(?: {2}\$ livemig (?:run|compare).*\n){3,}/);
  });

  it('run --help lists every flag with its default', () => {
    const { code, stdout } = livemig('run', '--help');
    expect(code).toBe(0);
    const entries = helpEntries(stdout);
    for (const flag of RUN_FLAGS) {
      expect(entries.get(flag), flag).toMatch(/\(default: [^)]+\)$/);
    }
    expect(entries.get('--memory')).toContain('(default: 4GiB)');
    expect(entries.get('--bandwidth')).toContain('(default: 1Gbit/s)');
    expect(entries.get('--max-bandwidth')).toContain('(default: 128MiB/s)');
    expect(entries.get('--downtime-limit')).toContain('(default: 300ms)');
    expect(entries.get('--write-rate')).toContain('(default: 25000pages/s)');
  });

  it('--version prints the package version', () => {
    const { code, stdout } = livemig('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('run --json prints the report as JSON', () => {
    const { code, stdout, stderr } = livemig('run', '--memory', '256MiB', '--json');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { summary: Record<string, unknown> };
    expect(report.summary).toMatchObject({ status: 'completed' });
    for (const key of ['status', 'totalTimeMs', 'downtimeMs', 'setupTimeMs', 'transferredBytes', 'rounds']) {
      expect(report.summary, key).toHaveProperty(key);
    }
    expect(report.summary['totalTimeMs']).toBeGreaterThan(0);
  });

  it('run prints the rounds and the summary for people', () => {
    const { code, stdout } = livemig('run', '--memory', '256MiB');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^256 MiB guest /);
    expect(stdout).toMatch(/^round +phase +start +end /m);
    expect(stdout).toMatch(/^ +1 +live /m);
    expect(stdout).toMatch(/^ +\d+ +stop-and-copy /m);
    for (const label of ['status', 'total time', 'downtime', 'setup time', 'transferred', 'rounds', 'guest CPU lost', 'algorithm', 'controller']) {
      expect(stdout).toMatch(new RegExp(`^${label} {2,}\\S`, 'm'));
    }
    expect(stdout).toMatch(/^status +completed$/m);
    expect(stdout).toMatch(/^downtime +[\d.]+ ms$/m);
  });

  it.each([
    [['--bandwidth', '-5Gbit/s'], '--bandwidth'],
    [['--bandwidth', '0'], '--bandwidth'],
    [['--page-size', '3000B'], '--page-size'],
    [['--algorithm', 'nope'], '--algorithm'],
    [['--workload', 'nope'], '--workload'],
    [['--memory', '64TiB'], '--memory'],
    [['--memory', '5 parsecs'], '--memory'],
  ])('run %j exits 2 naming %s, without a stack trace', (args, flag) => {
    const { code, stdout, stderr } = livemig('run', ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^livemig: invalid ${flag}: `));
    expect(stderr).not.toMatch(STACK_LINE);
  });

  it.each([
    [['run', '--no-such-flag'], "unknown option '--no-such-flag'"],
    [['run', '--memory'], "option '--memory <size>' argument missing"],
    [['run', 'extra'], 'too many arguments'],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('%j is a usage error: exit 2', (args, message) => {
    const { code, stderr } = livemig(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(STACK_LINE);
  });
});
