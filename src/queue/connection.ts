import { Redis } from 'ioredis';
import { QueueError } from '../errors/queue-error.js';
import type { QueueTarget } from './url.js';

/** How long to wait for Redis before giving up with a user error (a wrong host, port or socket). */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * A connected ioredis client, or a QueueError saying why not (refused, timed out, bad password, TLS).
 * `maxRetriesPerRequest: null` is what BullMQ requires of a worker's connection: commands wait through a
 * Redis restart instead of failing.
 */
export async function connect(target: QueueTarget): Promise<Redis> {
  const redis = new Redis({ ...target.redis, lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: CONNECT_TIMEOUT_MS, retryStrategy: (n) => Math.min(200 * n, 2000) });
  let lastError: Error | null = null;
  const onError = (e: Error) => {
    lastError = e;
  };
  redis.on('error', onError);
  try {
    await withTimeout(redis.connect(), CONNECT_TIMEOUT_MS + 500, () => lastError);
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    // ioredis reports the cause (WRONGPASS, ECONNREFUSED) on 'error' and then rejects with "Connection is closed".
    const err = lastError ?? (e instanceof Error ? e : new Error(String(e)));
    throw new QueueError(`cannot use Redis at ${target.display}: ${describe(err)}`);
  }
  redis.off('error', onError);
  // Later errors (a restart) are retried by ioredis; a listener keeps them from being "unhandled".
  redis.on('error', () => undefined);
  return redis;
}

function describe(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused (is redis-server running there?)';
  if (code === 'ENOENT') return 'no such socket (is redis-server running with that --unixsocket?)';
  if (code === 'ECONNRESET') return 'connection reset by the server (if it listens with TLS, use rediss://)';
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(e.message)) return 'the password (or user name) was refused';
  if (/timed? ?out|ETIMEDOUT/i.test(e.message)) return 'timed out';
  return e.message.split('\n')[0] ?? String(e);
}

function withTimeout<T>(p: Promise<T>, ms: number, last: () => Error | null): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(last() ?? new Error('timed out')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
