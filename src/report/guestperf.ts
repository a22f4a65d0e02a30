/**
 * Runs as QEMU guestperf reports, so guestperf-plot.py and scripts written for guestperf read them unchanged.
 *
 * The layout and units are guestperf's own, read from qemu/qemu tests/migration-stress/guestperf/ (older QEMU:
 * tests/migration/guestperf/): report.py, hardware.py, scenario.py, progress.py, timings.py (their
 * serialize/deserialize), engine.py (how each value is measured) and plot.py (what the plots read). Written
 * from that reading; no guestperf code is copied here.
 *
 * What guestperf needs and how livemig fills it in:
 * - progress_history: guestperf polls query-migrate every 50 ms and keeps a snapshot each time dirty-sync-count
 *   rises, plus the final state. livemig's rounds start at those syncs, so there is one entry per round (state at
 *   its start) and one final entry. `now` counts seconds from the start of the migration (guestperf: epoch
 *   seconds; only differences matter to its plots); duration, downtime, downtime_expected and setup_time are ms
 *   (query-migrate's total-time, downtime, expected-downtime, setup-time); transfer_rate_mbs is query-migrate's
 *   `mbps`, decimal Mbit/s; dirty_rate_pps is pages per second; iterations is dirty-sync-count. The final entry of
 *   a cancelled run keeps the state at cancellation (query-migrate would report only the status); the
 *   dirty-limit timings livemig does not measure are 0, as guestperf records them when QEMU omits them.
 * - hardware.mem is GiB (a fraction for guests under 1 GiB) and scenario.bandwidth MiB/s (the max-bandwidth
 *   guestperf sets; here the lower of link and max-bandwidth), max_time seconds, downtime ms. max_iters has no
 *   livemig counterpart and says so with NO_ITERATION_LIMIT. Binds are empty lists (plot.py joins them).
 * - guest_timings: guestperf's guest (stress.c) prints, each time a vCPU has updated 1 GB of its memory, how long
 *   that took. livemig's vCPUs write whole pages at their workload's rate times the CPU share they get, so the same
 *   measure is taken here over smaller amounts of work: a record each time a writing vCPU has done CHUNK_MS of
 *   unthrottled work (more when the run is long, so at most MAX_GUEST_RECORDS per vCPU), with the wall time it
 *   took scaled to ms per GiB of page updates. Throttling stretches a chunk; the stop-and-copy pause adds its
 *   length to the chunk it falls in, as it does to stress.c's GB. The CPU share over each timeline window (100 ms
 *   or a little more) comes from the timeline's mean throttle over vCPUs and the pause, scaled so that each
 *   vCPU's page writes add up to its exact count.
 * - vcpu_timings: cumulative CPU ms per vCPU thread (guestperf reads /proc), from the same windows, scaled to the
 *   exact CPU each vCPU obtained; qemu_timings: the QEMU process, i.e. the sum of its vCPU threads (livemig does
 *   not model QEMU's own threads). Both start with a zero record at time 0: plot.py takes its time origin from the
 *   first QEMU record and needs it earlier than the first guest record.
 * Everything livemig knows beyond that goes under the `livemig` key, which guestperf does not read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunRecord } from '../model/run-record.js';
import { GiB, MiB } from '../units.js';
import type { RoundRecord } from '../model/report.js';

/** guestperf's Hardware (hardware.py). */
export interface GuestperfHardware {
  cpus: number;
  /** GiB. */
  mem: number;
  src_mem_bind: string[];
  dst_mem_bind: string[];
  src_cpu_bind: string[];
  dst_cpu_bind: string[];
  prealloc_pages: boolean;
  huge_pages: boolean;
  locked_pages: boolean;
  /** KVM dirty ring entries per vCPU; 0 = dirty bitmap. */
  dirty_ring_size: number;
}

/** guestperf's Scenario (scenario.py). */
export interface GuestperfScenario {
  name: string;
  /** downtime-limit, ms. */
  downtime: number;
  /** max-bandwidth, MiB/s. */
  bandwidth: number;
  max_iters: number;
  /** Seconds. */
  max_time: number;
  pause: boolean;
  pause_iters: number;
  post_copy: boolean;
  post_copy_iters: number;
  auto_converge: boolean;
  /** cpu-throttle-increment, %. */
  auto_converge_step: number;
  compression_mt: boolean;
  compression_mt_threads: number;
  compression_xbzrle: boolean;
  /** % of guest RAM. */
  compression_xbzrle_cache: number;
  multifd: boolean;
  multifd_channels: number;
  multifd_compression: string;
  dirty_limit: boolean;
  /** ms. */
  x_vcpu_dirty_limit_period: number;
  /** MB/s. */
  vcpu_dirty_limit: number;
}

/** guestperf's ProgressStats (progress.py): query-migrate's `ram`. */
export interface GuestperfRam {
  transferred_bytes: number;
  remaining_bytes: number;
  total_bytes: number;
  /** Zero pages. */
  duplicate_pages: number;
  skipped_pages: number;
  normal_pages: number;
  normal_bytes: number;
  dirty_rate_pps: number;
  /** Decimal Mbit/s, despite the name. */
  transfer_rate_mbs: number;
  /** dirty-sync-count. */
  iterations: number;
}

/** guestperf's Progress (progress.py): one query-migrate snapshot. */
export interface GuestperfProgress {
  status: 'setup' | 'active' | 'completed' | 'cancelled';
  ram: GuestperfRam;
  /** Seconds (here from the start of the migration). */
  now: number;
  /** total-time, ms. */
  duration: number;
  /** ms; 0 until completed. */
  downtime: number;
  /** expected-downtime, ms; 0 outside the active status, as query-migrate omits it. */
  downtime_expected: number;
  /** ms. */
  setup_time: number;
  throttle_pcent: number;
  dirty_limit_throttle_time_per_round: number;
  dirty_limit_ring_full_time: number;
}

/** guestperf's TimingRecord (timings.py). */
export interface GuestperfTiming {
  tid: number;
  /** Seconds, on the same clock as progress `now`. */
  timestamp: number;
  /** ms: per GB updated (guest) or cumulative CPU time (qemu, vcpu). */
  value: number;
}

/** livemig's own fields, under a key guestperf does not read. */
export interface GuestperfExtras {
  format: 'livemig-guestperf/1';
  experiment: string;
  fingerprint: string;
  index: number;
  id: string;
  policy: string;
  params: Record<string, unknown>;
  seed: number;
  scenario: RunRecord['scenario'];
  summary: RunRecord['summary'];
  rounds: RunRecord['rounds'];
}

/** guestperf's Report (report.py), plus the `livemig` extras. */
export interface GuestperfReport {
  hardware: GuestperfHardware;
  scenario: GuestperfScenario;
  progress_history: GuestperfProgress[];
  guest_timings: GuestperfTiming[];
  qemu_timings: GuestperfTiming[];
  vcpu_timings: GuestperfTiming[];
  binary: string;
  dst_host: string;
  kernel: string;
  initrd: string;
  transport: string;
  /** Seconds of guest run before and after the migration: none here. */
  sleep: number;
  livemig: GuestperfExtras;
}

// guestperf's own defaults (scenario.py, shell.py), for the strategies livemig does not emulate.
const GP_PAUSE_ITERS = 5;
const GP_POST_COPY_ITERS = 5;
const GP_AUTO_CONVERGE_STEP = 10;
const GP_COMPRESSION_MT_THREADS = 1;
const GP_XBZRLE_CACHE_PCT = 10;
const GP_MULTIFD_CHANNELS = 2;
const GP_DIRTY_LIMIT_PERIOD_MS = 500;
const GP_VCPU_DIRTY_LIMIT_MBPS = 1;
/**
 * max_iters: guestperf cancels past that many iterations; livemig has no such limit, so the largest int a C or
 * Python %d prints without surprise stands for "none" (JSON has no infinity).
 */
export const NO_ITERATION_LIMIT = 2 ** 31 - 1;
/** Unthrottled work per guest timing record, ms (stress.c reports per GB, which takes it 100s of ms). */
export const CHUNK_MS = 100;
/** Most guest timing records per vCPU: longer runs use bigger chunks. */
export const MAX_GUEST_RECORDS = 600;
/** The QEMU process's tid in qemu_timings (guestperf uses its pid). */
const QEMU_TID = 0;

/** `<experiment>/<id>-<policy>.json`, relative to the output directory (guestperf batch: <comparison>/<scenario>.json). */
export function guestperfPath(r: RunRecord): string {
  return join(safeName(r.experiment), `${safeName(scenarioName(r))}.json`);
}

/** The scenario name guestperf's plots show in legends: `<id>-<policy>`. */
export function scenarioName(r: RunRecord): string {
  return `${r.id}-${r.policy}`;
}

/** A file name from any label: path separators and other odd characters become `_`. */
function safeName(s: string): string {
  const name = s.replace(/[^A-Za-z0-9._+=-]/g, '_');
  return name === '' || name === '.' || name === '..' ? '_' : name;
}

/** Writes one guestperf report per run under `dir`; returns the files written. */
export function writeGuestperf(records: readonly RunRecord[], dir: string): string[] {
  return records.map((r) => {
    const file = join(dir, guestperfPath(r));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(toGuestperf(r), null, 4)}\n`);
    return file;
  });
}

/** One run as a guestperf report. */
export function toGuestperf(r: RunRecord): GuestperfReport {
  const sc = r.scenario;
  const controller = sc.controller ?? {};
  const cname = String(controller['name'] ?? 'none');
  const num = (key: string, fallback: number): number => {
    const v = controller[key];
    return typeof v === 'number' ? v : fallback;
  };
  const timings = timingSeries(r);
  return {
    hardware: {
      cpus: sc.vcpus,
      mem: sc.memoryBytes / GiB,
      src_mem_bind: [],
      dst_mem_bind: [],
      src_cpu_bind: [],
      dst_cpu_bind: [],
      prealloc_pages: false,
      huge_pages: sc.pageSize >= 2 * MiB,
      locked_pages: false,
      dirty_ring_size: cname === 'dirty-limit' ? num('ringEntries', 0) : 0,
    },
    scenario: {
      name: scenarioName(r),
      downtime: sc.downtimeLimitMs,
      // guestperf sets max-bandwidth over a fast local link; here the rate is capped by both.
      bandwidth: Math.min(sc.bandwidthBytesPerSec, sc.maxBandwidthBytesPerSec) / MiB,
      max_iters: NO_ITERATION_LIMIT,
      max_time: sc.maxTimeMs / 1000,
      pause: false,
      pause_iters: GP_PAUSE_ITERS,
      post_copy: false,
      post_copy_iters: GP_POST_COPY_ITERS,
      auto_converge: cname === 'auto-converge',
      auto_converge_step: cname === 'auto-converge' ? num('incrementPct', GP_AUTO_CONVERGE_STEP) : GP_AUTO_CONVERGE_STEP,
      compression_mt: false,
      compression_mt_threads: GP_COMPRESSION_MT_THREADS,
      compression_xbzrle: false,
      compression_xbzrle_cache: GP_XBZRLE_CACHE_PCT,
      multifd: false,
      multifd_channels: GP_MULTIFD_CHANNELS,
      multifd_compression: '',
      dirty_limit: cname === 'dirty-limit',
      x_vcpu_dirty_limit_period: cname === 'dirty-limit' ? num('periodMs', GP_DIRTY_LIMIT_PERIOD_MS) : GP_DIRTY_LIMIT_PERIOD_MS,
      vcpu_dirty_limit: cname === 'dirty-limit' ? num('vcpuDirtyLimitMBps', GP_VCPU_DIRTY_LIMIT_MBPS) : GP_VCPU_DIRTY_LIMIT_MBPS,
    },
    progress_history: progressHistory(r),
    guest_timings: timings.guest,
    qemu_timings: timings.qemu,
    vcpu_timings: timings.vcpu,
    binary: 'livemig',
    dst_host: 'localhost',
    kernel: '',
    initrd: '',
    transport: 'emulated',
    sleep: 0,
    livemig: {
      format: 'livemig-guestperf/1',
      experiment: r.experiment,
      fingerprint: r.fingerprint,
      index: r.index,
      id: r.id,
      policy: r.policy,
      params: r.params,
      seed: r.seed,
      scenario: r.scenario,
      summary: r.summary,
      rounds: r.rounds,
    },
  };
}

/** One snapshot per round, taken at the dirty-log sync that starts it, then the final state. */
export function progressHistory(r: RunRecord): GuestperfProgress[] {
  const sc = r.scenario;
  const s = r.summary;
  const page = sc.pageSize;
  const out: GuestperfProgress[] = [];
  let transferred = 0;
  let normal = 0;
  let zero = 0;
  let skipped = 0;
  // query-migrate keeps the last measured dirty rate and throughput until the next measurement.
  let dirtyPps = 0;
  let mbps = 0;
  let throttle = 0;
  const ram = (remainingBytes: number, iterations: number): GuestperfRam => ({
    transferred_bytes: transferred,
    remaining_bytes: remainingBytes,
    total_bytes: sc.memoryBytes,
    duplicate_pages: zero,
    skipped_pages: skipped,
    normal_pages: normal,
    normal_bytes: normal * page,
    dirty_rate_pps: dirtyPps,
    transfer_rate_mbs: mbps,
    iterations,
  });
  for (const round of r.rounds) {
    out.push({
      status: 'active',
      ram: ram(round.remainingPages * page, round.index),
      now: round.startMs / 1000,
      duration: round.startMs,
      downtime: 0,
      downtime_expected: round.expectedDowntimeMs,
      setup_time: s.setupTimeMs,
      throttle_pcent: throttle,
      dirty_limit_throttle_time_per_round: 0,
      dirty_limit_ring_full_time: 0,
    });
    transferred += round.bytes;
    normal += round.normalPages;
    zero += round.zeroPages;
    skipped += round.skippedPages;
    ({ dirtyPps, mbps } = measured(round, dirtyPps, mbps));
    throttle = round.throttlePct;
  }
  const completed = s.status === 'completed';
  transferred = s.transferredBytes;
  normal = s.normalPages;
  zero = s.zeroPages;
  skipped = s.skippedPages;
  // At completion QEMU reports the mean throughput of the whole transfer (migration_calculate_complete).
  const transferMs = s.totalTimeMs - s.setupTimeMs;
  if (completed && transferMs > 0) mbps = (s.transferredBytes * 8) / transferMs / 1000;
  const lastSample = r.timeline[r.timeline.length - 1];
  out.push({
    status: completed ? 'completed' : 'cancelled',
    ram: ram(completed ? 0 : (lastSample?.remainingPages ?? 0) * page, s.rounds),
    now: s.totalTimeMs / 1000,
    duration: s.totalTimeMs,
    downtime: s.downtimeMs ?? 0,
    downtime_expected: 0,
    setup_time: s.setupTimeMs,
    // The throttle is lifted when the migration ends (migration cleanup stops it).
    throttle_pcent: 0,
    dirty_limit_throttle_time_per_round: 0,
    dirty_limit_ring_full_time: 0,
  });
  return out;
}

/** Dirty rate (pages/s) and throughput (Mbit/s) measured over a finished round; a zero-length round keeps the last. */
function measured(round: RoundRecord, dirtyPps: number, mbps: number): { dirtyPps: number; mbps: number } {
  const ms = round.endMs - round.startMs;
  if (ms <= 0) return { dirtyPps, mbps };
  return { dirtyPps: (round.dirtiedPages * 1000) / ms, mbps: (round.bandwidthBytesPerSec * 8) / 1e6 };
}

/** The guest, vCPU and QEMU timing series (see the file comment). */
export function timingSeries(r: RunRecord): { guest: GuestperfTiming[]; vcpu: GuestperfTiming[]; qemu: GuestperfTiming[] } {
  const sc = r.scenario;
  const s = r.summary;
  const total = s.totalTimeMs;
  const pauseFrom = s.downtimeMs === null ? total : total - s.downtimeMs;
  // Windows [from, to) with the throttle in force over each; the last one runs to the end (resume included).
  const windows: { from: number; to: number; throttlePct: number }[] = [];
  let from = 0;
  for (const t of r.timeline) {
    if (t.tMs > from) windows.push({ from, to: t.tMs, throttlePct: t.throttlePct });
    from = Math.max(from, t.tMs);
  }
  if (total > from) windows.push({ from, to: total, throttlePct: r.timeline[r.timeline.length - 1]?.throttlePct ?? 0 });
  // CPU-time share each window gave a vCPU: its unpaused part, less the throttle.
  const share = windows.map((w) => {
    const paused = Math.max(0, Math.min(w.to, total) - Math.max(w.from, pauseFrom));
    return (w.to - w.from - paused) * (1 - w.throttlePct / 100);
  });
  const shareSum = share.reduce((a, b) => a + b, 0);

  const guest: GuestperfTiming[] = [];
  const vcpu: GuestperfTiming[] = [];
  const qemuCpu = new Array<number>(windows.length + 1).fill(0);
  const pagesPerGiB = GiB / sc.pageSize;
  // Chunk boundaries: the times at which the cumulative share reaches each multiple of `chunk`.
  const chunk = Math.max(CHUNK_MS, shareSum / MAX_GUEST_RECORDS);
  const boundaries: number[] = [];
  let acc = 0;
  windows.forEach((w, k) => {
    const sh = share[k]!;
    if (sh <= 0) return;
    for (let next = chunk * (boundaries.length + 1); next <= acc + sh; next = chunk * (boundaries.length + 1)) {
      boundaries.push(w.from + ((next - acc) / sh) * (w.to - w.from));
    }
    acc += sh;
  });
  for (const v of s.guest.vcpus) {
    vcpu.push({ tid: v.vcpu, timestamp: 0, value: 0 });
    let cpu = 0;
    windows.forEach((w, k) => {
      cpu += shareSum > 0 ? (v.cpuObtainedMs * share[k]!) / shareSum : 0;
      vcpu.push({ tid: v.vcpu, timestamp: w.to / 1000, value: cpu });
      qemuCpu[k + 1]! += cpu;
    });
    if (v.writes === 0) continue;
    // Pages per chunk for this vCPU; the wall time a chunk took, scaled to a GiB of pages.
    const pagesPerChunk = (v.writes * chunk) / shareSum;
    boundaries.forEach((t, j) => {
      const elapsed = t - (j === 0 ? 0 : boundaries[j - 1]!);
      guest.push({ tid: v.vcpu, timestamp: t / 1000, value: (elapsed * pagesPerGiB) / pagesPerChunk });
    });
  }
  guest.sort((a, b) => a.timestamp - b.timestamp || a.tid - b.tid);
  vcpu.sort((a, b) => a.timestamp - b.timestamp || a.tid - b.tid);
  const qemu: GuestperfTiming[] = [{ tid: QEMU_TID, timestamp: 0, value: 0 }];
  windows.forEach((w, k) => qemu.push({ tid: QEMU_TID, timestamp: w.to / 1000, value: qemuCpu[k + 1]! }));
  return { guest, vcpu, qemu };
}
