import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { record } from '../src/record/recorder.js';
import { bytes, ms, sig } from './format.js';
import type { BenchGroup, Row } from './types.js';

/**
 * The recorder's own cost on a 1 GiB process: a Python child maps 1 GiB, writes every page once (so all of it
 * is resident), then writes WRITES_PER_SEC random pages per second; `livemig record --method content` scans it
 * SCANS times. Reported: the baseline scan (it allocates the recorder's 1 GiB copy), the mean of the later scans,
 * the read rate, and the share of the interval a scan takes. A timed script, not tinybench: each sample is a
 * whole scan of the child.
 */

const BUFFER_BYTES = 1024 ** 3;
const WRITES_PER_SEC = 10_000;
const INTERVAL_MS = 1000;
const SCANS = 6;

export const recordOverhead: BenchGroup = {
  id: 'record',
  title: 'Recording overhead: livemig record --method content on a 1 GiB process',
  async run() {
    const pages = BUFFER_BYTES / 4096;
    // Inline rather than test/fixtures/pattern-writer.py: the buffer must be made resident before the writes start.
    const child = spawn('python3', ['-c', [
      'import mmap, random, sys, time',
      `m = mmap.mmap(-1, ${BUFFER_BYTES})`,
      `for i in range(0, ${BUFFER_BYTES}, 4096): m[i] = 1`,
      "print('ready', flush=True)",
      'r = random.Random(1); done = 0; t0 = time.monotonic()',
      'while True:',
      `    due = int((time.monotonic() - t0) * ${WRITES_PER_SEC})`,
      '    while done < due:',
      `        o = r.randrange(${pages}) * 4096; m[o:o + 64] = bytes([done % 255 + 1]) * 64; done += 1`,
      '    time.sleep(0.01)',
    ].join('\n')]);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.once('data', () => resolve());
    });
    const dir = mkdtempSync(join(tmpdir(), 'livemig-bench-'));
    try {
      const r = await record({
        pid: child.pid!, intervalMs: INTERVAL_MS, durationMs: INTERVAL_MS * SCANS, method: 'content', out: join(dir, 'b.lmtrace'),
      });
      const o = r.overhead;
      const steadyMs = (o.meanScanMs * o.scans - o.baselineScanMs) / (o.scans - 1);
      const rows: Row[] = [
        { what: 'baseline scan (allocates the copy)', scanMs: o.baselineScanMs, readBytes: o.meanBytesReadPerScan, gbPerSec: o.meanBytesReadPerScan / (o.baselineScanMs / 1e3) / 1e9, share: o.baselineScanMs / INTERVAL_MS },
        { what: `later scans (mean of ${o.scans - 1})`, scanMs: steadyMs, readBytes: o.meanBytesReadPerScan, gbPerSec: o.meanBytesReadPerScan / (steadyMs / 1e3) / 1e9, share: steadyMs / INTERVAL_MS },
        { what: 'slowest scan', scanMs: o.maxScanMs, readBytes: o.meanBytesReadPerScan, gbPerSec: o.meanBytesReadPerScan / (o.maxScanMs / 1e3) / 1e9, share: o.maxScanMs / INTERVAL_MS },
      ];
      return {
        notes: [
          `child: 1 GiB anonymous mapping, all resident, ${WRITES_PER_SEC} random 64-byte page writes/s; interval ${INTERVAL_MS} ms, ${o.scans} scans`,
          `pages found written per interval: ${sig(r.pageWrites / r.intervals)} (expected about ${WRITES_PER_SEC * INTERVAL_MS / 1000} less collisions, plus Python's own)`,
          `recorder memory: one copy of the scanned pages (${bytes(o.meanBytesReadPerScan)})`,
        ],
        columns: [
          { key: 'what', label: 'scan' },
          { key: 'scanMs', label: 'time', format: (v) => ms(v as number) },
          { key: 'readBytes', label: 'read', format: (v) => bytes(v as number) },
          { key: 'gbPerSec', label: 'GB/s', format: (v) => sig(v as number) },
          { key: 'share', label: `share of ${INTERVAL_MS} ms`, format: (v) => `${((v as number) * 100).toFixed(1)}%` },
        ],
        rows,
        targets: [],
        extra: { overhead: o, intervals: r.intervals, pageWrites: r.pageWrites },
      };
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
