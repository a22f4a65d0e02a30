/**
 * Records a real child process with a known dirtying pattern (test/fixtures/pattern-writer.py: an anonymous
 * buffer, PAGES_PER_SEC page writes per second sweeping a known page range, BYTES_PER_WRITE bytes each) and
 * checks the trace against the pattern. Tolerances are stated with each check.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { record } from '../../src/record/recorder.js';
import { probeSoftDirty } from '../../src/record/soft-dirty.js';
import { systemPageSize } from '../../src/record/host.js';
import { readAll, tempDir } from '../traces/helpers.js';
import { runCli } from '../cli/helpers.js';

const WRITER = fileURLToPath(new URL('../fixtures/pattern-writer.py', import.meta.url));
const PS = systemPageSize();
const BUFFER_PAGES = 16384; // 64 MiB at 4 KiB
const LO = 4096;
const HI = 12288; // the sweep covers the middle half; the rest of the buffer must stay clean
const RATE = 2000; // pages/s: 200 per 100 ms interval
const BYTES_PER_WRITE = 100;
const INTERVAL_MS = 100;
const DURATION_MS = 2500;

async function startWriter(): Promise<{ child: ChildProcessWithoutNullStreams; address: number }> {
  const child = spawn('python3', [WRITER, String(BUFFER_PAGES * PS), String(LO), String(HI), String(RATE), String(BYTES_PER_WRITE), '60', '--wait-stdin']);
  const address = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim().split('\n')[0])));
  });
  return { child, address };
}

/** Records the writer; the child starts writing once the baseline scan is done (the recorder's first log line). */
async function recordWriter(method: 'content' | 'soft-dirty', compare: 'copy' | 'hash' = 'copy') {
  const { child, address } = await startWriter();
  const out = join(tempDir(), 'w.lmtrace');
  try {
    const result = await record({
      pid: child.pid!, intervalMs: INTERVAL_MS, durationMs: DURATION_MS, method, compare, out,
      log: (line) => { if (line.startsWith('record: pid')) child.stdin.write('go\n'); },
    });
    return { result, trace: readAll(out), address };
  } finally {
    child.kill('SIGKILL');
  }
}

/** Per interval, the pages inside the buffer, as page indices of the buffer (from the header's regions). */
function bufferPages(trace: ReturnType<typeof readAll>, address: number) {
  const regions = trace.header.regions!;
  const vaOf = (page: number): number => {
    const r = regions.find((g) => page >= g.firstPage && page < g.firstPage + g.pages)!;
    return parseInt(r.address!, 16) + (page - r.firstPage) * PS;
  };
  return trace.intervals.map((iv) => {
    const inBuf: { page: number; changed: number | undefined }[] = [];
    iv.pages.forEach((p, i) => {
      const va = vaOf(p);
      if (va >= address && va < address + BUFFER_PAGES * PS) inBuf.push({ page: (va - address) / PS, changed: iv.changedBytes?.[i] });
    });
    return { durationUs: iv.durationUs, inBuf };
  });
}

/**
 * Pages per interval against RATE × the interval's measured length. Over all steady intervals: within 5 % plus
 * the pages written during the scans at the window's two edges (a page read late in one scan and early in the
 * next moves between intervals, but is counted once, so inside the window the shifts cancel).
 * Per interval: within 10 %, plus two 10 ms bursts of the writer's timer, plus the pages written during the
 * two scans that bound the interval (RATE × 2 × the longest scan), the attribution jitter of a scan that
 * reads the buffer at a different moment of each scan.
 */
function checkCounts(steady: { durationUs: number; inBuf: unknown[] }[], maxScanMs: number): void {
  let seen = 0;
  let expectedTotal = 0;
  const jitter = Number.isFinite(maxScanMs) ? (RATE * 2 * maxScanMs) / 1e3 : 0;
  for (const iv of steady) {
    const expected = (RATE * iv.durationUs) / 1e6;
    seen += iv.inBuf.length;
    expectedTotal += expected;
    expect(Math.abs(iv.inBuf.length - expected)).toBeLessThanOrEqual(0.1 * expected + 2 * (RATE / 100) + jitter);
  }
  // Attribution can only shift across the window's two edges: the same jitter allowance as one interval.
  expect(Math.abs(seen - expectedTotal)).toBeLessThanOrEqual(0.05 * expectedTotal + jitter);
}

describe('livemig record, content method, on a child with a known pattern', () => {
  it('sees the pattern: pages per interval (total within 5 % + edge jitter), changed bytes exact on >= 98 % of pages, nothing else in the buffer', async () => {
    const { result, trace, address } = await recordWriter('content');
    expect(result.method).toBe('content');
    expect(trace.header.changedBytes).toBe(true);
    const perInterval = bufferPages(trace, address);
    // The first interval includes the child's start-up after "go"; the rest are steady.
    const steady = perInterval.slice(1);
    // Scans that overrun on a loaded (shared) machine stretch the intervals: of the nominal 25, at least 4 remain.
    expect(steady.length).toBeGreaterThanOrEqual(4);
    checkCounts(steady, result.overhead.maxScanMs);
    const all = perInterval.flatMap((iv) => iv.inBuf);
    // Nothing outside the swept range [LO, HI) of the buffer is attributed to the writer.
    expect(all.filter((p) => p.page < LO || p.page >= HI)).toEqual([]);
    // Every write changes exactly BYTES_PER_WRITE bytes; a scan that reads a page mid-copy splits one write over
    // two intervals (both counts below BYTES_PER_WRITE), so allow 2 % of pages to differ.
    expect(all.every((p) => p.changed! >= 1 && p.changed! <= BYTES_PER_WRITE)).toBe(true);
    expect(all.filter((p) => p.changed === BYTES_PER_WRITE).length).toBeGreaterThanOrEqual(0.98 * all.length);
    // The overhead is reported.
    expect(result.overhead.scans).toBe(trace.intervals.length + 1);
    expect(result.overhead.meanBytesReadPerScan).toBeGreaterThan(BUFFER_PAGES * PS);
    expect(trace.header.notes?.['blindSpots']).toBeInstanceOf(Array);
  });
});

describe('livemig record, content method with --compare hash', () => {
  it('finds the same pattern from two hashes per page: pages per interval, nothing else in the buffer, no changed bytes', async () => {
    const { result, trace, address } = await recordWriter('content', 'hash');
    expect(trace.header.changedBytes).toBe(false);
    const steady = bufferPages(trace, address).slice(1);
    expect(steady.length).toBeGreaterThanOrEqual(4);
    checkCounts(steady, result.overhead.maxScanMs);
    for (const iv of steady) expect(iv.inBuf.every((p) => p.page >= LO && p.page < HI && p.changed === undefined)).toBe(true);
  });
});

const soft = probeSoftDirty(PS);
describe('livemig record, soft-dirty method', () => {
  it.skipIf(!soft.supported)(`sees the pattern's pages per interval${soft.supported ? '' : ` (skipped here: ${soft.reason})`}`, async () => {
    const { trace, address } = await recordWriter('soft-dirty');
    const steady = bufferPages(trace, address).slice(1);
    checkCounts(steady, Infinity);
    for (const iv of steady) expect(iv.inBuf.every((p) => p.page >= LO && p.page < HI)).toBe(true);
  });

  it.skipIf(soft.supported)('is refused with the reason where the kernel lacks it', async () => {
    const r = await runCli('record', '--method', 'soft-dirty', '--pid', String(process.pid), '-o', join(tempDir(), 'x.lmtrace'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid --method: "soft-dirty" does not work here: .*CONFIG_MEM_SOFT_DIRTY; use --method content/);
  });
});

describe('livemig record: errors and endings', () => {
  it('refuses bad flags, naming them', async () => {
    const out = join(tempDir(), 'x.lmtrace');
    expect((await runCli('record', '-o', out)).stderr).toMatch(/invalid --pid: missing; expected a process id, or a command to start after --/);
    expect((await runCli('record', '--pid', 'abc', '-o', out)).stderr).toMatch(/invalid --pid: "abc"; expected a process id/);
    expect((await runCli('record', '--pid', '1', '-o', out, '--', 'true')).stderr).toMatch(/either --pid or a command/);
    expect((await runCli('record', '--pid', '1', '-o', out, '--interval', '1ms')).stderr).toMatch(/invalid --interval: "1ms"; expected from 10ms to 1h/);
    expect((await runCli('record', '--pid', '1', '-o', out, '--method', 'magic')).stderr).toMatch(/invalid --method: "magic"; expected one of auto, soft-dirty, content/);
    expect((await runCli('record', '--pid', '1')).stderr).toMatch(/invalid --out/);
    const gone = await runCli('record', '--pid', '4194303', '-o', out, '--method', 'content');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/invalid --pid: 4194303; no such process/);
    const nocmd = await runCli('record', '-o', out, '--method', 'content', '--', '/nonexistent/cmd');
    expect(nocmd.stderr).toMatch(/cannot start "\/nonexistent\/cmd" \(ENOENT\)/);
  });

  it('a command that exits mid-way leaves a valid partial trace', async () => {
    const out = join(tempDir(), 'p.lmtrace');
    const r = await runCli('record', '--method', 'content', '--interval', '50ms', '-o', out, '--',
      'python3', WRITER, String(256 * PS), '0', '256', '1000', '8', '0.6');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ended: exited/);
    expect(r.stderr).toMatch(/overhead: \d+ scans, mean [\d.]+ ms/);
    const t = readAll(out);
    expect(t.intervals.length).toBeGreaterThanOrEqual(5);
    expect(t.header.notes?.['endedBy']).toBe('exited');
    expect(t.header.source.command?.[0]).toBe('python3');
  });
});
