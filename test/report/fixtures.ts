import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeManifest } from '../../src/batch/manifest.js';
import { type RunRecord, toRunRecord } from '../../src/batch/record.js';
import { migrate } from '../../src/api/migrate.js';
import { checkExperiment } from '../../src/experiments/load.js';
import type { ExperimentFile } from '../../src/experiments/types.js';

const MiB = 1024 ** 2;

/**
 * A small sweep: two links, four policies, two seeds. The hot/cold writer (30000 pages/s on 2 vCPUs, a quarter of
 * 64 MiB hot) does not converge over 400 Mbit/s without throttling, so plain qemu is cancelled there (max-time
 * 20 s) while the throttling policies complete; over 1 Gbit/s everything completes.
 */
export const SMALL_SWEEP: ExperimentFile = {
  name: 'report-fixture',
  description: 'Fixture sweep for the report tests, with "quotes", commas, and <angle brackets>',
  base: {
    memoryBytes: 64 * MiB,
    workload: { kind: 'hot-cold', writesPerSec: 30_000, hotFraction: 0.25 },
    vcpus: 2,
    maxTimeMs: 20_000,
    maxBandwidthBytesPerSec: 1.25e9,
  },
  axes: { bandwidthBytesPerSec: [50e6, 125e6] },
  seeds: [1, 2],
  policies: ['qemu', 'qemu+auto-converge', 'xen+cpu-scheduling', 'qemu+dirty-limit'],
};

/** Runs an experiment file in-process and returns its records, in index order. */
export function runInProcess(file: ExperimentFile = SMALL_SWEEP): RunRecord[] {
  const experiment = checkExperiment(file, 'fixture');
  return experiment.runs.map((run) => toRunRecord(experiment, run, migrate(run.options)));
}

let cached: RunRecord[] | undefined;
/** SMALL_SWEEP's records, run once per test file. */
export function smallSweep(): RunRecord[] {
  cached ??= runInProcess();
  return cached;
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'livemig-report-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes records as a sweep directory does (manifest.json, results.ndjson in an order other than by index, as
 * runs finish); returns the directory.
 */
export function writeSweepDir(records: RunRecord[], experiment: ExperimentFile = SMALL_SWEEP): string {
  const dir = tempDir('livemig-sweep-');
  const first = records[0]!;
  writeManifest(dir, {
    format: 'livemig-sweep/1',
    experiment: first.experiment,
    description: experiment.description ?? '',
    fingerprint: first.fingerprint,
    totalRuns: records.length,
    shard: { index: 1, count: 1 },
    shardRuns: records.length,
    experimentFile: null,
    experimentSource: experiment,
    createdAt: '2025-01-01T00:00:00.000Z',
  });
  writeFileSync(join(dir, 'results.ndjson'), [...records].reverse().map((r) => `${JSON.stringify(r)}\n`).join(''));
  return dir;
}
