import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POOL_STARTUP_MS, RESPONSIVE_RUN_MS, shouldStartThreads } from '../../src/batch/pool.js';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { slowExperiment, tempDir } from './helpers.js';

describe('when the pool starts threads (auto)', () => {
  it('threads pay once the in-process work passes S·T/(T−1); one thread never pays; long runs always go to threads', () => {
    const s = POOL_STARTUP_MS;
    expect(shouldStartThreads(1, 2 * s - 1, 2)).toBe(false); // W just under 2S with 2 threads
    expect(shouldStartThreads(1, 2 * s + 1, 2)).toBe(true);
    expect(shouldStartThreads(1, Math.ceil((s * 4) / 3) + 1, 4)).toBe(true);
    expect(shouldStartThreads(1, Math.floor((s * 4) / 3) - 1, 4)).toBe(false);
    expect(shouldStartThreads(10, 1e6, 1)).toBe(false); // one thread: in-process is never slower
    expect(shouldStartThreads(RESPONSIVE_RUN_MS + 1, 1, 1)).toBe(true); // but a signal must be able to stop a long run
    expect(shouldStartThreads(1e6, 0, 8)).toBe(false); // nothing left
  });

  it('a sweep of slow runs switches to threads after its first runs, with the same records as in-process', async () => {
    const dir = tempDir();
    const slow = checkExperiment(slowExperiment(40)); // enough runs that the projected work passes the start-up cost on any machine
    const auto = await runSweep({ experiment: slow, outDir: join(dir, 'auto'), workers: 2 });
    expect(auto.workers).toBe(2);
    const inProcess = await runSweep({ experiment: slow, outDir: join(dir, 'in'), workers: 2, pool: 'in-process' });
    expect(inProcess.workers).toBe(0);
    expect(JSON.stringify(readResults(join(dir, 'auto')))).toBe(JSON.stringify(readResults(join(dir, 'in'))));
  });
});
