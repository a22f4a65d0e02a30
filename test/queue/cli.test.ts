/**
 * Queue sweeps with the real executables and a real redis-server: a collector (`livemig sweep --queue`) and two
 * `livemig worker` processes, one killed mid-sweep; the collector killed and resumed; a password; --status and
 * --drain. Results must equal a local sweep's, record for record.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { queueStatus } from '../../src/queue/index.js';
import { runCli } from '../cli/helpers.js';
import { BIN, ROOT, VARIED, slowExperiment, tempDir, writeExperiment } from '../batch/helpers.js';
import { SKIP_REASON, startRedis, type RedisServer } from './redis.js';

const RUNS = 24;

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every process started, so that a failing test leaves none behind. */
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, LIVEMIG_DEBUG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, exited };
}

function lines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

async function until(what: string, cond: () => boolean, proc?: Proc): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 120_000) throw new Error(`timed out waiting for ${what}${proc ? `\n${proc.stderr()}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(SKIP_REASON !== null)('livemig sweep --queue and livemig worker (executables, real redis-server)', () => {
  const dir = tempDir();
  const file = writeExperiment(dir, 'slow.json', slowExperiment(RUNS));
  const reference = join(dir, 'reference');
  let redis: RedisServer;
  const workers: Proc[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build:ts` first');
    redis = await startRedis({ password: 's3cr:et/pw' });
    await runSweep({ experiment: checkExperiment(slowExperiment(RUNS)), outDir: reference, workers: 2 });
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await redis?.stop();
  });

  function expectSameAsReference(out: string): void {
    const text = readFileSync(join(out, 'results.ndjson'), 'utf8').trimEnd().split('\n');
    const ids = text.map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.length).toBe(RUNS);
    expect(new Set(ids).size).toBe(RUNS); // no run twice
    expect(JSON.stringify(readResults(out))).toBe(JSON.stringify(readResults(reference)));
  }

  it('two workers, one killed with SIGKILL mid-sweep: its job is retried by the other, every run once, records equal a local sweep', async () => {
    const out = join(dir, 'two-workers');
    const results = join(out, 'results.ndjson');
    const a = start(['worker', '--queue', redis.url, '--workers', '1', '--stall-timeout', '2s']);
    const b = start(['worker', '--queue', redis.url, '--workers', '1', '--stall-timeout', '2s']);
    workers.push(a, b);
    const collector = start(['sweep', file, '--out', out, '--queue', redis.url, '--no-progress']);
    await until('4 results', () => lines(results) >= 4, collector);
    // Kill A while both workers hold jobs (each takes two per thread, one thread each, so 3 or more active
    // means A holds one): A's is then mid-run, and the sweep can only finish if BullMQ's stalled-job check
    // hands it to B.
    for (;;) {
      const st = await queueStatus({ experiment: checkExperiment(slowExperiment(RUNS)), queue: redis.url });
      if (st.active >= 3) break;
      expect(st.waiting, 'the queue ran dry before both workers were busy: make the experiment longer').toBeGreaterThan(0);
    }
    a.child.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const done = await collector.exited;
    expect(done.code, collector.stderr()).toBe(0);
    expect(collector.stderr()).toMatch(new RegExp(`^livemig: sweep "slow": ${RUNS}/${RUNS} runs recorded in .*results\\.ndjson \\(${RUNS} collected now: .*\\) in [\\d.]+ s through queue livemig\\.slow\\.[0-9a-f]{16} \\(up to 2 workers\\)\\n$`));
    expect(collector.stderr()).not.toContain('s3cr');
    expectSameAsReference(out);
    // The survivor ends cleanly on SIGTERM: exit 143 after its summary line.
    b.child.kill('SIGTERM');
    expect((await b.exited).code).toBe(143);
    expect(b.stderr()).toMatch(/livemig: worker: \d+ runs recorded, \d+ skipped as already done, 0 failed, on 1 threads\n$/);
  });

  it('the collector killed with SIGKILL: --resume collects the rest; --status shows the counts, --drain removes the keys', async () => {
    const out = join(dir, 'collector-killed');
    const results = join(out, 'results.ndjson');
    const collector = start(['sweep', file, '--out', out, '--queue', redis.url, '--no-progress']);
    await until('the sweep to be enqueued', () => existsSync(join(out, 'manifest.json')), collector);
    const w = start(['worker', '--queue', redis.url, '--workers', '2', '--until-empty']);
    workers.push(w);
    // Kill the collector once the worker has the sweep's jobs (the first results may come from the collector's
    // own timing runs, before it enqueues anything).
    await until('3 results and the worker on the sweep', () => lines(results) >= 3 && w.stderr().includes('taking jobs of'), collector);
    collector.child.kill('SIGKILL');
    await collector.exited;
    const kept = lines(results);
    expect(kept).toBeLessThan(RUNS);
    // The worker goes on without a collector and exits when the queue is empty.
    expect((await w.exited).code, w.stderr()).toBe(0);
    const status = await runCli('sweep', file, '--queue', redis.url, '--status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^queue {6}livemig\.slow\.[0-9a-f]{16} on unix:.*password=\*\*\*/);
    expect(status.stdout).toMatch(/jobs {7}0 waiting, 0 running, 0 delayed \(retries\), 0 failed/);
    expect(status.stdout).toContain(`results    ${RUNS} of ${RUNS} runs have one in Redis`);
    const resumed = await runCli('sweep', file, '--out', out, '--queue', redis.url, '--resume', '--no-progress');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming: ${kept} runs already recorded, ${RUNS - kept} to collect`);
    expectSameAsReference(out);
    const drained = await runCli('sweep', file, '--queue', redis.url, '--drain');
    expect(drained.code).toBe(0);
    expect(drained.stderr).toMatch(/^livemig: drained queue livemig\.slow\.[0-9a-f]{16} on unix:.*\(\d+ livemig keys and every job removed\)\n$/);
    expect((await runCli('sweep', file, '--queue', redis.url, '--status')).stdout).toContain(`results    0 of ${RUNS} runs`);
  });

  it('bad queue URLs, a wrong password and misuse of the queue flags: exit 2, one line naming the flag', async () => {
    const bad = await runCli('sweep', file, '--out', join(dir, 'x'), '--queue', 'http://host');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^livemig: invalid --queue: "http:\/\/host\/"; expected redis:\/\/.*"http:" is not a Redis scheme\)\n$/);
    const wrong = await runCli('sweep', file, '--queue', redis.url.replace(/password=[^&]*/, 'password=nope'), '--status');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^livemig: cannot use Redis at unix:.*password=\*\*\*: the password \(or user name\) was refused\n$/);
    const none = await runCli('worker', '--queue', `unix://${join(dir, 'no.sock')}`);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^livemig: cannot use Redis at unix:.*no\.sock: no such socket/);
    const status = await runCli('sweep', file, '--status');
    expect(status.stderr).toMatch(/^livemig: invalid --status: true; expected to be used with --queue URL\n$/);
    const shard = await runCli('sweep', file, '--out', join(dir, 'x'), '--queue', redis.url, '--shard', '1/2');
    expect(shard.stderr).toMatch(/^livemig: invalid --shard: "1\/2"; expected no --shard with --queue/);
    const noOut = await runCli('sweep', file, '--queue', redis.url);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/^livemig: required option '-o, --out <dir>' not specified \(only --queue … --status and --drain go without it\)\n$/);
    const stall = await runCli('worker', '--queue', redis.url, '--stall-timeout', '10ms');
    expect(stall.stderr).toMatch(/^livemig: invalid --stall-timeout: "10ms"; expected a duration from 1s to 1h\n$/);
  });
});

const OPENSSL = spawnSync('sh', ['-c', 'command -v openssl'], { encoding: 'utf8' }).stdout.trim() || null;
if (OPENSSL === null && SKIP_REASON === null) {
  if (process.env['CI'] === 'true') throw new Error('CI=true but openssl is missing: the rediss:// test needs it to make a certificate');
  console.warn('livemig: openssl not found: the rediss:// (TLS) queue test is skipped');
}

describe.skipIf(SKIP_REASON !== null || OPENSSL === null)('rediss:// (TLS, password, TCP on a free loopback port)', () => {
  const dir = tempDir();
  let redis: RedisServer;
  let url = '';
  let port = 0;
  beforeAll(async () => {
    const r = spawnSync(OPENSSL!, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    port = await freePort();
    redis = await startRedis({ password: 'tls-pw', args: ['--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', join(dir, 'cert.pem'), '--tls-key-file', join(dir, 'key.pem'), '--tls-auth-clients', 'no'] });
    url = `rediss://:tls-pw@localhost:${port}/0`;
  });
  afterAll(async () => { await redis?.stop(); });

  it('a sweep through a TLS Redis with a password: collector and worker trust the CA from NODE_EXTRA_CA_CERTS', async () => {
    const file = writeExperiment(dir, 'tls.json', { ...VARIED, name: 'tls' });
    const env = { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') };
    const w = start(['worker', '--queue', url, '--workers', '1', '--until-empty'], env);
    const c = start(['sweep', file, '--out', join(dir, 'out'), '--queue', url, '--no-progress'], env);
    expect((await c.exited).code, c.stderr()).toBe(0);
    expect((await w.exited).code, w.stderr()).toBe(0);
    const local = join(dir, 'local');
    await runSweep({ experiment: checkExperiment(VARIED), outDir: local, workers: 1 });
    expect(readResults(join(dir, 'out')).map((r) => JSON.stringify({ ...r, experiment: 'varied', fingerprint: '' }))).toEqual(
      readResults(local).map((r) => JSON.stringify({ ...r, experiment: 'varied', fingerprint: '' })),
    );
    // Without the CA the certificate is refused, in one line; plain redis:// to the TLS port is told to use rediss://.
    const untrusted = await runCli('sweep', file, '--queue', url, '--status');
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/^livemig: cannot use Redis at rediss:\/\/:\*\*\*@localhost:\d+\/0: self-signed certificate\n$/);
    const plain = await runCli('sweep', file, '--queue', url.replace('rediss:', 'redis:'), '--status');
    expect(plain.stderr).toMatch(/^livemig: cannot use Redis at redis:\/\/:\*\*\*@localhost:\d+\/0: connection reset by the server \(if it listens with TLS, use rediss:\/\/\)\n$/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
