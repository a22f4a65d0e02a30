import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { helpEntries, runCli } from '../cli/helpers.js';
import { BIN, ROOT, VARIED, slowExperiment, tempDir, writeExperiment } from './helpers.js';

const RUNS = 48;

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Starts `livemig sweep <args>` (the real executable); once results.ndjson holds at least `minLines` lines,
 * sends `signal` to it. Resolves when it has exited.
 */
function sweepUntil(args: string[], resultsFile: string, minLines: number, signal: NodeJS.Signals): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sweep', ...args], { cwd: ROOT, env: { ...process.env, LIVEMIG_DEBUG: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const poll = setInterval(() => {
      if (!existsSync(resultsFile)) return;
      const lines = readFileSync(resultsFile, 'utf8').split('\n').length - 1;
      if (lines >= minLines) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 5);
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stderr });
    });
  });
}

function lineCount(file: string): number {
  return readFileSync(file, 'utf8').split('\n').length - 1;
}

describe('livemig sweep (the executable)', () => {
  const dir = tempDir();
  const file = writeExperiment(dir, 'slow.json', slowExperiment(RUNS));
  const reference = join(dir, 'reference');

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build:ts` first');
    await runSweep({ experiment: checkExperiment(slowExperiment(RUNS)), outDir: reference, workers: 2 });
  });

  function expectSameAsReference(out: string): void {
    const lines = readFileSync(join(out, 'results.ndjson'), 'utf8').trimEnd().split('\n');
    const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.length).toBe(RUNS);
    expect(new Set(ids).size).toBe(RUNS); // no run twice
    expect(JSON.stringify(readResults(out))).toBe(JSON.stringify(readResults(reference)));
  }

  it('killed with SIGKILL part-way (and a torn last line), --resume finishes it: nothing lost, nothing twice', async () => {
    const out = join(dir, 'killed');
    const results = join(out, 'results.ndjson');
    const killed = await sweepUntil([file, '--out', out, '--workers', '2', '--no-progress'], results, 3, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const kept = lineCount(results);
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept, 'the sweep finished before it was killed: make the test experiment slower').toBeLessThan(RUNS);
    expect(existsSync(join(out, 'sweep.lock'))).toBe(true); // left behind by the kill; stale
    appendFileSync(results, '{"format":"livemig-run/1","experiment":"slo'); // a torn write

    const resumed = await runCli('sweep', file, '--out', out, '--resume', '--no-progress');
    expect(resumed.stderr).toContain(`resuming: ${kept} runs already recorded, ${RUNS - kept} to run`);
    expect(resumed.stderr).toMatch(/dropped a torn last line \(\d+ bytes\)/);
    expect(resumed.stderr).toMatch(new RegExp(`${RUNS}/${RUNS} runs recorded in .*\\(${RUNS - kept} run now: .*; ${kept} resumed\\)`));
    expect(resumed.code).toBe(0);
    expectSameAsReference(out);
  });

  it('stopped with SIGINT: exits 130, says how to resume, and --resume finishes the sweep', async () => {
    const out = join(dir, 'interrupted');
    const results = join(out, 'results.ndjson');
    const stopped = await sweepUntil([file, '--out', out, '--workers', '2', '--no-progress'], results, 3, 'SIGINT');
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/stopped by SIGINT: \d+ of 48 runs recorded in .*results\.ndjson/);
    expect(stopped.stderr).toContain(`To continue: livemig sweep ${file} --out ${out} --resume`);
    expect(lineCount(results)).toBeLessThan(RUNS);
    expect(existsSync(join(out, 'sweep.lock'))).toBe(false);
    // Without --resume the directory is refused.
    const again = await runCli('sweep', file, '--out', out, '--no-progress');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^livemig: .* already holds a sweep \(manifest\.json\); add --resume to continue it, or choose another --out directory\n$/);
    const resumed = await runCli('sweep', file, '--out', out, '--resume', '--no-progress');
    expect(resumed.code).toBe(0);
    expectSameAsReference(out);
  });

  it('--resume with a different experiment or shard is refused (exit 2)', async () => {
    const changed = writeExperiment(dir, 'changed.json', slowExperiment(RUNS + 1));
    const r = await runCli('sweep', changed, '--out', reference, '--resume', '--no-progress');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^livemig: cannot resume: .* holds a sweep of experiment "slow" \(fingerprint [0-9a-f]{12}…\), shard 1\/1, but .*changed\.json .*the experiment changed since that sweep started/);
    const s = await runCli('sweep', file, '--out', reference, '--resume', '--shard', '2/2', '--no-progress');
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/holds shard 1\/1 of the sweep, not shard 2\/2/);
  });
});

describe('livemig sweep: flags and experiment errors', () => {
  const dir = tempDir();
  const good = writeExperiment(dir, 'good.json', VARIED);

  it('a malformed experiment file exits 2 with an error naming the JSON path', async () => {
    const bad = writeExperiment(dir, 'bad.json', { ...VARIED, axes: { 'workload.writesPerSec': [1000, -5] } });
    const r = await runCli('sweep', bad, '--out', join(dir, 'o1'), '--no-progress');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^livemig: .*bad\.json: invalid \$\.axes\["workload\.writesPerSec"\]\[1\]: -5; expected /);
    expect(existsSync(join(dir, 'o1'))).toBe(false); // nothing written
    const typo = writeExperiment(dir, 'typo.json', { ...VARIED, polices: ['qemu'] });
    const t = await runCli('sweep', typo, '--out', join(dir, 'o1'));
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/invalid \$\.polices: \["qemu"\]; expected no such field/);
    const notJson = writeExperiment(dir, 'not.json', 'x');
    appendFileSync(notJson, '{');
    expect((await runCli('sweep', notJson, '--out', join(dir, 'o1'))).stderr).toMatch(/not\.json: not valid JSON/);
    expect((await runCli('sweep', join(dir, 'missing.json'), '--out', join(dir, 'o1'))).stderr).toMatch(/missing\.json: cannot read the experiment file \(ENOENT\)/);
  });

  it('bad --shard and --workers values exit 2 naming the flag and the accepted form', async () => {
    const s = await runCli('sweep', good, '--out', join(dir, 'o2'), '--shard', '0/4');
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^livemig: invalid --shard: "0\/4"; expected i\/n: whole numbers with 1 ≤ i ≤ n .*e\.g\. 2\/4/);
    const w = await runCli('sweep', good, '--out', join(dir, 'o2'), '--workers', 'many');
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/^livemig: invalid --workers: "many"; expected a whole number from 1 to 1024/);
    const o = await runCli('sweep', good);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/required option '-o, --out <dir>' not specified/);
  });

  it('runs a sweep: one final line on stderr, the summary table on stdout', async () => {
    const r = await runCli('sweep', good, '--out', join(dir, 'o3'), '--workers', '2', '--shard', '2/4');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Results by point and policy, over \d+ seeds? \(completed runs only\):\n/);
    expect(r.stderr).toMatch(/^livemig: sweep "varied" \(shard 2\/4\): 9\/9 runs recorded in .*results\.ndjson \(9 run now: \d+ completed, \d+ cancelled; 0 resumed\) in [\d.]+ s in-process \(too few runs to pay for worker threads\)\n$/);
    expect(readResults(join(dir, 'o3')).map((x) => x.index)).toEqual([1, 5, 9, 13, 17, 21, 25, 29, 33]);
  });

  it('--help documents every flag with its default, and gives examples', async () => {
    const r = await runCli('sweep', '--help');
    expect(r.code).toBe(0);
    const entries = helpEntries(r.stdout);
    for (const flag of ['--workers', '--resume', '--shard', '--shard-count', '--queue', '--batch', '--no-progress']) expect(entries.get(flag), flag).toMatch(/\(default: [^)]+\)$/);
    expect(entries.get('--out')).toMatch(/\(required\)$/);
    expect(r.stdout).toMatch(/^Usage: livemig sweep \[options\] <experiment>/);
    expect(r.stdout).toMatch(/Examples:\n(?: {2}\$ livemig sweep .*\n){3}/);
    expect(r.stdout).toContain('sort them by "index"');
  });
});
