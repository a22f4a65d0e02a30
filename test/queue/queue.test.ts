import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { runQueueSweep, runQueueWorker, queueStatus, drainQueue, PROBE_RUNS } from '../../src/queue/index.js';
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
    expect(w.recorded).toBe(36 - PROBE_RUNS); // the collector timed the first runs itself
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

describe.skipIf(SKIP_REASON !== null)('queue sweep failures (library, real redis-server)', () => {
  const dir = tempDir();
  let redis: RedisServer;
  beforeAll(async () => { redis = await startRedis(); });
  afterAll(async () => { await redis?.stop(); });

  it('a run throwing a livemig error is recorded as failed with its message, not retried; the rest is collected; --resume retries it', async () => {
    // Built by hand to get past the experiment checks: run p7's options are invalid.
    const broken = { ...varied, name: 'broken', runs: varied.runs.map((r) => (r.index === 7 ? { ...r, options: { ...r.options, memoryBytes: -1 } } : r)) };
    const attempts = new Map<number, number>();
    const controller = new AbortController();
    const worker = runQueueWorker({
      queue: redis.url, workers: 2, signal: controller.signal, pollMs: 50,
      execute: async (task) => {
        attempts.set(task.run.index, (attempts.get(task.run.index) ?? 0) + 1);
        const { runTask } = await import('../../src/batch/sweep-worker.js');
        return runTask(task);
      },
    });
    const out = join(dir, 'broken');
    const err = await runQueueSweep({ experiment: broken, queue: redis.url, outDir: out, pollMs: 50, batch: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueError);
    expect((err as Error).message).toMatch(/^1 run failed: run p7 \(workload\.writesPerSec=1000, bandwidthBytesPerSec=12500000, seed=1, policy=xen\) failed: invalid memoryBytes: -1; expected .*35 runs are in .*results\.ndjson; --resume retries the failed runs$/);
    expect(attempts.get(7)).toBe(1);
    expect(readResults(out).length).toBe(35);
    const st = await queueStatus({ experiment: broken, queue: redis.url });
    expect(st).toMatchObject({ failed: 1, failures: [{ index: 7, message: expect.stringMatching(/invalid memoryBytes: -1/) as unknown }] });
    // --resume: the failed run gets another go (and fails again: the error is deterministic).
    await expect(runQueueSweep({ experiment: broken, queue: redis.url, outDir: out, pollMs: 50, resume: true })).rejects.toThrow(/^1 run failed: run p7 /);
    expect(attempts.get(7)).toBe(2);
    controller.abort();
    await worker;
  });

  it(`an internal error is retried, at most ${3} attempts in all; one that keeps failing is an internal (non-livemig) error`, async () => {
    const e = checkExperiment({ ...VARIED, name: 'flaky', axes: { 'workload.writesPerSec': [1000, 8000] }, policies: ['qemu'] });
    const attempts = new Map<number, number>();
    const controller = new AbortController();
    const { runTask } = await import('../../src/batch/sweep-worker.js');
    const worker = runQueueWorker({
      queue: redis.url, workers: 2, signal: controller.signal, pollMs: 50,
      execute: async (task) => {
        const n = (attempts.get(task.run.index) ?? 0) + 1;
        attempts.set(task.run.index, n);
        if (task.run.index === 1 && n < 3) throw new Error('thread crashed');
        if (task.run.index === 2) return { ok: false, index: 2, error: { name: 'TypeError', message: 'bug', user: false, stack: undefined } };
        return runTask(task);
      },
    });
    const out = join(dir, 'flaky');
    const err = await runQueueSweep({ experiment: e, queue: redis.url, outDir: out, pollMs: 50, batch: 1 }).catch((x: unknown) => x);
    controller.abort();
    await worker;
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(QueueError);
    expect((err as Error).message).toMatch(/^1 run failed: run p2 \(.*\) failed 3 times: run p2 .* failed in its worker: bug\. 3 runs are in /);
    expect(attempts.get(1)).toBe(3); // failed twice, then succeeded
    expect(attempts.get(2)).toBe(3); // bounded
    expect(readResults(out).map((r) => r.index)).toEqual([0, 1, 3]);
  });
});
