import type { Redis } from 'ioredis';
import type { SweepKeys } from './names.js';

// First result wins: HSETNX, and the index joins the finished list only when it was new. One script, so a
// worker killed between the two steps cannot leave a result the collector never hears of.
const RECORD = `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]) return 1 end return 0`;

/** Writes a run's results line unless the run already has one; true if this one was kept. */
export async function recordResult(redis: Redis, keys: SweepKeys, index: number, line: string): Promise<boolean> {
  return (await redis.eval(RECORD, 2, keys.results, keys.finished, String(index), line)) === 1;
}

/** recordResult for several runs in one round trip; true for each result that was kept. */
export async function recordResults(redis: Redis, keys: SweepKeys, items: readonly { index: number; line: string }[]): Promise<boolean[]> {
  if (items.length === 0) return [];
  const p = redis.pipeline();
  for (const it of items) p.eval(RECORD, 2, keys.results, keys.finished, String(it.index), it.line);
  const replies = (await p.exec()) ?? [];
  return replies.map(([err, v]) => {
    if (err) throw err;
    return v === 1;
  });
}
