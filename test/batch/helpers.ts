import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import type { ExperimentFile } from '../../src/experiments/types.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'livemig.js');
const MiB = 1024 * 1024;

/** A fresh temporary directory, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'livemig-sweep-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** 36 quick, varied runs (16 MiB VMs): two axes, two seeds, three policies, completed and cancelled ones. */
export const VARIED: ExperimentFile = {
  name: 'varied',
  base: { memoryBytes: 16 * MiB, bandwidthBytesPerSec: 12_500_000, maxTimeMs: 30_000, workload: { kind: 'hot-cold', writesPerSec: 1000, hotFraction: 0.25, hotProbability: 0.9 } },
  axes: { 'workload.writesPerSec': [1000, 8000, 30000], bandwidthBytesPerSec: [6_250_000, 12_500_000] },
  seeds: [1, 2],
  policies: ['qemu', 'xen', 'qemu+auto-converge'],
};

/** `count` runs of about 40 ms each (16 MiB VMs that never converge, cancelled at 300 s): slow enough to kill part-way. */
export function slowExperiment(count: number, name = 'slow'): ExperimentFile {
  return {
    name,
    base: { memoryBytes: 16 * MiB, bandwidthBytesPerSec: 12_500_000, maxTimeMs: 300_000, workload: { kind: 'hot-cold', writesPerSec: 20000, hotFraction: 0.25, hotProbability: 0.9 } },
    seeds: { start: 1, count },
  };
}

export function writeExperiment(dir: string, name: string, e: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(e, null, 2)}\n`);
  return file;
}
