import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../src/model/algorithms.js';
import type { WorkloadSpec } from '../../src/model/workloads.js';
import { destinationViolations } from '../helpers/consistency.js';
import { MiB, runOn } from '../helpers/stores.js';

// After a completed migration the destination must hold the source's memory: every page's last write at the
// source happened before its last send. With trace: true the core stamps every write and send with a counter
// bumped once per call, so the order is exact.

const WORKLOADS: Record<string, WorkloadSpec | WorkloadSpec[]> = {
  idle: { kind: 'idle' },
  uniform: { kind: 'uniform', writesPerSec: 8_000 },
  'hot-cold': { kind: 'hot-cold', writesPerSec: 25_000 },
  'hot-cold, no cold': { kind: 'hot-cold', writesPerSec: 25_000, hotFraction: 1, hotProbability: 0.5 },
  sequential: { kind: 'sequential', writesPerSec: 10_000, regionStart: 0.5 },
  'two vcpus': [
    { kind: 'sequential', writesPerSec: 5_000, regionSize: 0.5 },
    { kind: 'uniform', writesPerSec: 5_000, regionStart: 0.5 },
  ],
};

describe('destination consistency after completed migrations', () => {
  for (const algorithm of ALGORITHMS) {
    for (const [name, workload] of Object.entries(WORKLOADS)) {
      it(`${algorithm}, ${name}`, () => {
        const configs = [[8 * MiB, 1, 300], [32 * MiB, 2, 30], [16 * MiB + 37 * 4096, 3, 300], [32 * MiB, 4, 300]] as const;
        for (const [memoryBytes, seed, downtimeLimitMs] of configs) {
          const { report, store } = runOn({ algorithm, workload, memoryBytes, seed, downtimeLimitMs, trace: true });
          expect(report.status).toBe('completed');
          expect(destinationViolations(store, 5)).toStrictEqual([]);
          // nothing left to send, and the paused guest dirtied nothing after the final sync
          expect(store.countBits('toSend')).toBe(0);
          expect(store.countBits('dirtyLog')).toBe(0);
          // the check is not vacuous: the guest did write (unless idle) and every page was sent
          if (name !== 'idle') expect(store.lastWrite!.some((s) => s > 0)).toBe(true);
          expect(store.lastSend!.every((s) => s > 0)).toBe(true);
        }
      });
    }
  }
  it('xen without the skip rule, and populatedFraction 0 and 1', () => {
    for (const extra of [{ xenSkipRule: false }, { populatedFraction: 0 }, { populatedFraction: 1 }]) {
      const { report, store } = runOn({ algorithm: 'xen', workload: WORKLOADS['hot-cold']!, memoryBytes: 16 * MiB, trace: true, ...extra });
      expect(report.status).toBe('completed');
      expect(destinationViolations(store)).toStrictEqual([]);
    }
  });
});

describe('the consistency checker catches a destination that is out of date', () => {
  for (const algorithm of ALGORITHMS.filter((a) => a !== 'stop-and-copy')) {
    it(`${algorithm}: a run cancelled mid-pre-copy leaves pages written after their last send`, () => {
      const { report, store } = runOn({
        algorithm, memoryBytes: 32 * MiB, workload: { kind: 'uniform', writesPerSec: 50_000 }, maxTimeMs: 150, trace: true,
        downtimeLimitMs: 20, // small enough that QEMU cannot switch over within 150 ms
      });
      expect(report.status).toBe('cancelled');
      const v = destinationViolations(store);
      expect(v.length).toBeGreaterThan(0);
      expect(v.some((x) => x.why === 'written after its last send' && x.lastSend > 0)).toBe(true);
      for (const x of v) expect(x.lastWrite > x.lastSend || x.lastSend === 0).toBe(true);
    });
  }

  it('a run cancelled before anything was sent leaves populated pages never sent', () => {
    const { report, store } = runOn({ memoryBytes: 8 * MiB, workload: { kind: 'idle' }, setupTimeMs: 10, maxTimeMs: 5, trace: true });
    expect(report.status).toBe('cancelled');
    const v = destinationViolations(store);
    // half the pages are populated at boot (the default populatedFraction); none was sent
    expect(v.length).toBe((8 * MiB) / 4096 / 2);
    expect(v.every((x) => x.why === 'populated but never sent')).toBe(true);
  });

  it('a single write after a completed migration is reported, on exactly that page', () => {
    const { store } = runOn({ algorithm: 'qemu', memoryBytes: 8 * MiB, workload: { kind: 'hot-cold', writesPerSec: 20_000 }, trace: true });
    expect(destinationViolations(store)).toStrictEqual([]);
    store.touchSequential(1234, 1, 0, 1);
    const v = destinationViolations(store);
    expect(v.map((x) => [x.page, x.why])).toStrictEqual([[1234, 'written after its last send']]);
  });
});
