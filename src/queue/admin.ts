/** `--status` and `--drain` of a queue sweep: what Redis holds for it, and removing all of it. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { resolveExperiment } from '../batch/experiment-source.js';
import type { Experiment } from '../experiments/types.js';
import { connect } from './connection.js';
import { countWorkers, queueName, REGISTRY_KEY, runsOfJob, sweepKeys } from './names.js';
import { parseQueueUrl, type QueueTarget } from './url.js';

export interface QueueStatus {
  queue: string;
  experiment: string;
  fingerprint: string;
  totalRuns: number;
  /** Whether workers are told to take its jobs. */
  registered: boolean;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** Runs with a result in Redis (collected or not). */
  results: number;
  /** Worker connections on the queue. */
  workers: number;
  /** Who collects it ("host pid N into DIR"), or null. */
  collector: string | null;
  /** The first failed runs: index and message. */
  failures: { index: number; message: string }[];
}

export interface QueueAdminOptions {
  experiment: string | Experiment;
  queue: string | QueueTarget;
}

async function open(o: QueueAdminOptions) {
  const { experiment } = resolveExperiment(o.experiment);
  const target = typeof o.queue === 'string' ? parseQueueUrl(o.queue, 'queue') : o.queue;
  const redis = await connect(target);
  const name = queueName(experiment);
  const queue = new Queue(name, { connection: redis });
  queue.on('error', () => undefined);
  return { experiment, redis, name, keys: sweepKeys(name), queue };
}

export async function queueStatus(o: QueueAdminOptions): Promise<QueueStatus> {
  const { experiment, redis, name, keys, queue } = await open(o);
  try {
    const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    const failedJobs = await queue.getFailed(0, 9);
    const userFailures = await redis.hgetall(keys.failures);
    return {
      queue: name,
      experiment: experiment.name,
      fingerprint: experiment.fingerprint,
      totalRuns: experiment.runs.length,
      registered: (await redis.sismember(REGISTRY_KEY, name)) === 1,
      waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
      active: c['active'] ?? 0,
      delayed: c['delayed'] ?? 0,
      failed: c['failed'] ?? 0,
      results: await redis.hlen(keys.results),
      workers: await countWorkers(redis, keys),
      collector: await redis.get(keys.collector),
      failures: await failedRuns(redis, keys.results, failedJobs, userFailures),
    };
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

/** The runs of failed jobs that have no result (a batch's other runs may have succeeded), first ten. */
async function failedRuns(redis: Redis, results: string, jobs: { data: unknown; failedReason: string }[], user: Record<string, string>): Promise<{ index: number; message: string }[]> {
  const out: { index: number; message: string }[] = [];
  for (const j of jobs) {
    const runs = runsOfJob(j.data);
    if (runs.length === 0) continue;
    const have = await redis.hmget(results, ...runs.map(String));
    runs.forEach((index, k) => {
      if (have[k] === null) out.push({ index, message: user[String(index)] ?? j.failedReason });
    });
  }
  return out.sort((a, b) => a.index - b.index).slice(0, 10);
}

/** Removes the sweep's queue (every job, whatever its state) and livemig's keys for it. */
export async function drainQueue(o: QueueAdminOptions): Promise<{ queue: string; removedKeys: number }> {
  const { redis, name, keys, queue } = await open(o);
  try {
    await queue.obliterate({ force: true });
    const removedKeys = await redis.del(keys.results, keys.finished, keys.failures, keys.meta, keys.collector, keys.workers);
    await redis.srem(REGISTRY_KEY, name);
    return { queue: name, removedKeys };
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}
