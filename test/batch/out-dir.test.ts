/**
 * The sweep's output folder is checked before any work, and a disk that fails while results are written
 * gives a one-line user error that says what was kept and how to resume (the lock released).
 */
import * as fs from 'node:fs';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { SweepError } from '../../src/errors/sweep-error.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { runCli } from '../cli/helpers.js';
import { VARIED, tempDir, writeExperiment } from './helpers.js';

// Writes to results.ndjson fail with `failWith` after `failAfter` successful ones (null: never).
const fault = vi.hoisted(() => ({ failWith: null as string | null, failAfter: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, ...rest: unknown[]) => {
    if (fault.failWith !== null) {
      if (fault.failAfter === 0) throw Object.assign(new Error(`${fault.failWith}: simulated`), { code: fault.failWith });
      fault.failAfter--;
    }
    return (real.writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof real.writeSync;
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const varied = checkExperiment(VARIED);
const isRoot = process.getuid?.() === 0;

describe('--out is checked before any work', () => {
  const dir = tempDir();
  const file = writeExperiment(dir, 'varied.json', VARIED);

  it('a file, or a path under a file: one-line error, exit 2, nothing written', async () => {
    const plain = join(dir, 'plain.txt');
    writeFileSync(plain, 'x');
    const a = await runCli('sweep', file, '--out', plain);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/^livemig: --out .*plain\.txt is a file, not a folder; give a folder \(it is created if missing\)\n$/);
    const b = await runCli('sweep', file, '--out', join(plain, 'sub', 'dir'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^livemig: --out .*plain\.txt\/sub\/dir: cannot create it: .*plain\.txt is a file, not a folder\n$/);
  });

  it('a folder that cannot be created or written: one-line error, exit 2', async () => {
    const sys = await runCli('sweep', file, '--out', '/sys/livemig-test-out');
    expect(sys.code).toBe(2);
    expect(sys.stderr).toMatch(/^livemig: --out \/sys\/livemig-test-out: cannot create \/sys\/livemig-test-out \(permission denied\)\n$/);
    const proc = await runCli('sweep', file, '--out', '/proc/livemig-x/y');
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(/^livemig: --out \/proc\/livemig-x\/y: cannot create \/proc\/livemig-x /);
    // An existing folder nobody may write, even root: sysfs.
    const ro = await runCli('sweep', file, '--out', '/sys/kernel');
    expect(ro.code).toBe(2);
    expect(ro.stderr).toMatch(/^livemig: --out \/sys\/kernel is not writable \(permission denied\); choose a folder you can write to\n$/);
    if (!isRoot) {
      const locked = join(dir, 'read-only');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      const r = await runCli('sweep', file, '--out', locked);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is not writable \(permission denied\)/);
      expect(readdirSync(locked)).toEqual([]);
    }
  });

  it('the library throws SweepError before loading any run', async () => {
    const plain = join(dir, 'plain2.txt');
    writeFileSync(plain, 'x');
    await expect(runSweep({ experiment: varied, outDir: plain })).rejects.toThrow(SweepError);
  });
});

describe('a full or failing disk while results are written', () => {
  const dir = tempDir();

  for (const [code, words] of [['ENOSPC', 'no space left on device'], ['EIO', 'input/output error']] as const) {
    it(`${code}: a one-line SweepError saying what was kept and how to resume; the lock released; --resume completes`, async () => {
      const out = join(dir, code);
      fault.failWith = code;
      fault.failAfter = 5;
      let err: unknown;
      try {
        await runSweep({ experiment: varied, outDir: out, workers: 1, pool: 'in-process' });
      } catch (e) {
        err = e;
      } finally {
        fault.failWith = null;
      }
      expect(err).toBeInstanceOf(SweepError);
      const message = (err as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(new RegExp(`^cannot write .*results\\.ndjson \\(${words}\\): the sweep stopped; the 5 runs recorded before it are kept\\. .*run the same command with --resume`));
      expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
      expect(readResults(out).map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
      const resumed = await runSweep({ experiment: varied, outDir: out, workers: 1, pool: 'in-process', resume: true });
      expect(resumed).toMatchObject({ skipped: 5, done: 31, remaining: 0 });
      expect(readResults(out).map((r) => r.index)).toEqual(varied.runs.map((r) => r.index));
    });
  }

  it('through the CLI: exit 2 and one line on stderr', async () => {
    const file = writeExperiment(dir, 'varied.json', VARIED);
    fault.failWith = 'ENOSPC';
    fault.failAfter = 2;
    let r;
    try {
      r = await runCli('sweep', file, '--out', join(dir, 'cli'), '--workers', '1');
    } finally {
      fault.failWith = null;
    }
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^livemig: cannot write .*results\.ndjson \(no space left on device\): the sweep stopped; the 2 runs recorded before it are kept\. [^\n]*--resume[^\n]*\n$/);
  });
});

void fs;
