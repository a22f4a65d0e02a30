import type { Redis } from 'ioredis';
import type { ScenarioRun } from '../experiments/types.js';

/**
 * Names in Redis. One BullMQ queue per sweep, named after the experiment and its fingerprint, so two sweeps
 * (or two versions of one experiment) never share jobs or results. livemig's own keys sit beside BullMQ's.
 */

/** How many hex digits of the fingerprint name a sweep: 64 bits, far from any collision among sweeps. */
const FP_DIGITS = 16;

/** The sweep registry: a set of queue names that workers watch for work. */
export const REGISTRY_KEY = 'livemig:sweeps';

export function queueName(experiment: { name: string; fingerprint: string }): string {
  // BullMQ keys are "bull:<queue>:…": keep the name free of ':' and of spaces for readable keys.
  const slug = experiment.name.normalize('NFKD').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'sweep';
  return `livemig.${slug}.${experiment.fingerprint.slice(0, FP_DIGITS)}`;
}

/**
 * The job holding the runs from `index` (a multiple of the sweep's batch size): the same id every time it is
 * enqueued, so adding it again does nothing.
 */
export function jobId(fingerprint: string, index: number): string {
  return `${fingerprint.slice(0, FP_DIGITS)}-${index}`;
}

/** What a job carries: the experiment's name and fingerprint, and its runs (a batch of consecutive indexes). */
export interface QueueJobData {
  experiment: { name: string; fingerprint: string };
  runs: ScenarioRun[];
}

/** The run indexes of a job's data, or [] when it is not a livemig job. */
export function runsOfJob(data: unknown): number[] {
  const runs = (data as Partial<QueueJobData> | null)?.runs;
  return Array.isArray(runs) ? runs.map((r) => (r as { index?: unknown }).index).filter((i): i is number => Number.isInteger(i)) : [];
}

export interface SweepKeys {
  /** Hash: run index → its results line ("" once the collector has it on disk). Written with HSETNX: first result wins. */
  results: string;
  /** List: run indexes in the order their first result arrived; the collector reads it from a cursor. */
  finished: string;
  /** Hash: run index → the livemig error (the user's) its run threw. */
  failures: string;
  /** Hash: name, fingerprint, total runs, created, and the experiment's source for `--status`. */
  meta: string;
  /** String: host and pid of the collector, with a short expiry it keeps renewing. */
  collector: string;
  /** Sorted set: "host pid N" of each worker process on the sweep, scored by its last heartbeat (ms). */
  workers: string;
}

/** A worker whose heartbeat is older than this is not counted. */
export const WORKER_HEARTBEAT_TTL_MS = 5000;

export function sweepKeys(queue: string): SweepKeys {
  const k = (s: string) => `livemig:${queue}:${s}`;
  return { results: k('results'), finished: k('finished'), failures: k('failures'), meta: k('meta'), collector: k('collector'), workers: k('workers') };
}

/** Worker processes with a recent heartbeat on the sweep. */
export async function countWorkers(redis: Redis, keys: SweepKeys): Promise<number> {
  return redis.zcount(keys.workers, Date.now() - WORKER_HEARTBEAT_TTL_MS, '+inf');
}
