import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/batch/record.js';
import { GiB, MiB } from '../../src/units.js';
import { guestperfPath, toGuestperf, writeGuestperf } from '../../src/report/guestperf.js';
import { runInProcess, smallSweep, tempDir } from './fixtures.js';

/*
 * The keys guestperf's deserializers index (data["..."]), from qemu/qemu tests/migration-stress/guestperf/
 * (tests/migration/guestperf/ before QEMU 9.2): report.py Report.deserialize, hardware.py Hardware.deserialize,
 * scenario.py Scenario.deserialize (which reads up to multifd_compression; serialize also writes the dirty-limit
 * keys), progress.py Progress.deserialize and ProgressStats.deserialize, timings.py TimingRecord.deserialize.
 */
const REPORT_KEYS = ['hardware', 'scenario', 'progress_history', 'guest_timings', 'qemu_timings', 'vcpu_timings', 'binary', 'dst_host', 'kernel', 'initrd', 'transport', 'sleep'];
const HARDWARE_KEYS = ['cpus', 'mem', 'src_cpu_bind', 'src_mem_bind', 'dst_cpu_bind', 'dst_mem_bind', 'prealloc_pages', 'huge_pages', 'locked_pages', 'dirty_ring_size'];
const SCENARIO_KEYS = [
  'name', 'downtime', 'bandwidth', 'max_iters', 'max_time', 'pause', 'pause_iters', 'post_copy', 'post_copy_iters', 'auto_converge',
  'auto_converge_step', 'compression_mt', 'compression_mt_threads', 'compression_xbzrle', 'compression_xbzrle_cache', 'multifd',
  'multifd_channels', 'multifd_compression', 'dirty_limit', 'x_vcpu_dirty_limit_period', 'vcpu_dirty_limit',
];
const PROGRESS_KEYS = ['status', 'ram', 'now', 'duration', 'downtime', 'downtime_expected', 'setup_time', 'throttle_pcent', 'dirty_limit_throttle_time_per_round', 'dirty_limit_ring_full_time'];
const RAM_KEYS = ['transferred_bytes', 'remaining_bytes', 'total_bytes', 'duplicate_pages', 'skipped_pages', 'normal_pages', 'normal_bytes', 'dirty_rate_pps', 'transfer_rate_mbs', 'iterations'];
const TIMING_KEYS = ['tid', 'timestamp', 'value'];

type Json = Record<string, unknown>;

describe('guestperf export', () => {
  const records = smallSweep();
  const byPolicy = (policy: string, bw: number): RunRecord =>
    records.find((r) => r.policy === policy && r.params['bandwidthBytesPerSec'] === bw && r.seed === 1)!;

  it("has every key guestperf's deserializers read, with numbers where plot.py formats them with %d", () => {
    for (const r of records) {
      const g = JSON.parse(JSON.stringify(toGuestperf(r))) as Json;
      expect(Object.keys(g)).toEqual(expect.arrayContaining(REPORT_KEYS));
      expect(Object.keys(g['hardware'] as Json).sort()).toEqual([...HARDWARE_KEYS].sort());
      expect(Object.keys(g['scenario'] as Json).sort()).toEqual([...SCENARIO_KEYS].sort());
      for (const p of g['progress_history'] as Json[]) {
        expect(Object.keys(p).sort()).toEqual([...PROGRESS_KEYS].sort());
        expect(Object.keys(p['ram'] as Json).sort()).toEqual([...RAM_KEYS].sort());
        for (const k of PROGRESS_KEYS.filter((k) => k !== 'status' && k !== 'ram')) expect(typeof p[k], k).toBe('number');
        for (const k of RAM_KEYS) expect(typeof (p['ram'] as Json)[k], k).toBe('number');
      }
      for (const list of ['guest_timings', 'qemu_timings', 'vcpu_timings']) {
        for (const t of g[list] as Json[]) {
          expect(Object.keys(t).sort()).toEqual([...TIMING_KEYS].sort());
          for (const k of TIMING_KEYS) expect(Number.isFinite(t[k]), `${list}.${k}`).toBe(true);
        }
      }
      const hw = g['hardware'] as Json;
      for (const k of ['src_cpu_bind', 'src_mem_bind', 'dst_cpu_bind', 'dst_mem_bind']) expect(hw[k]).toEqual([]);
      for (const k of ['downtime', 'bandwidth', 'max_iters', 'max_time', 'auto_converge_step']) expect(Number.isFinite((g['scenario'] as Json)[k])).toBe(true);
    }
  });

  it("uses guestperf's units: GiB, MiB/s, seconds, ms, decimal Mbit/s", () => {
    const r = byPolicy('qemu+auto-converge', 125e6);
    const g = toGuestperf(r);
    expect(g.hardware.mem).toBe(64 / 1024);
    expect(g.hardware.cpus).toBe(2);
    expect(g.scenario.bandwidth).toBe(125e6 / MiB);
    expect(g.scenario.max_time).toBe(20);
    expect(g.scenario.downtime).toBe(r.scenario.downtimeLimitMs);
    expect(g.scenario.auto_converge).toBe(true);
    expect(g.scenario.auto_converge_step).toBe(10);
    const last = g.progress_history[g.progress_history.length - 1]!;
    expect(last.duration).toBe(r.summary.totalTimeMs);
    expect(last.now).toBe(r.summary.totalTimeMs / 1000);
    expect(last.downtime).toBe(r.summary.downtimeMs);
    // QEMU's completion mbps: bytes × 8 / (total − setup) ms / 1000, so about the link's 1000 Mbit/s.
    expect(last.ram.transfer_rate_mbs).toBeGreaterThan(800);
    expect(last.ram.transfer_rate_mbs).toBeLessThanOrEqual(1000 * 1.001);
    expect(last.ram.total_bytes).toBe(64 * MiB);
  });

  it('keeps one progress snapshot per round (at its dirty-log sync) plus the final state', () => {
    for (const r of records) {
      const ph = toGuestperf(r).progress_history;
      expect(ph.length).toBe(r.rounds.length + 1);
      r.rounds.forEach((round, i) => {
        expect(ph[i]!.status).toBe('active');
        expect(ph[i]!.ram.iterations).toBe(round.index);
        expect(ph[i]!.now).toBe(round.startMs / 1000);
        expect(ph[i]!.ram.remaining_bytes).toBe(round.remainingPages * r.scenario.pageSize);
        expect(ph[i]!.downtime_expected).toBe(round.expectedDowntimeMs);
      });
      const last = ph[ph.length - 1]!;
      expect(last.status).toBe(r.summary.status);
      expect(last.ram.iterations).toBe(r.summary.rounds);
      expect(last.ram.transferred_bytes).toBe(r.summary.transferredBytes);
      expect(last.ram.normal_pages).toBe(r.summary.normalPages);
      expect(last.ram.duplicate_pages).toBe(r.summary.zeroPages);
      expect(last.ram.normal_bytes).toBe(r.summary.normalPages * r.scenario.pageSize);
      for (let i = 1; i < ph.length; i++) {
        expect(ph[i]!.now).toBeGreaterThanOrEqual(ph[i - 1]!.now);
        expect(ph[i]!.ram.transferred_bytes).toBeGreaterThanOrEqual(ph[i - 1]!.ram.transferred_bytes);
      }
    }
  });

  it('reports a cancelled run with zero downtime, as query-migrate does', () => {
    const r = byPolicy('qemu', 50e6);
    expect(r.summary.status).toBe('cancelled');
    const last = toGuestperf(r).progress_history.at(-1)!;
    expect(last.status).toBe('cancelled');
    expect(last.downtime).toBe(0);
    expect(last.ram.remaining_bytes).toBeGreaterThan(0);
  });

  it('gives plot.py the timings it needs: a QEMU record before the first guest record, CPU that adds up', () => {
    for (const r of records) {
      const g = toGuestperf(r);
      expect(g.qemu_timings[0]!.timestamp).toBeLessThan(g.guest_timings[0]!.timestamp);
      for (const v of r.summary.guest.vcpus) {
        const own = g.vcpu_timings.filter((t) => t.tid === v.vcpu);
        expect(own[0]).toEqual({ tid: v.vcpu, timestamp: 0, value: 0 });
        expect(own.at(-1)!.value).toBeCloseTo(v.cpuObtainedMs, 6);
        for (let i = 1; i < own.length; i++) expect(own[i]!.value).toBeGreaterThanOrEqual(own[i - 1]!.value - 1e-9);
      }
      const cpu = r.summary.guest.vcpus.reduce((a, v) => a + v.cpuObtainedMs, 0);
      expect(g.qemu_timings.at(-1)!.value).toBeCloseTo(cpu, 6);
    }
  });

  it('measures guest memory update speed in ms per GiB, slower under throttling', () => {
    // Unthrottled: 30000 pages/s of 4 KiB is 1 GiB in 262144 / 30000 s.
    const plain = toGuestperf(byPolicy('qemu', 50e6));
    const fullSpeed = ((GiB / 4096) / 30_000) * 1000;
    expect(plain.guest_timings.length).toBeGreaterThan(10);
    // Exact up to the carry of fractional writes: the run's integer write count sets the rate.
    const near = (v: number): boolean => Math.abs(v / fullSpeed - 1) < 1e-4;
    for (const t of plain.guest_timings) expect(near(t.value), String(t.value)).toBe(true);
    const throttled = byPolicy('qemu+auto-converge', 50e6);
    expect(throttled.summary.maxThrottlePct).toBeGreaterThan(0);
    const values = toGuestperf(throttled).guest_timings.map((t) => t.value);
    // Throttled windows take the timeline's mean throttle, so the unthrottled stretches come out within 1 %.
    expect(Math.abs(Math.min(...values) / fullSpeed - 1)).toBeLessThan(0.01);
    expect(Math.max(...values)).toBeGreaterThan(fullSpeed * 1.2);
  });

  it('has no guest records for a guest that writes nothing', () => {
    const [idle] = runInProcess({ name: 'idle', base: { memoryBytes: 8 * MiB, workload: { kind: 'idle' } } });
    const g = toGuestperf(idle!);
    expect(g.guest_timings).toEqual([]);
    expect(g.progress_history.at(-1)!.status).toBe('completed');
  });

  it('maps dirty-limit parameters and keeps livemig extras under their own key', () => {
    const r = byPolicy('qemu+dirty-limit', 50e6);
    const g = toGuestperf(r);
    expect(g.scenario.dirty_limit).toBe(true);
    expect(g.scenario.auto_converge).toBe(false);
    expect(g.scenario.x_vcpu_dirty_limit_period).toBe(r.scenario.controller!['periodMs']);
    expect(g.scenario.vcpu_dirty_limit).toBe(r.scenario.controller!['vcpuDirtyLimitMBps']);
    expect(g.hardware.dirty_ring_size).toBe(r.scenario.controller!['ringEntries']);
    expect(g.livemig).toMatchObject({ format: 'livemig-guestperf/1', id: r.id, policy: r.policy, experiment: r.experiment, seed: r.seed });
    expect(g.livemig.summary).toEqual(r.summary);
  });

  it('writes <dir>/<experiment>/<id>-<policy>.json, one file per run, as indented JSON', () => {
    const dir = tempDir();
    const files = writeGuestperf(records, dir);
    expect(files.length).toBe(records.length);
    expect(files[0]).toBe(join(dir, 'report-fixture', 'p0-qemu.json'));
    expect(guestperfPath(records[1]!)).toBe(join('report-fixture', 'p1-qemu+auto-converge.json'));
    const text = readFileSync(files[1]!, 'utf8');
    expect(text.startsWith('{\n    "hardware"')).toBe(true);
    expect((JSON.parse(text) as Json)['scenario']).toMatchObject({ name: 'p1-qemu+auto-converge' });
    expect(guestperfPath({ ...records[0]!, experiment: '../x', policy: 'a/b c' })).toBe(join('.._x', 'p0-a_b_c.json'));
  });
});
