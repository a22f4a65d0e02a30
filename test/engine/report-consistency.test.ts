import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { ALGORITHMS, type AlgorithmName } from '../../src/model/algorithms.js';
import { type MigrationOptions } from '../../src/model/options.js';
import type { MigrationReport, RoundRecord, TimelineSample } from '../../src/model/report.js';
import type { WorkloadSpec } from '../../src/model/workloads.js';
import { MiB } from '../helpers/stores.js';

// A report's rounds, timeline and summary must tell one story. Wire costs are the reference's (§4.2 for QEMU's
// format, §3.1 for Xen's): 8-byte header + page, 9-byte zero page, 18 bytes of section framing per burst; Xen
// sends every page in full with an 8-byte pfn entry, after a 4-byte header per 1024-page batch.

const HEADER = 8;
const ZERO_PAGE = 9;
// QEMU frames every iteration with a section header (1 + 4 B), the EOS marker (8 B) and a section footer
// (1 + 4 B) (migration/savevm.c); Xen starts every batch with a 4-byte page count (xc_domain_save.c).
const QEMU_FRAMING = 5 + 8 + 5;
const XEN_BATCH_HEADER = 4;

function wire(algorithm: AlgorithmName, pageSize: number): { normal: number; zero: number; trailer: number } {
  return algorithm === 'xen'
    ? { normal: pageSize + 8, zero: pageSize + 8, trailer: XEN_BATCH_HEADER }
    : { normal: pageSize + HEADER, zero: ZERO_PAGE, trailer: QEMU_FRAMING };
}

const sum = (rs: RoundRecord[], f: (r: RoundRecord) => number): number => rs.reduce((s, r) => s + f(r), 0);

function checkReport(report: MigrationReport, label: string): void {
  const s = report.scenario;
  const rounds = report.rounds;
  const m = report.summary;
  const w = wire(s.algorithm, s.pageSize);
  expect(rounds.length, label).toBeGreaterThan(0);
  expect(m.rounds).toBe(rounds.length);
  expect(m.status).toBe(report.status);

  // Totals are the sums of the rounds (integer byte counts: exact).
  expect(sum(rounds, (r) => r.bytes), `${label}: bytes`).toBe(m.transferredBytes);
  expect(sum(rounds, (r) => r.normalPages)).toBe(m.normalPages);
  expect(sum(rounds, (r) => r.zeroPages)).toBe(m.zeroPages);
  expect(sum(rounds, (r) => r.skippedPages)).toBe(m.skippedPages);

  // Rounds are numbered 1.., contiguous in time from the end of setup to the end of the run.
  expect(rounds.map((r) => r.index)).toStrictEqual(rounds.map((_, i) => i + 1));
  expect(rounds[0]!.startMs).toBe(s.setupTimeMs);
  for (let i = 0; i < rounds.length; i++) {
    const r = rounds[i]!;
    expect(r.endMs).toBeGreaterThanOrEqual(r.startMs);
    if (i + 1 < rounds.length) expect(rounds[i + 1]!.startMs).toBe(r.endMs);
    const dt = r.endMs - r.startMs;
    if (dt > 0) expect(r.bandwidthBytesPerSec).toBeCloseTo((r.bytes / dt) * 1000, 3);
    // what a round put on the wire is its pages at the wire cost, plus a whole number of framings
    const pagesBytes = r.normalPages * w.normal + r.zeroPages * w.zero;
    const extra = r.bytes - pagesBytes - (r.phase === 'stop-and-copy' ? s.deviceStateBytes : 0);
    expect(extra, `${label}: round ${r.index} extra bytes`).toBeGreaterThanOrEqual(0);
    if (w.trailer === 0) expect(extra).toBe(0);
    else expect(extra % w.trailer).toBe(0);
    // the link never carries more than its capacity
    expect(r.bytes).toBeLessThanOrEqual((s.bandwidthBytesPerSec * dt) / 1000 + 1e-6 * r.bytes + 1);
  }
  expect(rounds[rounds.length - 1]!.endMs).toBe(m.totalTimeMs);

  // The first round starts with all of memory to send. For xen and simgrid it is one full pass: every page is sent
  // (or, with Xen's skip rule, passed over); so is stop-and-copy's only round. QEMU ends its first round at the
  // first dirty-log sync, which comes as soon as what is left of the pass is within the threshold, so its first
  // round may stop short of the end of memory; the rest of the pass carries over into round 2.
  expect(rounds[0]!.remainingPages).toBe(s.pages);
  const first = rounds[0]!.normalPages + rounds[0]!.zeroPages + rounds[0]!.skippedPages;
  if (s.algorithm === 'qemu') {
    expect(first).toBeLessThanOrEqual(s.pages);
    if (rounds.length > 1) expect(first + rounds[1]!.remainingPages).toBeGreaterThanOrEqual(s.pages);
  } else if (report.status === 'completed') {
    expect(first, `${label}: first round`).toBe(s.pages);
  }

  // Timeline: strictly time-ordered samples within the run, with monotone byte counts and round numbers.
  const tl = report.timeline;
  for (let i = 0; i < tl.length; i++) {
    const x = tl[i]!;
    expect(x.tMs).toBeGreaterThan(i === 0 ? 0 : tl[i - 1]!.tMs);
    expect(x.tMs).toBeLessThanOrEqual(m.totalTimeMs);
    if (i > 0) {
      expect(x.transferredBytes).toBeGreaterThanOrEqual(tl[i - 1]!.transferredBytes);
      expect(x.round).toBeGreaterThanOrEqual(tl[i - 1]!.round);
    }
    expect(x.transferredBytes).toBeLessThanOrEqual(m.transferredBytes);
  }

  // The guest never gets more CPU than it asked for.
  expect(m.guest.cpuObtainedMs).toBeLessThanOrEqual(m.guest.cpuDemandedMs + 1e-9);

  if (report.status === 'completed') {
    const stops = rounds.filter((r) => r.phase === 'stop-and-copy');
    expect(stops.length).toBe(1);
    const stop = rounds[rounds.length - 1]!;
    expect(stop.phase).toBe('stop-and-copy');
    // downtime is the stop-and-copy round: its bytes at link capacity, then the resume time
    expect(report.summary.downtimeMs).toBe(stop.endMs - stop.startMs);
    expect(report.summary.downtimeMs).toBeCloseTo((stop.bytes / s.bandwidthBytesPerSec) * 1000 + s.resumeTimeMs, 6);
    expect(stop.dirtiedPages).toBe(0);
    expect(stop.skippedPages).toBe(0);
    // every page reached the destination at least once
    expect(m.normalPages + m.zeroPages).toBeGreaterThanOrEqual(s.pages);
  } else {
    expect(report.summary.downtimeMs).toBeNull();
    expect(rounds.every((r) => r.phase === 'live')).toBe(true);
    if (report.summary.reason === 'max-time') expect(m.totalTimeMs).toBeGreaterThanOrEqual(s.maxTimeMs);
    if (report.summary.reason === 'max-data') expect(m.transferredBytes).toBeGreaterThanOrEqual(s.maxDataBytes!);
  }
}

const WORKLOADS: Record<string, WorkloadSpec | WorkloadSpec[]> = {
  idle: { kind: 'idle' },
  'hot-cold': { kind: 'hot-cold', writesPerSec: 40_000 },
  uniform: { kind: 'uniform', writesPerSec: 15_000 },
  mixed: [{ kind: 'sequential', writesPerSec: 20_000, regionSize: 0.5 }, { kind: 'compute' }],
};

describe('report rounds, timeline and summary agree', () => {
  for (const algorithm of ALGORITHMS) {
    for (const [name, workload] of Object.entries(WORKLOADS)) {
      it(`${algorithm}, ${name}`, () => {
        for (const opts of [
          { memoryBytes: 64 * MiB, downtimeLimitMs: 30 },
          { memoryBytes: 24 * MiB, populatedFraction: 0.2, deviceStateBytes: 12345, resumeTimeMs: 3.5, seed: 9 },
          { memoryBytes: 256 * MiB, populatedFraction: 0.9, maxTimeMs: 20_000 },
        ] as MigrationOptions[]) {
          const report = migrate({ algorithm, workload, ...opts });
          checkReport(report, `${algorithm}/${name}/${JSON.stringify(opts)}`);
        }
      });
    }
  }

  it('cancelled runs (time and data caps) are consistent too', () => {
    for (const algorithm of ALGORITHMS.filter((a) => a !== 'stop-and-copy')) {
      for (const cap of [{ maxTimeMs: 700 }, { maxDataBytes: 50 * MiB }]) {
        const report = migrate({ algorithm, memoryBytes: 64 * MiB, workload: { kind: 'uniform', writesPerSec: 100_000 }, downtimeLimitMs: 10, ...cap });
        expect(report.status).toBe('cancelled');
        checkReport(report, `${algorithm} ${JSON.stringify(cap)}`);
      }
    }
  });

  it('hooks see exactly the report\'s rounds and timeline, in order', () => {
    for (const algorithm of ALGORITHMS) {
      const seenRounds: RoundRecord[] = [];
      const seenWindows: TimelineSample[] = [];
      const report = migrate({
        algorithm, memoryBytes: 32 * MiB, workload: { kind: 'hot-cold', writesPerSec: 40_000 }, downtimeLimitMs: 30,
        hooks: { onRound: (r) => seenRounds.push(structuredClone(r)), onWindow: (x) => seenWindows.push(structuredClone(x)) },
      });
      expect(seenRounds).toStrictEqual(report.rounds);
      expect(seenWindows).toStrictEqual(report.timeline);
    }
  });
});
