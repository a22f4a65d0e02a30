import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import type { AlgorithmName } from '../../src/model/algorithms.js';
import type { MigrationOptions } from '../../src/model/options.js';
import type { MigrationReport, TimelineSample } from '../../src/model/report.js';

// Reference §4.4 (QEMU system/dirtylimit.c): once dirty-limit is on, each vCPU's dirty rate is steered to the
// quota (vcpu-dirty-limit, MB/s with MB = 2^20 B) and left alone once within DIRTYLIMIT_TOLERANCE_RANGE
// (25 MB/s) of it. Only vCPUs that write are slowed: a read-only / compute vCPU is never penalised.

const MiB = 1024 ** 2;
const PAGE = 4096;
const TOLERANCE_MBPS = 25; // DIRTYLIMIT_TOLERANCE_RANGE
const SETTLE_MS = 2000; // two 1 s dirty-limit periods after the limit comes on
const WINDOW_MS = 1000; // each measured window is at least this long

/**
 * vCPU 0 writes uniformly over a 1 GiB guest at 51 200 writes/s (200 MiB/s, ≈ 180 MiB/s of fresh pages at the
 * start: far above any quota used here); vCPU 1 is CPU-bound and writes nothing. The 1 Gbit/s link cannot keep
 * up, so auto-converge's trigger switches the limit on after two qualifying sync periods.
 */
function scenario(algorithm: AlgorithmName, quota?: number): MigrationOptions {
  return {
    algorithm,
    memoryBytes: 1024 * MiB,
    bandwidthBytesPerSec: 125_000_000,
    maxTimeMs: 60_000,
    workload: [{ kind: 'uniform', writesPerSec: 51_200 }, { kind: 'compute' }],
    controller: quota === undefined ? 'dirty-limit' : { name: 'dirty-limit', vcpuDirtyLimitMBps: quota },
  };
}

/** When the guest stopped running at the source (the pause, or the end of a cancelled run). */
function pauseAtMs(r: MigrationReport): number {
  return r.status === 'completed' ? r.summary.totalTimeMs - r.summary.downtimeMs : r.summary.totalTimeMs;
}

/** Fresh pages per second × page size, in MiB/s, over the samples (tMs of each is its window's end). */
function rateMiBps(prevEndMs: number, samples: TimelineSample[]): { rate: number; spanMs: number } {
  let pages = 0;
  let t = prevEndMs;
  for (const s of samples) {
    pages += (s.dirtyPagesPerSec * (s.tMs - t)) / 1000;
    t = s.tMs;
  }
  const spanMs = t - prevEndMs;
  return { rate: (pages * PAGE) / MiB / (spanMs / 1000), spanMs };
}

/** The guest's dirty rate over consecutive windows of ≥ 1 s from `fromMs` to the pause. */
function windowsAfter(r: MigrationReport, fromMs: number): Array<{ startMs: number; rate: number }> {
  const pause = pauseAtMs(r);
  const tl = r.timeline;
  const out: Array<{ startMs: number; rate: number }> = [];
  let i = tl.findIndex((s, k) => k > 0 && tl[k - 1]!.tMs >= fromMs);
  while (i > 0) {
    const start = tl[i - 1]!.tMs;
    let j = i;
    while (j < tl.length && tl[j]!.tMs - start < WINDOW_MS) j++;
    if (j >= tl.length || tl[j]!.tMs > pause) break;
    const { rate } = rateMiBps(start, tl.slice(i, j + 1));
    out.push({ startMs: start, rate });
    i = j + 1;
  }
  return out;
}

function checkLimited(algorithm: AlgorithmName, quota: number | undefined): void {
  const quotaMBps = quota ?? 1; // QEMU's default vcpu-dirty-limit
  const r = migrate(scenario(algorithm, quota));
  const [writer, compute] = r.summary.guest.vcpus;

  // the writer starts far above the quota
  const first = rateMiBps(0, r.timeline.filter((s) => s.tMs <= 1000));
  expect(first.rate).toBeGreaterThanOrEqual(100);

  // the limit came on, and the run went on long enough after it to measure
  const onAt = r.timeline.find((s) => s.throttlePct > 0)?.tMs;
  expect(onAt).toBeDefined();
  const windows = windowsAfter(r, onAt! + SETTLE_MS);
  expect(windows.length).toBeGreaterThanOrEqual(2);
  // every settled window of ≥ 1 s: within the tolerance of the quota (the compute vCPU dirties nothing, so
  // the guest's rate is the writer's)
  expect(compute!.writes).toBe(0);
  const off = windows.filter((w) => Math.abs(w.rate - quotaMBps) > TOLERANCE_MBPS);
  expect(off, `windows off the ${quotaMBps} MB/s quota by more than ${TOLERANCE_MBPS} MB/s`).toEqual([]);

  // the writer was slowed; the compute vCPU never was: it got all the CPU it wanted until the pause
  expect(writer!.throttledMs).toBeGreaterThan(0);
  expect(writer!.cpuObtainedMs).toBeLessThan(writer!.cpuDemandedMs - (r.summary.downtimeMs ?? 0) - 1000);
  expect(compute!.throttledMs).toBe(0);
  expect(compute!.maxThrottlePct).toBe(0);
  expect(compute!.cpuDemandedMs).toBeCloseTo(r.summary.totalTimeMs, 6);
  expect(compute!.cpuObtainedMs).toBeCloseTo(compute!.cpuDemandedMs - (r.summary.totalTimeMs - pauseAtMs(r)), 6);
}

describe('dirty-limit: one writer above the quota, one compute vCPU', () => {
  it.each(['qemu', 'xen'] as const)('%s, quota 50 MB/s: the writer settles within 25 MB/s of it; the compute vCPU is untouched', (algorithm) => {
    checkLimited(algorithm, 50);
  });

  // The default quota (1 MB/s) makes the writer sleep ≈ 99 × ring_full_time (≈ 9 s) per ring-full: it sleeps
  // through whole 1 s periods. Its dirty rate must still stay within 25 MB/s of 1 MB/s in every settled window.
  it.each(['qemu', 'xen'] as const)('%s, default quota 1 MB/s: the writer stays within 25 MB/s of it', (algorithm) => {
    checkLimited(algorithm, undefined);
  });

  it('the compute vCPU alone never triggers a penalty, and the report names the controller', () => {
    const r = migrate({ ...scenario('qemu', 50), workload: [{ kind: 'compute' }, { kind: 'compute' }] });
    expect(r.summary.controller).toBe('dirty-limit');
    expect(r.summary.maxThrottlePct).toBe(0);
    for (const v of r.summary.guest.vcpus) expect(v.throttledMs).toBe(0);
  });
});
