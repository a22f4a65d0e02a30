/**
 * Regression tests for the hangs of issue 9: every cap cuts the work at the moment it is reached, so the work of
 * a run (core calls, emulated writes, windows) is bounded by what its report holds, never by emulated time past
 * a cap. Work is counted, never timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../src/batch/results.js';
import { runSweep } from '../../src/batch/sweep.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { checkReport, migrate, runMigration } from '../../src/api/migrate.js';
import { resolveOptions } from '../../src/api/resolve.js';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import type { PageStore } from '../../src/core/page-store.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import { MAX_TIMELINE_SAMPLES } from '../../src/engine/recorder.js';
import type { MigrationOptions } from '../../src/model/options.js';
import type { MigrationReport, TimelineSample } from '../../src/model/report.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** Runs `options` on a store that counts core calls and the page writes asked of it. */
function counted(options: MigrationOptions): { report: MigrationReport; calls: number; writes: number } {
  const resolved = resolveOptions(options);
  const inner = new WasmPageStore(resolved.scenario.pages);
  let calls = 0;
  let writes = 0;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: number[]) => {
        calls++;
        if (prop === 'touchUniform' || prop === 'touchSequential') writes += args[3]!;
        if (prop === 'touchHotCold') writes += args[6]!;
        return (v as (...a: number[]) => unknown).apply(target, args);
      };
    },
  }) as PageStore;
  const report = runMigration(resolved, store);
  expect(checkReport(report)).toStrictEqual([]);
  return { report, calls, writes };
}

describe('caps cut the work where they are reached (issue 9 reproducers)', () => {
  it('--bandwidth 1e-300B/s and 1e-320B/s are refused with the bound, not run for ~1e306 ms or reported as Infinity', () => {
    for (const bw of [1e-300, 1e-320, 0.5]) {
      expect(() => migrate({ bandwidthBytesPerSec: bw, maxTimeMs: 1000 })).toThrow(InvalidOptionError);
      try {
        migrate({ bandwidthBytesPerSec: bw });
      } catch (e) {
        expect((e as InvalidOptionError).field).toBe('bandwidthBytesPerSec');
        expect((e as InvalidOptionError).accepted).toMatch(/>= 1 B\/s/);
      }
    }
  });

  it('--bandwidth 1B/s --max-time 1s: one page crosses the cap; the guest runs 1 s, not the page\'s 4104 s', () => {
    const { report, writes } = counted({ bandwidthBytesPerSec: 1, maxTimeMs: 1000 });
    expect(report.status).toBe('cancelled');
    expect(report.summary.totalTimeMs).toBe(1000);
    expect(writes).toBeLessThanOrEqual(25_000 + 1);
  });

  it('--bandwidth 1B/s --write-rate 1e7pages/s --max-time 1s: at most 1e7 writes', () => {
    const { report, writes } = counted({ bandwidthBytesPerSec: 1, workload: { kind: 'hot-cold', writesPerSec: 1e7 }, maxTimeMs: 1000 });
    expect(report.summary.totalTimeMs).toBe(1000);
    expect(writes).toBeLessThanOrEqual(1e7 + 1);
  });

  it('--setup-time 1h --write-rate 1e9pages/s --max-time 1ms: the setup phase is cut at 1 ms', () => {
    const { report, writes } = counted({ setupTimeMs: 3_600_000, workload: { kind: 'hot-cold', writesPerSec: 1e9 }, maxTimeMs: 1 });
    expect(report.status).toBe('cancelled');
    expect(report.summary.totalTimeMs).toBe(1);
    expect(report.summary.setupTimeMs).toBe(1);
    expect(writes).toBeLessThanOrEqual(1e6 + 1);
  });

  it('xen --max-time 1us (and at 1 MB/s): no whole 1024-page batch is emulated past the cap', () => {
    for (const bandwidthBytesPerSec of [125e6, 1e6]) {
      const { report, writes } = counted({ algorithm: 'xen', bandwidthBytesPerSec, maxTimeMs: 0.001, setupTimeMs: 0 });
      expect(report.status).toBe('cancelled');
      expect(report.summary.totalTimeMs).toBe(0.001);
      expect(report.summary.normalPages + report.summary.zeroPages).toBeLessThanOrEqual(1);
      expect(writes).toBeLessThanOrEqual(1);
    }
  });

  it('stop-and-copy of 4 GiB with --max-time 1s is cancelled at 1 s, not "completed" in 17 s', () => {
    const report = migrate({ algorithm: 'stop-and-copy', memoryBytes: 4 * GiB, maxTimeMs: 1000 });
    expect(report.status).toBe('cancelled');
    expect(report.summary.totalTimeMs).toBe(1000);
    expect(report.summary.downtimeMs).toBeNull();
    // what the link could carry in that second, plus the page that crossed the cap
    expect(report.summary.transferredBytes).toBeLessThanOrEqual(125e6 + 4096 + 8 + 18);
  });

  it('stop-and-copy honours --max-data the same way', () => {
    const report = migrate({ algorithm: 'stop-and-copy', memoryBytes: 64 * MiB, maxDataBytes: MiB });
    expect(report.status).toBe('cancelled');
    if (report.status === 'cancelled') expect(report.summary.reason).toBe('max-data');
    expect(report.summary.transferredBytes).toBeGreaterThanOrEqual(MiB);
    expect(report.summary.transferredBytes).toBeLessThan(MiB + 4104);
  });

  it('every algorithm cancelled by max-time reports the cap as its end', () => {
    for (const algorithm of ['qemu', 'xen', 'simgrid', 'stop-and-copy'] as const) {
      for (const maxTimeMs of [0.5, 7, 333.3]) {
        const report = migrate({ algorithm, memoryBytes: 256 * MiB, workload: { kind: 'uniform', writesPerSec: 200_000 }, maxTimeMs });
        expect(report.status, `${algorithm} ${maxTimeMs}`).toBe('cancelled');
        expect(report.summary.totalTimeMs).toBe(maxTimeMs);
      }
    }
  });

  it('--vcpus 1024 with a short cap: the writes are the vCPUs\' rate times the cap, no more', () => {
    const { report, writes } = counted({ memoryBytes: 64 * MiB, vcpus: 1024, workload: { kind: 'uniform', writesPerSec: 1e6 }, maxTimeMs: 20 });
    expect(report.summary.totalTimeMs).toBe(20);
    expect(writes).toBeLessThanOrEqual(1024 * (1e6 * 0.02 + 1));
  });

  it('--max-time 1e9ms --max-bandwidth 1B/s: the timeline is thinned and says so; hooks still see every window', () => {
    // A smaller copy of the reproducer (1e7 windows): 40,000 windows of 100 ms.
    let windows = 0;
    let lastMs = 0;
    const { report, calls } = counted({
      memoryBytes: 4 * MiB, workload: { kind: 'uniform', writesPerSec: 1000 }, maxBandwidthBytesPerSec: 1, maxTimeMs: 4_000_000,
      hooks: { onWindow: (s) => { windows++; lastMs = s.tMs; } },
    });
    expect(report.status).toBe('cancelled');
    expect(windows).toBeGreaterThan(4 * MAX_TIMELINE_SAMPLES);
    expect(report.timelineStrideWindows).toBe(8);
    expect(report.timeline.length).toBeLessThanOrEqual(MAX_TIMELINE_SAMPLES + 1);
    expect(report.timeline.length).toBe(Math.floor(windows / 8) + (windows % 8 === 0 ? 0 : 1));
    // the last window is always kept (on QEMU's millisecond clock the run can end inside a window that never closes)
    expect(report.timeline[report.timeline.length - 1]!.tMs).toBe(lastMs);
    expect(report.summary.totalTimeMs - lastMs).toBeLessThan(200);
    // the work is a few core calls per window
    expect(calls).toBeLessThanOrEqual(10 * windows);
  });

  it('a thinned timeline keeps exactly every stride-th window', () => {
    const seen: TimelineSample[] = [];
    const report = migrate({
      memoryBytes: 4 * MiB, workload: { kind: 'uniform', writesPerSec: 1000 }, maxBandwidthBytesPerSec: 1, maxTimeMs: 1_000_000,
      hooks: { onWindow: (w) => { seen.push(w); } },
    });
    const k = report.timelineStrideWindows;
    expect(k).toBe(2);
    const kept = seen.filter((_, i) => (i + 1) % k === 0);
    if (seen.length % k !== 0) kept.push(seen[seen.length - 1]!);
    expect(report.timeline).toStrictEqual(kept);
  });

  it('a run up to the default 600 s cap keeps every window (timelineStrideWindows 1)', () => {
    const report = migrate({ memoryBytes: 4 * MiB, workload: { kind: 'uniform', writesPerSec: 1000 }, maxBandwidthBytesPerSec: 1 });
    expect(report.summary.totalTimeMs).toBe(600_000);
    expect(report.timelineStrideWindows).toBe(1);
  });

  it('without max-data, the run stops at 2^53 bytes, where byte sums stop being exact', () => {
    expect(() => migrate({ maxDataBytes: 2 ** 53 + 2 })).toThrow(/maxDataBytes.*<= 9007199254740992 B/);
    expect(() => migrate({ memoryBytes: 2 ** 54 })).toThrow(/memoryBytes.*<= 9007199254740992 B/);
  });

  it('a sweep with a heavy-writer axis (1e9 writes/s, 8 vCPUs, 1 h setup) under a 1 ms cap finishes, each run cut at the cap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livemig-heavy-'));
    try {
      const experiment = checkExperiment({
        name: 'heavy', base: { memoryBytes: 64 * MiB, maxTimeMs: 1, setupTimeMs: 3_600_000 },
        axes: { 'workload.writesPerSec': [1e9, 1e8], vcpus: [1, 8] }, policies: ['qemu', 'xen'],
      });
      const summary = await runSweep({ experiment, outDir: dir, workers: 1 });
      expect(summary.done).toBe(8);
      for (const r of readResults(dir)) {
        expect(r.summary.totalTimeMs).toBe(1);
        expect(r.summary.status).toBe('cancelled');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
