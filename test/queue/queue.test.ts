import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { runQueueSweep, runQueueWorker, queueStatus, drainQueue } from '../../src/queue/index.js';
import { QueueError } from '../../src/errors/queue-error.js';
import { VARIED, tempDir } from '../batch/helpers.js';
import { SKIP_REASON, startRedis, type RedisServer } from './redis.js';

const varied = checkExperiment(VARIED);

describe.skipIf(SKIP_REASON !== null)('queue sweep (library, real redis-server)', () => {
  const dir = tempDir();
  let redis: RedisServer;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it('one in-process worker: the records equal a local sweep, record for record', async () => {
    const local = join(dir, 'local');
    await runSweep({ experiment: varied, outDir: local, workers: 1 });
    const controller = new AbortController();
    const worker = runQueueWorker({ queue: redis.url, workers: 2, signal: controller.signal, pollMs: 100 });
    const out = join(dir, 'queue');
    const s = await runQueueSweep({ experiment: varied, queue: redis.url, outDir: out, pollMs: 50 });
    controller.abort();
    const w = await worker;
    expect(s).toMatchObject({ total: 36, done: 36, remaining: 0, failed: 0, interrupted: false });
    expect(w.recorded).toBe(36);
    expect(JSON.stringify(readResults(out))).toBe(JSON.stringify(readResults(local)));
    const st = await queueStatus({ experiment: varied, queue: redis.url });
    expect(st).toMatchObject({ waiting: 0, active: 0, failed: 0, results: 36, registered: false, collector: null });
    await drainQueue({ experiment: varied, queue: redis.url });
    expect(await queueStatus({ experiment: varied, queue: redis.url })).toMatchObject({ results: 0 });
  });

  it('refuses an unreachable server with a QueueError naming it', async () => {
    await expect(runQueueSweep({ experiment: varied, queue: `unix://${join(dir, 'nope.sock')}`, outDir: join(dir, 'nope') })).rejects.toThrow(QueueError);
  });
});
