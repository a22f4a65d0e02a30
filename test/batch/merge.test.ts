import { writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoShard } from '../../src/batch/auto-shard.js';
import { mergeShards } from '../../src/batch/merge.js';
import { readManifest } from '../../src/batch/manifest.js';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import { SweepError } from '../../src/errors/sweep-error.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { runCli } from '../cli/helpers.js';
import { VARIED, tempDir, writeExperiment } from './helpers.js';

const varied = checkExperiment(VARIED);

describe('--shard auto', () => {
  it('Slurm: SLURM_ARRAY_TASK_ID with COUNT, or with MIN/MAX; 0- and 1-based arrays', () => {
    expect(autoShard({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0' }, undefined)).toEqual({ index: 1, count: 4 });
    expect(autoShard({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' }, undefined)).toEqual({ index: 4, count: 4 });
    expect(autoShard({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '8' }, undefined)).toEqual({ index: 5, count: 8 });
    expect(autoShard({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '9' }, 10)).toEqual({ index: 3, count: 10 });
  });

  it('Kubernetes: JOB_COMPLETION_INDEX with --shard-count', () => {
    expect(autoShard({ JOB_COMPLETION_INDEX: '0' }, 3)).toEqual({ index: 1, count: 3 });
    expect(autoShard({ JOB_COMPLETION_INDEX: '2' }, 3)).toEqual({ index: 3, count: 3 });
    expect(() => autoShard({ JOB_COMPLETION_INDEX: '2' }, undefined)).toThrow(/invalid --shard-count: missing; expected the number of shards \(the Indexed Job's completions\)/);
  });

  it('refuses what cannot be mapped: no array, a stepped array, bad values', () => {
    expect(() => autoShard({}, undefined)).toThrow(InvalidOptionError);
    expect(() => autoShard({}, undefined)).toThrow(/in a Slurm array \(SLURM_ARRAY_TASK_ID set\) or a Kubernetes Indexed Job \(JOB_COMPLETION_INDEX set\)/);
    // --array=0-10:2 → ids 0,2,…,10, COUNT 6: id 10 would be shard 11 of 6.
    expect(() => autoShard({ SLURM_ARRAY_TASK_ID: '10', SLURM_ARRAY_TASK_COUNT: '6', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '10' }, undefined)).toThrow(/no :step or lists/);
    expect(() => autoShard({ SLURM_ARRAY_TASK_ID: 'x' }, undefined)).toThrow(/invalid SLURM_ARRAY_TASK_ID: "x"/);
    expect(() => autoShard({ JOB_COMPLETION_INDEX: '3' }, 3)).toThrow(/shard 4 of 3/);
  });

  it('the CLI: --shard auto from the environment, and --shard-count without auto refused', async () => {
    const dir = tempDir();
    const file = writeExperiment(dir, 'varied.json', VARIED);
    process.env['JOB_COMPLETION_INDEX'] = '1';
    try {
      const r = await runCli('sweep', file, '--out', join(dir, 'k'), '--shard', 'auto', '--shard-count', '3', '--workers', '1');
      expect(r.code, r.stderr).toBe(0);
      expect(readManifest(join(dir, 'k')).shard).toEqual({ index: 2, count: 3 });
    } finally {
      delete process.env['JOB_COMPLETION_INDEX'];
    }
    const bad = await runCli('sweep', file, '--out', join(dir, 'k2'), '--shard', '1/3', '--shard-count', '3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^livemig: invalid --shard-count: "3"; expected to be used with --shard auto\n$/);
  });
});

describe('livemig merge', () => {
  const dir = tempDir();
  const shards = [1, 2, 3].map((i) => join(dir, `s${i}`));

  it('merges shard folders into one equal to a whole sweep: every index once, in index order', async () => {
    for (let i = 0; i < 3; i++) await runSweep({ experiment: varied, outDir: shards[i]!, workers: 1, shard: { index: i + 1, count: 3 } });
    const whole = join(dir, 'whole');
    await runSweep({ experiment: varied, outDir: whole, workers: 1 });
    const r = await runCli('merge', ...shards, '--out', join(dir, 'merged'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^livemig: merge: 36\/36 runs of "varied" from 3 folders, each exactly once; written to .*merged\n$/);
    expect(JSON.stringify(readResults(join(dir, 'merged')))).toBe(JSON.stringify(readResults(whole)));
    const idx = readFileSync(join(dir, 'merged', 'results.ndjson'), 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { index: number }).index);
    expect(idx).toEqual([...Array(36).keys()]);
    expect(readManifest(join(dir, 'merged'))).toMatchObject({ shard: { index: 1, count: 1 }, shardRuns: 36, fingerprint: varied.fingerprint });
    // Only checking: no --out.
    expect((await runCli('merge', ...shards)).stderr).toMatch(/each exactly once \(checked; add --out DIR to write them\)/);
  });

  it('names what is missing: a shard not given, or runs missing from one', async () => {
    expect(() => mergeShards({ dirs: [shards[0]!, shards[2]!] })).toThrow(SweepError);
    const r = await runCli('merge', shards[0]!, shards[2]!);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^livemig: cannot merge: missing 12 of 36 runs \(p1, p4, p7, p10, p13, p16, … p34\); shard 2\/3: no folder given \(12 runs\)\n$/);
    // A shard with its last two runs lost (killed): named with its folder.
    const partial = join(dir, 's3-partial');
    await runSweep({ experiment: varied, outDir: partial, workers: 1, shard: '3/3' });
    const file = join(partial, 'results.ndjson');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${lines.slice(0, -2).join('\n')}\n`);
    const p = await runCli('merge', shards[0]!, shards[1]!, partial);
    expect(p.stderr).toMatch(/^livemig: cannot merge: missing 2 of 36 runs \(p32, p35\); shard 3\/3 in .*s3-partial: 2 runs missing \(resume it with --resume\)\n$/);
  });

  it('refuses folders of different experiments, a run in two folders, and a damaged line (by number)', async () => {
    const other = join(dir, 'other');
    await runSweep({ experiment: checkExperiment({ ...VARIED, seeds: [5] }), outDir: other, workers: 1, shard: '1/3' });
    expect((await runCli('merge', shards[0]!, other)).stderr).toMatch(/^livemig: cannot merge: .*s1 holds experiment "varied" .* but .*other holds experiment "varied" \(fingerprint [0-9a-f]{12}…\), shard 1\/3; every folder must come from the same experiment\n$/);
    expect((await runCli('merge', shards[0]!, shards[0]!, shards[1]!, shards[2]!)).stderr).toMatch(/^livemig: run p0 is in both .*s1 and .*s1 .*exactly one shard folder/);
    const damaged = join(dir, 's2-damaged');
    await runSweep({ experiment: varied, outDir: damaged, workers: 1, shard: '2/3' });
    const file = join(damaged, 'results.ndjson');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const r = JSON.parse(lines[2]!) as { summary: { rounds: unknown } };
    r.summary.rounds = null;
    lines[2] = JSON.stringify(r);
    writeFileSync(file, `${lines.join('\n')}\n`);
    appendFileSync(file, '');
    expect((await runCli('merge', shards[0]!, damaged, shards[2]!)).stderr).toMatch(/^livemig: .*s2-damaged\/results\.ndjson:3: a damaged run record \(summary\.rounds: null\)\n$/);
    expect((await runCli('merge', join(dir, 'nothing'))).stderr).toMatch(/^livemig: .*nothing: no manifest\.json/);
  });
});
