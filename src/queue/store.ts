import type { Redis } from 'ioredis';
import type { SweepKeys } from './names.js';

// First result wins: HSETNX, and the index joins the finished list only when it was new. One script, so a
// worker killed between the two steps cannot leave a result the collector never hears of.
const RECORD = `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]) return 1 end return 0`;

/** Writes a run's results line unless the run already has one; true if this one was kept. */
export async function recordResult(redis: Redis, keys: SweepKeys, index: number, line: string): Promise<boolean> {
  return (await redis.eval(RECORD, 2, keys.results, keys.finished, String(index), line)) === 1;
}
