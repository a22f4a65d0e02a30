/**
 * Redis restarted mid-sweep, with and without persistence: the collector and the worker reconnect by
 * themselves and the sweep ends with the same records as a local sweep (without persistence, the runs
 * Redis lost are enqueued again by the collector).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { runQueueSweep, runQueueWorker } from '../../src/queue/index.js';
import { slowExperiment, tempDir } from '../batch/helpers.js';
import { SKIP_REASON, startRedis } from './redis.js';

const RUNS = 16;
const slow = checkExperiment(slowExperiment(RUNS, 'restart'));

function lines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

describe.skipIf(SKIP_REASON !== null)('Redis restarted mid-sweep (real redis-server)', () => {
  const dir = tempDir();
  let reference = '';
  beforeAll(async () => {
    await runSweep({ experiment: slow, outDir: join(dir, 'reference'), workers: 2 });
    reference = JSON.stringify(readResults(join(dir, 'reference')));
  });

  for (const persistence of [true, false]) {
    it(persistence ? 'with persistence (appendonly): the queue survives, the sweep carries on' : 'without persistence: the collector enqueues what Redis lost again', async () => {
      const redisDir = mkdtempSync(join(tmpdir(), 'livemig-redis-restart-'));
      const args = persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : [];
      let redis = await startRedis({ dir: redisDir, args });
      const controller = new AbortController();
      const out = join(dir, persistence ? 'aof' : 'none');
      try {
        const worker = runQueueWorker({ queue: redis.url, workers: 1, signal: controller.signal, pollMs: 100 });
        const sweep = runQueueSweep({ experiment: slow, queue: redis.url, outDir: out, pollMs: 50, batch: 1 });
        const t0 = Date.now();
        while (lines(join(out, 'results.ndjson')) < 4) {
          if (Date.now() - t0 > 60_000) throw new Error('no results');
          await new Promise((r) => setTimeout(r, 10));
        }
        await redis.stop();
        redis = await startRedis({ dir: redisDir, args });
        const s = await sweep;
        expect(s).toMatchObject({ total: RUNS, remaining: 0, failed: 0 });
        expect(JSON.stringify(readResults(out))).toBe(reference);
        const ids = readFileSync(join(out, 'results.ndjson'), 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { index: number }).index);
        expect(new Set(ids).size).toBe(RUNS);
        controller.abort();
        await worker;
      } finally {
        controller.abort();
        await redis.stop();
        rmSync(redisDir, { recursive: true, force: true });
      }
    });
  }
  afterAll(() => undefined);
});
