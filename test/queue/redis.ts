/**
 * A real Debian redis-server for the queue tests, started here on a unix socket in a temporary folder
 * (`--port 0` turns TCP off) with persistence off, stopped by its pid. Where redis-server cannot exist the
 * tests skip with a message; with CI=true they must run, so a missing server fails them instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ??
  (spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim() || null);

export const SKIP_REASON = REDIS_SERVER === null
  ? 'redis-server not found: the queue tests need Debian\'s redis-server (apt-get install redis-server); skipped'
  : null;

if (SKIP_REASON !== null) {
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${SKIP_REASON.replace(/; skipped$/, '')}`);
  console.warn(`livemig: ${SKIP_REASON}`);
}

export interface RedisServer {
  /** unix:// URL of the socket (with the password, if any). */
  url: string;
  socket: string;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts redis-server and resolves once it accepts connections. `args` are extra server options. */
export async function startRedis(opts: { password?: string; args?: string[]; dir?: string } = {}): Promise<RedisServer> {
  if (REDIS_SERVER === null) throw new Error(SKIP_REASON ?? 'no redis-server');
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'livemig-redis-'));
  const socket = join(dir, 'redis.sock');
  const args = ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir, ...(opts.args ?? [])];
  if (opts.password) args.push('--requirepass', opts.password);
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      if (/ready to accept connections/i.test(log) && existsSync(socket)) {
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null || Date.now() - t0 > 20_000) {
        clearInterval(poll);
        reject(new Error(`redis-server did not start:\n${log}`));
      }
    }, 20);
  });
  const pw = opts.password ? `&password=${encodeURIComponent(opts.password)}` : '';
  return {
    url: `unix://${socket}?db=0${pw}`,
    socket,
    dir,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
