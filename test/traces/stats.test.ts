import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/helpers.js';
import { tempDir } from './helpers.js';

const HEAD = { format: 'livemig-trace', version: 1, pageSizeBytes: 4096, pages: 100, intervalMs: 100, method: 'hand', changedBytes: false, source: {}, host: {} };

function handTrace(dir: string): string {
  const path = join(dir, 'hand.ndjson');
  const lines = [HEAD, ...[['0-9'], ['0-9'], ['50-59'], []].map((pages, i) => ({ startUs: i * 100_000, durationUs: 100_000, pages }))];
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n'));
  return path;
}

describe('livemig trace stats', () => {
  it('computes pages per interval, the WSS curve, the dirty rate and the pre-copy resend on a hand-made trace', async () => {
    const dir = tempDir();
    // Round 0 sends 100 pages of 4 KiB in 150 ms: 409600 B / 0.15 s.
    const r = await runCli('trace', 'stats', handTrace(dir), '--json', '--bandwidth', `${409600 / 0.15}B/s`, '--downtime-limit', '0ms');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.perInterval).toEqual([10, 10, 10, 0]);
    expect(s.pageWrites).toBe(30);
    expect(s.distinctPages).toBe(20);
    expect(s.durationMs).toBe(400);
    // 30 pages of 4 KiB over 0.4 s.
    expect(s.dirtyRateMiBps).toBeCloseTo((30 * 4096) / 2 ** 20 / 0.4, 10);
    expect(s.wss.map((w: { windowIntervals: number; meanPages: number; maxPages: number }) => [w.windowIntervals, w.meanPages, w.maxPages]))
      .toEqual([[1, 7.5, 10], [2, 10, 10], [4, 20, 20]]);
    // Round 0 ends at 150 ms: the interval ending at 100 ms dirtied pages 0-9; round 1 sends them in 15 ms, none written.
    expect(s.precopy.rounds).toEqual([
      { round: 0, pagesSent: 100, durationMs: 150, pagesDirtied: 10 },
      { round: 1, pagesSent: 10, durationMs: 15, pagesDirtied: 0 },
    ]);
    expect(s.precopy.outcome).toBe('converged');
    expect(s.precopy.resentPages).toBe(10);
  });

  it('prints the same figures as text', async () => {
    const r = await runCli('trace', 'stats', handTrace(tempDir()));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 intervals over 400\.0 ms/);
    expect(r.stdout).toMatch(/pages written per interval: min 0, mean 7\.5, p50 10, p95 10, max 10/);
    expect(r.stdout).toMatch(/Writable working set/);
    expect(r.stdout).toMatch(/Pre-copy at 125\.0 MB\/s/);
  });

  it('refuses a corrupt trace with the offset and exit code 2, no stack trace', async () => {
    const dir = tempDir();
    const path = join(dir, 'bad.ndjson');
    writeFileSync(path, `${JSON.stringify(HEAD)}\n{"startUs":0,"durationUs":1,"pages":[7,3]}\n`);
    const r = await runCli('trace', 'stats', path);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`byte offset ${JSON.stringify(HEAD).length + 1}: line 2: "pages" must be strictly increasing`));
    expect(r.stderr).not.toMatch(/at .*\.ts:/);
    expect((await runCli('trace', 'stats', join(dir, 'none'))).stderr).toMatch(/none: cannot read the trace \(no such file\)/);
    expect((await runCli('trace', 'stats', handTrace(dir), '--bandwidth', 'fast')).stderr).toMatch(/invalid --bandwidth: "fast"/);
  });
});

describe('livemig trace convert', () => {
  it('NDJSON -> binary -> NDJSON keeps every interval', async () => {
    const dir = tempDir();
    const src = handTrace(dir);
    expect((await runCli('trace', 'convert', src, join(dir, 'h.lmtrace'))).code).toBe(0);
    expect(readFileSync(join(dir, 'h.lmtrace')).subarray(1, 8).toString()).toBe('LMTRACE');
    const r = await runCli('trace', 'convert', join(dir, 'h.lmtrace'), join(dir, 'back.ndjson'));
    expect(r.stderr).toMatch(/wrote .*back\.ndjson \(ndjson, 4 intervals\)/);
    const lines = readFileSync(join(dir, 'back.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(1, 5).map((l) => l.pages)).toEqual([['0-9'], ['0-9'], ['50-59'], []]);
    expect(lines[5]).toEqual({ end: { intervals: 4, pageWrites: 30, endUs: 400_000 } });
    expect((await runCli('trace', 'convert', src, join(dir, 'x'), '--to', 'xml')).stderr).toMatch(/invalid --to: "xml"; expected binary or ndjson/);
  });
});

describe("livemig trace from-qemu (QEMU's query-dirty-rate)", () => {
  it('turns a whole-VM estimate into a uniform writer that dirties that many distinct pages in calc-time', async () => {
    const dir = tempDir();
    const path = join(dir, 'q.json');
    writeFileSync(path, JSON.stringify({ return: { status: 'measured', 'dirty-rate': 100, 'calc-time': 1, 'sample-pages': 512, mode: 'page-sampling', 'start-time': 1 } }));
    const r = await runCli('trace', 'from-qemu', path, '--memory', '1GiB');
    expect(r.code).toBe(0);
    const spec = JSON.parse(r.stdout);
    expect(spec.kind).toBe('uniform');
    // 100 MiB/s over 1 s = 25600 distinct 4 KiB pages of 262144: H·(1 − e^(−w/H)) = 25600.
    const H = 262144;
    expect(H * (1 - Math.exp(-spec.writesPerSec / H))).toBeCloseTo(25600, 0);
  });

  it('gives one writer per vCPU for a dirty-ring estimate, and refuses a rate no writer can reach', async () => {
    const dir = tempDir();
    const path = join(dir, 'q.json');
    writeFileSync(path, JSON.stringify({ status: 'measured', 'calc-time': 500, 'calc-time-unit': 'millisecond', mode: 'dirty-ring', 'vcpu-dirty-rate': [{ id: 0, 'dirty-rate': 10 }, { id: 1, 'dirty-rate': 0 }] }));
    const specs = JSON.parse((await runCli('trace', 'from-qemu', path, '--memory', '1GiB')).stdout);
    expect(specs).toHaveLength(2);
    expect(specs[1].writesPerSec).toBe(0);
    writeFileSync(path, JSON.stringify({ status: 'measured', 'calc-time': 1, 'dirty-rate': 2000 }));
    const r = await runCli('trace', 'from-qemu', path, '--memory', '1GiB');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid dirty-rate: 2000; expected under 1024\.0 MiB\/s/);
    writeFileSync(path, JSON.stringify({ status: 'measuring', 'calc-time': 1 }));
    expect((await runCli('trace', 'from-qemu', path, '--memory', '1GiB')).stderr).toMatch(/status: "measuring"; expected "measured"/);
  });
});
