import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../src/batch/manifest.js';
import { toRunRecord } from '../../src/batch/record.js';
import { readResults } from '../../src/batch/results.js';
import { SweepError } from '../../src/errors/sweep-error.js';
import { locateWorker, runSweep, type SweepProgress } from '../../src/batch/sweep.js';
import { migrate } from '../../src/api/migrate.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { VARIED, slowExperiment, tempDir, writeExperiment } from './helpers.js';

const varied = checkExperiment(VARIED);

describe('runSweep', () => {
  const dir = tempDir();

  it('finds its compiled worker under dist/', () => {
    expect(locateWorker()).toMatch(/dist[/\\]src[/\\]batch[/\\]sweep-worker\.js$/);
  });

  it('gives the same records with 1 and with several workers, equal to migrate() run in-process', async () => {
    const progress: SweepProgress[] = [];
    const one = await runSweep({ experiment: varied, outDir: join(dir, 'w1'), workers: 1, onProgress: (p) => progress.push(p) });
    const many = await runSweep({ experiment: varied, outDir: join(dir, 'w3'), workers: 3 });
    for (const s of [one, many]) {
      expect(s).toMatchObject({ total: 36, done: 36, skipped: 0, remaining: 0, interrupted: false, droppedBytes: 0 });
      expect(s.completed + s.cancelled).toBe(36);
    }
    expect(one.completed).toBeGreaterThan(0);
    expect(one.cancelled).toBeGreaterThan(0);
    expect(one.workers).toBe(1);
    expect(many.workers).toBe(3);
    const a = readResults(join(dir, 'w1'));
    const b = readResults(join(dir, 'w3'));
    expect(a.map((r) => r.index)).toEqual(varied.runs.map((r) => r.index));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const direct = varied.runs.map((r) => toRunRecord(varied, r, migrate(r.options)));
    expect(JSON.stringify(a)).toBe(JSON.stringify(direct));
    // Progress: one call before any run, then one per recorded run.
    expect(progress[0]).toMatchObject({ total: 36, done: 0, run: null });
    expect(progress.length).toBe(37);
    expect(progress.at(-1)).toMatchObject({ total: 36, done: 36 });
    expect(new Set(progress.slice(1).map((p) => p.run!.id)).size).toBe(36);
  });

  it('writes a manifest with the experiment, its fingerprint, the shard and a copy of the file', async () => {
    const file = writeExperiment(dir, 'varied.json', VARIED);
    const out = join(dir, 'manifest');
    await runSweep({ experiment: file, outDir: out, workers: 2, shard: '2/3' });
    const m = readManifest(out);
    expect(m).toMatchObject({ format: 'livemig-sweep/1', experiment: 'varied', fingerprint: varied.fingerprint, totalRuns: 36, shard: { index: 2, count: 3 }, shardRuns: 12 });
    expect(m.experimentSource).toEqual(VARIED);
    expect(m.experimentFile).toBe(file);
    expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
  });

  it('shards 1/3, 2/3, 3/3 together give the whole sweep, without overlap', async () => {
    const dirs: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const out = join(dir, `shard${i}`);
      const s = await runSweep({ experiment: varied, outDir: out, workers: 2, shard: { index: i, count: 3 } });
      expect(s.total).toBe(12);
      const idx = readResults(out).map((r) => r.index);
      expect(idx.every((x) => x % 3 === i - 1)).toBe(true);
      dirs.push(out);
    }
    expect(JSON.stringify(readResults(dirs))).toBe(JSON.stringify(readResults(join(dir, 'w1'))));
  });

  it('stops on its signal, keeps what finished, and a resume completes the sweep with no run twice', async () => {
    const slow = checkExperiment(slowExperiment(24));
    const out = join(dir, 'abort');
    const controller = new AbortController();
    const first = await runSweep({
      experiment: slow, outDir: out, workers: 2, signal: controller.signal,
      onProgress: (p) => { if (p.done === 5) controller.abort(); },
    });
    expect(first.interrupted).toBe(true);
    expect(first.done).toBe(5);
    expect(first.remaining).toBe(19);
    expect(readResults(out).length).toBe(5);
    const second = await runSweep({ experiment: slow, outDir: out, workers: 2, resume: true });
    expect(second).toMatchObject({ interrupted: false, skipped: 5, done: 19, remaining: 0 });
    const lines = readFileSync(join(out, 'results.ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(24);
    const records = readResults(out);
    expect(records.map((r) => r.index)).toEqual(slow.runs.map((r) => r.index));
    // Resuming a finished sweep runs nothing.
    const third = await runSweep({ experiment: slow, outDir: out, workers: 2, resume: true });
    expect(third).toMatchObject({ skipped: 24, done: 0 });
  });

  it('refuses a used directory without resume, another experiment or shard on resume, and bad options', async () => {
    const out = join(dir, 'w1');
    await expect(runSweep({ experiment: varied, outDir: out, workers: 1 })).rejects.toThrow(/already holds a sweep .*add --resume to continue it, or choose another --out/);
    const other = checkExperiment({ ...VARIED, seeds: [1, 2, 3] });
    await expect(runSweep({ experiment: other, outDir: out, resume: true })).rejects.toThrow(/cannot resume: .* holds a sweep of experiment "varied" .*the experiment changed/);
    await expect(runSweep({ experiment: varied, outDir: out, resume: true, shard: '1/2' })).rejects.toThrow(/holds shard 1\/1 of the sweep, not shard 1\/2/);
    await expect(runSweep({ experiment: varied, outDir: join(dir, 'x'), workers: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(runSweep({ experiment: varied, outDir: join(dir, 'x'), shard: '3/2' })).rejects.toThrow(/invalid shard/);
    // results without a manifest cannot be checked, so they are not resumed
    const orphan = join(dir, 'orphan');
    await runSweep({ experiment: varied, outDir: orphan, workers: 1, shard: '1/36' });
    unlinkSync(join(orphan, 'manifest.json'));
    await expect(runSweep({ experiment: varied, outDir: orphan, resume: true, shard: '1/36' })).rejects.toThrow(/has results\.ndjson but no manifest\.json/);
    writeFileSync(join(orphan, 'manifest.json'), '{}');
    await expect(runSweep({ experiment: varied, outDir: orphan, resume: true, shard: '1/36' })).rejects.toThrow(/not a livemig sweep manifest/);
  });

  it('a run that fails stops the sweep with an error naming the run; what finished is kept', async () => {
    // Built by hand to get past the experiment checks: run p7's options are invalid.
    const broken = { ...varied, runs: varied.runs.map((r) => (r.index === 7 ? { ...r, options: { ...r.options, memoryBytes: -1 } } : r)) };
    const out = join(dir, 'broken');
    await expect(runSweep({ experiment: broken, outDir: out, workers: 1 })).rejects.toThrow(
      /^run p7 \(workload\.writesPerSec=1000, bandwidthBytesPerSec=12500000, seed=1, policy=xen\) failed: invalid memoryBytes: -1; expected /,
    );
    await expect(runSweep({ experiment: broken, outDir: join(dir, 'broken2'), workers: 2 })).rejects.toThrow(SweepError);
    expect(readResults(out).map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
  });

  it('refuses a directory another live sweep holds, and takes over a stale lock', async () => {
    const out = join(dir, 'locked');
    await runSweep({ experiment: varied, outDir: out, shard: '1/36', workers: 1 });
    writeFileSync(join(out, 'sweep.lock'), JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname() }));
    await expect(runSweep({ experiment: varied, outDir: out, shard: '1/36', resume: true })).rejects.toThrow(SweepError);
    await expect(runSweep({ experiment: varied, outDir: out, shard: '1/36', resume: true })).rejects.toThrow(/in use by another livemig sweep \(pid \d+\)/);
    writeFileSync(join(out, 'sweep.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname() }));
    await expect(runSweep({ experiment: varied, outDir: out, shard: '1/36', resume: true })).resolves.toMatchObject({ skipped: 1, done: 0 });
    expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
  });
});
