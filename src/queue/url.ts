import type { RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** A Redis server to reach: connection options for ioredis, and the URL with its password masked, for messages. */
export interface QueueTarget {
  redis: RedisOptions;
  /** The URL as given, with any password replaced by "***". */
  display: string;
}

export const ACCEPTED_QUEUE_URL =
  'redis://[[user]:password@]host[:port][/db], rediss://… for TLS, or unix:///path/to/redis.sock[?db=N&password=…]';

/**
 * Parses `--queue`: redis:// (TCP), rediss:// (TLS; the server certificate is checked against the system CAs
 * and NODE_EXTRA_CA_CERTS), unix:// (a socket path). User names and passwords are percent-decoded.
 */
export function parseQueueUrl(text: string, field = '--queue'): QueueTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidOptionError(field, text, ACCEPTED_QUEUE_URL);
  }
  const bad = (why: string): never => {
    throw new InvalidOptionError(field, mask(url), `${ACCEPTED_QUEUE_URL} (${why})`);
  };
  const db = (s: string): number => {
    if (s === '') return 0;
    if (!/^\d{1,2}$/.test(s)) bad(`the database is a number from 0 to 15, not "${s}"`);
    return Number(s);
  };
  const auth: RedisOptions = {};
  if (url.username !== '') auth.username = decodeURIComponent(url.username);
  if (url.password !== '') auth.password = decodeURIComponent(url.password);
  if (url.protocol === 'unix:' || url.protocol === 'redis+unix:') {
    if (url.pathname === '' || url.pathname === '/') bad('a socket path is needed');
    const password = url.searchParams.get('password');
    if (password !== null) auth.password = password;
    return { redis: { path: decodeURIComponent(url.pathname), db: db(url.searchParams.get('db') ?? ''), ...auth }, display: mask(url) };
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') bad(`"${url.protocol}" is not a Redis scheme`);
  if (url.hostname === '') bad('a host is needed');
  const port = url.port === '' ? 6379 : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literal
  const redis: RedisOptions = { host, port, db: db(url.pathname.replace(/^\//, '')), ...auth };
  if (url.protocol === 'rediss:') redis.tls = { servername: host };
  return { redis, display: mask(url) };
}

function mask(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  if (copy.searchParams.has('password')) copy.searchParams.set('password', '***');
  return copy.href.replace('password=%2A%2A%2A', 'password=***');
}
