/**
 * Kill/resume property: a sweep killed with SIGKILL at random moments, then resumed each time, ends with exactly
 * the records of the uninterrupted sweep (nothing lost, nothing twice, the same bytes). The real executable.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { BIN, ROOT, slowExperiment, tempDir, writeExperiment } from '../batch/helpers.js';

const RUNS = 12;

/** Runs `livemig sweep <args>`; sends `sig` (SIGKILL) after `killAfterMs` unless it has exited. */
function sweepKilledAfter(args: string[], killAfterMs: number | null, sig: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sweep', ...args], { cwd: ROOT, env: { ...process.env, LIVEMIG_DEBUG: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill(sig), killAfterMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('kill/resume (property)', () => {
  const dir = tempDir();
  const file = writeExperiment(dir, 'slow.json', slowExperiment(RUNS, 'kill-resume'));
  const reference = join(dir, 'reference');
  let n = 0;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build:ts` first');
    await runSweep({ experiment: checkExperiment(slowExperiment(RUNS, 'kill-resume')), outDir: reference, workers: 2 });
  });

  it('SIGKILL at random moments, resumed each time, equals the uninterrupted sweep', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 1200 }), { minLength: 1, maxLength: 2 }), async (kills) => {
      const out = join(dir, `killed-${n++}`);
      const args = [file, '--out', out, '--resume', '--workers', '2', '--no-progress'];
      for (const ms of kills) {
        const r = await sweepKilledAfter(args, ms);
        expect(r.stderr, r.stderr).not.toMatch(/internal error/);
        if (r.code === 0) break; // it finished before the kill
        expect(r.signal).toBe('SIGKILL');
      }
      const last = await sweepKilledAfter(args, null);
      expect(last.code, last.stderr).toBe(0);
      const lines = readFileSync(join(out, 'results.ndjson'), 'utf8').trimEnd().split('\n');
      const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
      expect(new Set(ids).size).toBe(RUNS);
      expect(ids.length).toBe(RUNS);
      expect(JSON.stringify(readResults(out))).toBe(JSON.stringify(readResults(reference)));
    }), { seed: 7, numRuns: 2, endOnFailure: true });
  }, 240_000);

  it('SIGTERM in any phase (starting, loading, running, finishing) stops the sweep cleanly; --resume completes it', async () => {
    for (const ms of [0, 150, 400, 900]) {
      const out = join(dir, `term-${ms}`);
      const args = [file, '--out', out, '--resume', '--workers', '2', '--no-progress'];
      const r = await sweepKilledAfter(args, ms, 'SIGTERM');
      expect(r.stderr, r.stderr).not.toMatch(/internal error/);
      // stopped by the default action before the handler is set, with 143 after, or done before the signal
      expect(r.signal === 'SIGTERM' || r.code === 143 || r.code === 0, `exit ${r.code} ${r.signal}: ${r.stderr}`).toBe(true);
      const last = await sweepKilledAfter(args, null);
      expect(last.code, last.stderr).toBe(0);
      expect(JSON.stringify(readResults(out))).toBe(JSON.stringify(readResults(reference)));
    }
  }, 240_000);
});
