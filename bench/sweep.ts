import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { toRunRecord } from '../src/batch/record.js';
import { readResults } from '../src/batch/results.js';
import { runSweep } from '../src/batch/sweep.js';
import { migrate } from '../src/api/migrate.js';
import { MiB } from '../src/units.js';
import { checkExperiment } from '../src/experiments/load.js';
import type { Experiment, ExperimentFile } from '../src/experiments/types.js';
import { ms, sig } from './format.js';
import type { BenchGroup, GroupResult, Row } from './types.js';

/**
 * Group: batch throughput of `runSweep` (the engine of `livemig sweep`) in scenarios per minute, on a
 * 200-scenario experiment of small VMs, with 1 worker thread and with one per core. Each measurement is a
 * whole sweep into a fresh directory: pool start-up (threads, Wasm compilation), dispatch, record
 * serialisation and the appends to results.ndjson all count. A serial in-process loop of migrate() (no pool,
 * no files) gives the compute-only baseline.
 */

/** 5 write rates × 4 links × 5 seeds × 2 policies = 200 runs of a 256 MiB VM, each capped at 120 s emulated. */
export const SWEEP_BENCH_EXPERIMENT: ExperimentFile = {
  name: 'bench-sweep-200',
  description: '200 small scenarios for the sweep throughput benchmark',
  base: {
    memoryBytes: 256 * MiB,
    maxTimeMs: 120_000,
    workload: { kind: 'hot-cold', writesPerSec: 1000, hotFraction: 0.1, hotProbability: 0.9 },
  },
  axes: {
    'workload.writesPerSec': [1000, 3000, 10_000, 30_000, 100_000],
    bandwidthBytesPerSec: [12_500_000, 31_250_000, 62_500_000, 125_000_000],
  },
  seeds: { start: 1, count: 5 },
  policies: ['qemu', 'xen'],
};

/** Whole sweeps per configuration; the median is reported. */
const REPS = 3;

interface Measured {
  wallMs: number[];
  completed: number;
  cancelled: number;
  records: string;
}

async function measureSweep(experiment: Experiment, workers: number): Promise<Measured> {
  const wallMs: number[] = [];
  let completed = 0;
  let cancelled = 0;
  let records = '';
  for (let i = 0; i < REPS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'livemig-bench-sweep-'));
    try {
      globalThis.gc?.();
      const t0 = performance.now();
      const s = await runSweep({ experiment, outDir: dir, workers });
      wallMs.push(performance.now() - t0);
      completed = s.completed;
      cancelled = s.cancelled;
      if (i === 0) records = JSON.stringify(readResults(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { wallMs, completed, cancelled, records };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const sweep: BenchGroup = {
  id: 'sweep',
  title: 'Sweep throughput: scenarios per minute, 1 worker vs all cores',
  async run(): Promise<GroupResult> {
    const experiment = checkExperiment(SWEEP_BENCH_EXPERIMENT, 'bench-sweep-200');
    const n = experiment.runs.length;
    const cores = availableParallelism();
    const rows: Row[] = [];

    // Baseline: the same runs, serially, in this thread, records built but not written.
    globalThis.gc?.();
    const serialMs: number[] = [];
    let serialRecords = '';
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      const recs = experiment.runs.map((r) => toRunRecord(experiment, r, migrate(r.options)));
      serialMs.push(performance.now() - t0);
      if (i === 0) serialRecords = JSON.stringify(recs);
    }
    const serial = median(serialMs);
    rows.push({ config: 'in-process loop (no pool, no files)', workers: 1, runs: n, wallMs: serial, perMin: (n / serial) * 60_000, speedup: null, efficiency: null, sameRecords: true });

    const configs = cores > 1 ? [1, cores] : [1];
    let oneWorkerMs = 0;
    for (const workers of configs) {
      const m = await measureSweep(experiment, workers);
      const wall = median(m.wallMs);
      if (workers === 1) oneWorkerMs = wall;
      const speedup = oneWorkerMs / wall;
      rows.push({
        config: workers === 1 ? 'runSweep, 1 worker' : `runSweep, all cores (${workers} workers)`,
        workers,
        runs: n,
        wallMs: wall,
        perMin: (n / wall) * 60_000,
        speedup,
        efficiency: speedup / workers,
        sameRecords: m.records === serialRecords,
        completed: m.completed,
        cancelled: m.cancelled,
      });
    }

    return {
      notes: [
        `Experiment: ${n} runs = 5 write rates (1k-100k writes/s, hot-cold, 10% hot taking 90%) x 4 links (100-1000 Mbit/s) x 5 seeds x 2 policies (qemu, xen);`,
        '256 MiB VM, max time 120 s emulated, other options at their defaults.',
        `Each sweep row: median of ${REPS} whole sweeps into a fresh directory (pool start, Wasm compile per thread, dispatch, records, appends to results.ndjson).`,
        `Machine: ${cores} cores available (os.availableParallelism()). sameRecords: the sorted records equal the in-process loop's, byte for byte.`,
      ],
      columns: [
        { key: 'config', label: 'configuration' },
        { key: 'workers', label: 'workers' },
        { key: 'runs', label: 'runs' },
        { key: 'wallMs', label: 'wall', format: (v) => ms(v as number) },
        { key: 'perMin', label: 'scenarios/min', format: (v) => Math.round(v as number).toLocaleString('en-US') },
        { key: 'speedup', label: 'vs 1 worker', format: (v) => (v === null ? '' : `${sig(v as number)}x`) },
        { key: 'efficiency', label: 'per-core eff.', format: (v) => (v === null ? '' : `${Math.round((v as number) * 100)}%`) },
        { key: 'sameRecords', label: 'same records', format: (v) => (v ? 'yes' : 'NO') },
      ],
      rows,
      targets: [],
      extra: { experiment: SWEEP_BENCH_EXPERIMENT, reps: REPS, serialMs, cores },
    };
  },
};
