/**
 * Group "queue": what distribution costs.
 *  1. Pool start-up and the in-process break-even (issue 8, item 4): the wall time to start a pool of worker
 *     threads and get a result back from each, against the in-process cost of a run; and whole small sweeps
 *     in-process, on threads, and in `auto` mode, so the switch point (POOL_STARTUP_MS) can be checked.
 *  2. Per-job overhead through Redis (issue 14): the same small-scenario sweep on the local pool and through the
 *     queue (a collector and one `livemig worker` process, same thread count), per job and in percent.
 *  3. Throughput of a 10,000-run sweep through the queue with two local `livemig worker` processes.
 * Redis: Debian's redis-server started here on a unix socket (no persistence); without it, 2 and 3 are skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { POOL_STARTUP_MS, ThreadPool } from '../src/batch/pool.js';
import { runTask, type SweepTask } from '../src/batch/sweep-worker.js';
import { readResults } from '../src/batch/results.js';
import { runSweep, type SweepOptions } from '../src/batch/sweep.js';
import { MiB } from '../src/units.js';
import { checkExperiment } from '../src/experiments/load.js';
import type { Experiment, ExperimentFile } from '../src/experiments/types.js';
import { drainQueue, runQueueSweep } from '../src/queue/index.js';
import { packageRoot } from '../src/util/package-root.js';
import { ms, sig } from './format.js';
import { newBench, taskStats } from './tiny.js';
import type { BenchGroup, GroupResult, Row, TargetCheck } from './types.js';

/** Small scenarios: a 16 MiB VM, 10 s emulated at most: a few ms of wall time each. */
function smallExperiment(name: string, writeRates: number, links: number, seeds: number): ExperimentFile {
  return {
    name,
    base: { memoryBytes: 16 * MiB, maxTimeMs: 10_000, workload: { kind: 'hot-cold', writesPerSec: 1000, hotFraction: 0.25, hotProbability: 0.9 } },
    axes: {
      'workload.writesPerSec': Array.from({ length: writeRates }, (_, i) => 500 * (i + 1)),
      bandwidthBytesPerSec: Array.from({ length: links }, (_, i) => 4e6 * (i + 1)),
    },
    seeds: { start: 1, count: seeds },
    policies: ['qemu', 'xen'],
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'livemig-bench-queue-'));
}

async function timedSweep(o: Omit<SweepOptions, 'outDir'>): Promise<number> {
  const dir = tempDir();
  try {
    const t0 = performance.now();
    await runSweep({ ...o, outDir: dir });
    return performance.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Redis {
  url: string;
  stop(): Promise<void>;
}

async function startRedis(): Promise<Redis | null> {
  const bin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (bin === '') return null;
  const dir = tempDir();
  const socket = join(dir, 'redis.sock');
  const child = spawn(bin, ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 500 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 50));
  return {
    url: `unix://${socket}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function startWorker(url: string, threads: number): ChildProcess {
  const bin = join(packageRoot() ?? process.cwd(), 'bin', 'livemig.js');
  return spawn(process.execPath, [bin, 'worker', '--queue', url, '--workers', String(threads), '--quiet'], { stdio: 'ignore' });
}

async function stopWorkers(ws: ChildProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => new Promise((r) => { w.once('exit', r); w.kill('SIGTERM'); })));
}

/** A queue sweep into a fresh folder with `workers` worker processes of `threads` threads; the wall time. */
async function timedQueueSweep(redis: Redis, experiment: Experiment, workers: number, threads: number, check?: string): Promise<{ wallMs: number; same: boolean | null }> {
  const ws = Array.from({ length: workers }, () => startWorker(redis.url, threads));
  const dir = tempDir();
  try {
    await new Promise((r) => setTimeout(r, 1500)); // workers connected and watching the registry
    const t0 = performance.now();
    await runQueueSweep({ experiment, queue: redis.url, outDir: dir, pollMs: 5 });
    const wallMs = performance.now() - t0;
    const same = check === undefined ? null : JSON.stringify(readResults(dir)) === check;
    return { wallMs, same };
  } finally {
    await stopWorkers(ws);
    await drainQueue({ experiment, queue: redis.url });
    rmSync(dir, { recursive: true, force: true });
  }
}

export const queue: BenchGroup = {
  id: 'queue',
  title: 'Distribution: pool start-up vs in-process, per-job overhead through Redis, 10,000 runs through the queue',
  async run(): Promise<GroupResult> {
    const cores = availableParallelism();
    const threads = Math.max(2, cores);
    const rows: Row[] = [];
    const targets: TargetCheck[] = [];
    const notes: string[] = [];

    // 1. Start-up against in-process work.
    const tiny = checkExperiment(smallExperiment('bench-breakeven', 4, 4, 8), 'bench');
    const task: SweepTask = { experiment: { name: tiny.name, fingerprint: tiny.fingerprint }, run: tiny.runs[5]! };
    runTask(task); // Wasm compiled in this thread
    const bench = newBench('queue-startup', { time: 1500, iterations: 5, warmupTime: 0, warmupIterations: 1 });
    bench.add('pool start-up', async () => {
      const pool = new ThreadPool(threads);
      await Promise.all(Array.from({ length: threads }, () => pool.run(task)));
      await pool.destroy();
    });
    bench.add('one run in-process', () => {
      runTask(task);
    });
    await bench.run();
    const startup = taskStats(bench.getTask('pool start-up')).medianMs;
    const oneRun = taskStats(bench.getTask('one run in-process')).medianMs;
    // Start-up minus the T runs the threads did in parallel (one round of them).
    const startupOnly = Math.max(0, startup - oneRun);
    const breakEven = (startupOnly * threads) / (threads - 1);
    rows.push({ measure: `pool of ${threads} threads: start, one run on each, destroy`, value: startup, unit: 'ms', note: `median of tinybench samples` });
    rows.push({ measure: 'one small run in-process', value: oneRun, unit: 'ms', note: `16 MiB VM, ${tiny.runs[5]!.policy}` });
    rows.push({ measure: `break-even in-process work, W = S·T/(T−1)`, value: breakEven, unit: 'ms', note: `POOL_STARTUP_MS = ${POOL_STARTUP_MS} ms → threads once W > ${sig((POOL_STARTUP_MS * threads) / (threads - 1))} ms` });
    for (const n of [8, 32, 128]) {
      const fp = { ...tiny, runs: tiny.runs.slice(0, n) };
      const inProc = await timedSweep({ experiment: fp, workers: threads, pool: 'in-process' });
      const thr = await timedSweep({ experiment: fp, workers: threads, pool: 'threads' });
      const auto = await timedSweep({ experiment: fp, workers: threads, pool: 'auto' });
      rows.push({ measure: `sweep of ${n} small runs: in-process / threads / auto`, value: auto, unit: 'ms (auto)', note: `${ms(inProc)} / ${ms(thr)} / ${ms(auto)}` });
    }
    notes.push(
      `Break-even: threads pay once the in-process work W exceeds S·T/(T−1) (S start-up, T = ${threads} threads). auto runs the first run in-process, then ` +
        'starts threads as soon as (mean run time × runs left) passes that, or a run takes over RESPONSIVE_RUN_MS (Ctrl-C would wait).',
    );

    // 2 and 3: through Redis.
    const redis = await startRedis();
    if (redis === null) {
      notes.push('skipped: no redis-server (apt-get install redis-server) for the queue rows');
    } else {
      try {
        // Per-job overhead as a marginal cost: (T(10,000 runs) − T(800 runs)) / 9,200, locally and through the
        // queue, so the fixed cost of a sweep (connecting, the collector's probe runs, Wasm compilation in every
        // thread, the last job's tail) is shown apart from what each further job costs.
        const small = checkExperiment(smallExperiment('bench-overhead', 10, 10, 4), 'bench'); // 800 runs
        const large = checkExperiment(smallExperiment('bench-overhead-10k', 10, 10, 50), 'bench'); // 10,000 runs
        const reference = new Map<Experiment, string>();
        for (const e of [small, large]) {
          const d = tempDir();
          try {
            await runSweep({ experiment: e, outDir: d, workers: threads, pool: 'threads' });
            reference.set(e, JSON.stringify(readResults(d)));
          } finally {
            rmSync(d, { recursive: true, force: true });
          }
        }
        const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
        const local = new Map<Experiment, number>();
        const viaQueue = new Map<Experiment, number>();
        let same = true;
        for (const e of [small, large]) {
          const reps = e === small ? 3 : 1;
          const l: number[] = [];
          const q: number[] = [];
          for (let i = 0; i < reps; i++) {
            l.push(await timedSweep({ experiment: e, workers: threads, pool: 'threads' }));
            const r = await timedQueueSweep(redis, e, 1, threads, reference.get(e));
            q.push(r.wallMs);
            same &&= r.same === true;
          }
          local.set(e, med(l));
          viaQueue.set(e, med(q));
        }
        const dn = large.runs.length - small.runs.length;
        const localPerJob = (local.get(large)! - local.get(small)!) / dn;
        const queuePerJob = (viaQueue.get(large)! - viaQueue.get(small)!) / dn;
        const overheadPct = (queuePerJob / localPerJob - 1) * 100;
        const fixed = (m: Map<Experiment, number>, perJob: number) => m.get(small)! - perJob * small.runs.length;
        rows.push({ measure: `local pool (${threads} threads): each further job`, value: localPerJob, unit: 'ms/job', note: `800 runs ${ms(local.get(small)!)}, 10,000 runs ${ms(local.get(large)!)}; fixed ${ms(fixed(local, localPerJob))}` });
        rows.push({ measure: `queue, 1 livemig worker (${threads} threads): each further job`, value: queuePerJob, unit: 'ms/job', note: `800 runs ${ms(viaQueue.get(small)!)}, 10,000 runs ${ms(viaQueue.get(large)!)}; fixed ${ms(fixed(viaQueue, queuePerJob))}; same records: ${same ? 'yes' : 'NO'}` });
        rows.push({ measure: 'overhead per job through Redis', value: queuePerJob - localPerJob, unit: 'ms/job', note: `${sig(overheadPct)} % of the local pool's per-job time` });
        targets.push({ name: 'per-job overhead through Redis on small scenarios (marginal, 800 → 10,000 runs)', target: '<= 10 %', measured: `${sig(overheadPct)} %`, value: overheadPct, met: overheadPct <= 10 });

        const big = large;
        const perWorker = Math.max(1, Math.floor(cores / 2));
        const q = await timedQueueSweep(redis, big, 2, perWorker);
        const perMin = (big.runs.length / q.wallMs) * 60_000;
        rows.push({ measure: `${big.runs.length.toLocaleString('en-US')} runs, 2 livemig workers × ${perWorker} thread(s)`, value: perMin, unit: 'scenarios/min', note: `${ms(q.wallMs)} wall, collector included` });
      } finally {
        await redis.stop();
      }
    }
    return {
      notes: [...notes, `Machine: ${cores} cores. Scenarios: 16 MiB VMs, hot-cold writers, 10 s emulated at most, qemu and xen.`],
      columns: [
        { key: 'measure', label: 'measure' },
        { key: 'value', label: 'value', format: (v) => sig(v as number) },
        { key: 'unit', label: 'unit' },
        { key: 'note', label: 'detail' },
      ],
      rows,
      targets,
    };
  },
};
