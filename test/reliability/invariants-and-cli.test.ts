/**
 * Issue 9: the invariant checker catches what it promises to, debug mode turns it on, and the CLI turns user
 * errors (a FIFO, a refused Wasm memory) into exit 2 and stops on SIGTERM whatever it is doing.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkReport, migrate } from '../../src/api/migrate.js';
import { invariantChecksOn, setInvariantChecks } from '../../src/engine/invariants.js';
import type { MigrationReport } from '../../src/model/report.js';
import { BIN, ROOT } from '../batch/helpers.js';

const MiB = 1024 ** 2;
const dir = mkdtempSync(join(tmpdir(), 'livemig-rel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function doctored(change: (r: MigrationReport) => void, options = {}): string[] {
  const r = structuredClone(migrate({ memoryBytes: 32 * MiB, bandwidthBytesPerSec: 12.5e6, workload: { kind: 'hot-cold', writesPerSec: 20_000 }, ...options }));
  expect(checkReport(r)).toStrictEqual([]);
  change(r);
  return checkReport(r);
}

describe('the report invariant checker', () => {
  it('catches NaN, Infinity and negative numbers', () => {
    expect(doctored((r) => { r.summary.totalTimeMs = Number.NaN; }).join()).toMatch(/summary.totalTimeMs is NaN/);
    expect(doctored((r) => { r.timeline[0]!.bandwidthBytesPerSec = Infinity; }).join()).toMatch(/timeline\[0\].bandwidthBytesPerSec is Infinity/);
    expect(doctored((r) => { r.rounds[0]!.throttlePct = -1; }).join()).toMatch(/rounds\[0\].throttlePct is negative/);
  });

  it('catches sums that do not add up: bytes = pages × wire cost + framing + device state', () => {
    expect(doctored((r) => { r.summary.transferredBytes += 1; }).join()).toMatch(/rounds' bytes sum to/);
    expect(doctored((r) => { r.rounds[0]!.bytes += 3; r.summary.transferredBytes += 3; }).join()).toMatch(/framing bytes, not a whole number/);
    expect(doctored((r) => { r.rounds[0]!.normalPages += 1; r.summary.normalPages += 1; }).join()).toMatch(/less than its pages cost|framing/);
  });

  it('catches times out of order and a downtime above the total', () => {
    expect(doctored((r) => { r.timeline[1]!.tMs = r.timeline[0]!.tMs; }).join()).toMatch(/timeline\[1\] .* not after/);
    expect(doctored((r) => { r.rounds[1]!.startMs += 1; }).join()).toMatch(/round 2 starts at/);
    expect(doctored((r) => { if (r.status === 'completed') r.summary.downtimeMs = r.summary.totalTimeMs + 1; }, { memoryBytes: 4 * MiB, workload: { kind: 'idle' } }).join()).toMatch(/downtime/);
  });

  it('catches a run cancelled by max-time that does not end at the cap', () => {
    expect(doctored(() => undefined, { maxTimeMs: 300, workload: { kind: 'uniform', writesPerSec: 200_000 } })).toStrictEqual([]);
    const bad = doctored((r) => { r.summary.totalTimeMs += 1; r.rounds[r.rounds.length - 1]!.endMs += 1; }, { maxTimeMs: 300, workload: { kind: 'uniform', writesPerSec: 200_000 } });
    expect(bad.join()).toMatch(/not at the cap|after the 300 ms cap/);
  });

  it('is on in this suite (test/setup.ts) and under LIVEMIG_DEBUG=1', () => {
    expect(invariantChecksOn()).toBe(true);
    setInvariantChecks(false);
    const saved = process.env['LIVEMIG_DEBUG'];
    try {
      delete process.env['LIVEMIG_DEBUG'];
      expect(invariantChecksOn()).toBe(false);
      process.env['LIVEMIG_DEBUG'] = '1';
      expect(invariantChecksOn()).toBe(true);
    } finally {
      if (saved === undefined) delete process.env['LIVEMIG_DEBUG'];
      else process.env['LIVEMIG_DEBUG'] = saved;
      setInvariantChecks(true);
    }
    const r = spawnSync(process.execPath, [BIN, 'run', '--memory', '64MiB', '--max-time', '2s', '--json'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LIVEMIG_DEBUG: '1' } });
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('controllers cannot put non-finite numbers into a report', () => {
  it('a duty cycle with a sleep near the largest double gives a 100 % throttle, not Infinity (found by the fuzz suite)', () => {
    const controller = { name: 'huge-sleep', onSync: (_e: unknown, ctx: { setVcpuDutyCycle(v: number, c: { runMs: number; sleepMs: number }): void }) => ctx.setVcpuDutyCycle(0, { runMs: 0, sleepMs: 1e308 }) };
    const r = migrate({ memoryBytes: 4 * MiB, workload: { kind: 'hot-cold', writesPerSec: 50_000 }, maxTimeMs: 5000, controller });
    expect(checkReport(r)).toStrictEqual([]);
    expect(r.summary.maxThrottlePct).toBe(100);
  });
});

describe('the CLI: user errors are exit 2, signals stop it', () => {
  it('dist/ is built', () => {
    expect(existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
  });

  it('sweep of a FIFO is refused at once with exit 2 (it blocked forever, deaf to SIGTERM)', () => {
    const fifo = join(dir, 'exp.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = spawnSync(process.execPath, [BIN, 'sweep', fifo, '--out', join(dir, 'out-fifo'), '--no-progress'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a regular file: a FIFO/);
  });

  it('sweep /dev/zero is refused at once with exit 2 (it read 16.8 GB first)', () => {
    const r = spawnSync(process.execPath, [BIN, 'sweep', '/dev/zero', '--out', join(dir, 'out-zero'), '--no-progress'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a regular file: a device/);
  });

  it('Wasm memory refused at instantiation (a virtual-memory limit) is a CapacityError, exit 2, not exit 70', () => {
    const r = spawnSync('sh', ['-c', `ulimit -v 1000000 && exec "${process.execPath}" "${BIN}" run --memory 64MiB`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(/invalid --memory: the host refused the Wasm core's memory/);
    expect(r.status).toBe(2);
  });

  it('SIGTERM during a long run stops it (the process ends by the signal or with 143)', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--max-time', '1e9ms', '--max-bandwidth', '1B/s'], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    setTimeout(() => child.kill('SIGTERM'), 1500);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    expect(signal === 'SIGTERM' || code === 143, `exit ${code} ${signal}`).toBe(true);
    expect(stdout).toBe('');
  });
});
