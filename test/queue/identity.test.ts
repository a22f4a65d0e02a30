/**
 * The records of a 500-run sweep are identical whether it ran locally (in-process or on threads), through the
 * queue on one worker or on two, or as shards merged (sorted by index).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/batch/merge.js';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { drainQueue, PROBE_RUNS, runQueueSweep, runQueueWorker } from '../../src/queue/index.js';
import { tempDir } from '../batch/helpers.js';
import { SKIP_REASON, startRedis, type RedisServer } from './redis.js';

const MiB = 1024 * 1024;
const E500 = checkExperiment({
  name: 'five-hundred',
  base: { memoryBytes: 8 * MiB, bandwidthBytesPerSec: 12_500_000, maxTimeMs: 5000, workload: { kind: 'hot-cold', writesPerSec: 1000, hotFraction: 0.25, hotProbability: 0.9 } },
  axes: { 'workload.writesPerSec': [500, 2000, 8000, 20000, 40000], bandwidthBytesPerSec: [3e6, 6e6, 12.5e6, 25e6, 50e6] },
  seeds: { start: 1, count: 10 },
  policies: ['qemu', 'xen'],
});

describe('500 runs: one set of records, however the sweep ran', () => {
  const dir = tempDir();
  let reference = '';
  beforeAll(async () => {
    await runSweep({ experiment: E500, outDir: join(dir, 'in-process'), pool: 'in-process' });
    reference = JSON.stringify(readResults(join(dir, 'in-process')));
  });

  it('has 500 runs', () => {
    expect(E500.runs.length).toBe(500);
    expect(JSON.parse(reference)).toHaveLength(500);
  });

  it('local, on two threads', async () => {
    await runSweep({ experiment: E500, outDir: join(dir, 'threads'), workers: 2, pool: 'threads' });
    expect(JSON.stringify(readResults(join(dir, 'threads')))).toBe(reference);
  });

  it('as four shards, merged', async () => {
    const shards = [1, 2, 3, 4].map((i) => join(dir, `shard${i}`));
    for (let i = 0; i < 4; i++) await runSweep({ experiment: E500, outDir: shards[i]!, shard: { index: i + 1, count: 4 }, workers: 1 });
    mergeShards({ dirs: shards, outDir: join(dir, 'merged') });
    expect(JSON.stringify(readResults(join(dir, 'merged')))).toBe(reference);
  });

  describe.skipIf(SKIP_REASON !== null)('through the queue (real redis-server)', () => {
    let redis: RedisServer;
    beforeAll(async () => { redis = await startRedis(); });
    afterAll(async () => { await redis?.stop(); });

    for (const n of [1, 2]) {
      it(`on ${n} queue worker${n === 1 ? '' : 's'}`, async () => {
        const controller = new AbortController();
        const ws = Array.from({ length: n }, () => runQueueWorker({ queue: redis.url, workers: 1, signal: controller.signal, pollMs: 50 }));
        const out = join(dir, `queue${n}`);
        try {
          await runQueueSweep({ experiment: E500, queue: redis.url, outDir: out, pollMs: 20 });
        } finally {
          controller.abort();
        }
        const summaries = await Promise.all(ws);
        expect(summaries.reduce((a, s) => a + s.recorded, 0)).toBe(500 - PROBE_RUNS); // the collector timed the first runs
        expect(JSON.stringify(readResults(out))).toBe(reference);
        // Drain between runs: the same experiment again must start from an empty queue.
        await drainQueue({ experiment: E500, queue: redis.url });
      });
    }
  });
});
