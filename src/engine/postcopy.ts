/**
 * Postcopy: the switch and the postcopy-active phase, after QEMU migration/migration.c postcopy_start and
 * migration/ram.c (ram_postcopy_send_discard_bitmap, the page-request queue of ram_save_queue_pages /
 * get_queued_page) and docs/devel/migration/postcopy.rst; reference: ../shared/reference/qemu-versions-and-wire.md §B.3.
 *
 * The switch (the source's downtime): stop the guest, one last dirty-bitmap sync, the discard bitmap (every
 * page still to send: sent before and dirtied since, or never sent; its runs go as MIG_CMD_POSTCOPY_RAM_DISCARD
 * commands of at most 12 ranges, savevm.c qemu_savevm_send_postcopy_ram_discard, postcopy-ram.c
 * MAX_DISCARDS_PER_COMMAND), then the device state as one package. QEMU's postcopy downtime ends when the package
 * is sent; the destination guest runs resumeTimeMs later.
 *
 * Postcopy-active: the source pushes the pages still to send in scan order (from where pre-copy's scan stood) at
 * max-postcopy-bandwidth (unlimited: the link). Every access of the destination guest to a page it has not
 * received faults: that vCPU blocks for the fault latency and the page is fetched (sent once, never again: it
 * leaves the to-send bitmap). Vanilla, the requested page goes on the main stream and the scan carries on right
 * after it (get_queued_page hands its page to the one scan state); with postcopy-preempt it goes on a channel of
 * its own and the background scan keeps its place. The run ends when the last page is received (QEMU 10.1
 * completes at pending = 0; earlier releases send the rest in the completion step, at the same rate).
 *
 * The guest's accesses are statistical and bounded in time, like the pre-copy touches: per step and vCPU, the
 * number of accesses k solves k / A + L · E[faults(k)] = run time (A accesses per ms at full speed, L the
 * latency, E the occupancy mean over the pages not yet received in the ranges it accesses), then the core draws
 * the faults (assembly/index.ts postcopyAccess: a per-access loop when cheap, else an occupancy draw and a
 * selection walk). The difference between the drawn and the expected blocking carries to the next step.
 *
 * [REC] What a workload reads: its reads follow its writes' distribution (same ranges, same shares), at
 * postcopyReadsPerWrite reads per write; by default 1 for the random writers (uniform, hot-cold, zipf,
 * drifting-hot-set, trace: a program that reads as much as it writes, e.g. a key-value store's get and set),
 * 0 for 'sequential' (a write-only sweep, guestperf's stress), none for 'idle' and 'compute'. Zipf, drifting
 * hot sets and traces are taken as uniform over their region (their hot pages fault early, so this
 * overestimates later faults), a sequential sweep likewise; 'phases' mixes its phases by duration × rate.
 * [REC] Step length: 50 ms (QEMU's MAX_WAIT) or the push time / 2000 if longer, so a huge VM's postcopy takes at
 * most ~2000 steps; faults in a step are drawn against the pages missing at its start.
 * Not modelled: the guest at the source and the destination run concurrently never; async page faults (the
 * guest scheduling another thread while one waits); huge pages; the fault latency growing with the link's load;
 * postcopy recovery; faulted pages do not count against max-postcopy-bandwidth (QEMU serves them urgently).
 */
import type { PageStore } from '../core/page-store.js';
import { expm1, ln1m } from '../core/sampling-math.js';
import type { PostcopyStats, PostcopyTrigger, ResolvedScenario } from '../model/report.js';
import type { WorkloadSpec } from '../model/workloads.js';
import { regionPages } from '../workloads/region.js';
import type { Vcpu } from './vcpu.js';

/** Latency of a remote fault without postcopy-preempt, ms (qemu-versions-and-wire.md §B.3: "≈ 10 ms" random access). */
export const VANILLA_FAULT_LATENCY_MS = 10;
/** With postcopy-preempt, ms (§B.3: "≈ 500 µs"). */
export const PREEMPT_FAULT_LATENCY_MS = 0.5;
/** Ranges per discard command (postcopy-ram.c MAX_DISCARDS_PER_COMMAND). */
export const MAX_DISCARDS_PER_COMMAND = 12;
/** Bytes of one discard range: be64 start, be64 length (savevm.c qemu_savevm_send_postcopy_ram_discard). */
export const DISCARD_RANGE_BYTES = 16;
/**
 * Bytes of one discard command around its ranges: QEMU_VM_COMMAND (1), the command (be16) and its length (be16),
 * version (1), name length (1), the RAMBlock's name ("pc.ram", 6 on x86 pc/q35) and its terminating 0 (1).
 */
export const DISCARD_COMMAND_BYTES = 1 + 2 + 2 + 1 + 1 + 'pc.ram'.length + 1;
/** The longest postcopy step, ms (QEMU's MAX_WAIT, as pre-copy's bursts). */
export const POSTCOPY_STEP_MS = 50;
/** A postcopy takes at most about this many steps (longer steps for a long push). */
export const POSTCOPY_MAX_STEPS = 2000;

/** Whether the postcopy-ram capability is on: postcopyRam, or any postcopy trigger (which needs it). */
export function postcopyCapable(s: Pick<ResolvedScenario, 'postcopyRam' | 'postcopyAfterSyncs' | 'postcopyAfterMs' | 'postcopyStallSyncs'>): boolean {
  return s.postcopyRam || s.postcopyAfterSyncs !== null || s.postcopyAfterMs !== null || s.postcopyStallSyncs !== null;
}

/** Bytes of the discard bitmap's commands for `ranges` runs of pages. */
export function discardBytes(ranges: number): number {
  return ranges * DISCARD_RANGE_BYTES + Math.ceil(ranges / MAX_DISCARDS_PER_COMMAND) * DISCARD_COMMAND_BYTES;
}

/** The fault latency of a run: the option, or the mode's default. */
export function faultLatencyMs(option: number | null, preempt: boolean): number {
  return option ?? (preempt ? PREEMPT_FAULT_LATENCY_MS : VANILLA_FAULT_LATENCY_MS);
}

/** A page range the guest accesses uniformly, taking `share` of its accesses. */
export interface AccessRange {
  start: number;
  count: number;
  share: number;
}

/** Default reads per write by workload kind ([REC] above); kinds that make no accesses are absent. */
const READS_PER_WRITE: Readonly<Record<string, number>> = {
  uniform: 1, 'hot-cold': 1, zipf: 1, 'drifting-hot-set': 1, trace: 1, phases: 1, sequential: 0,
};

/** Reads per write of a workload kind during postcopy (the option wins when set). */
export function readsPerWrite(kind: string, option: number | null): number {
  return option ?? READS_PER_WRITE[kind] ?? 0;
}

/** Where a workload's accesses go during postcopy ([REC] above): ranges whose shares sum to 1, or none. */
export function accessRanges(spec: WorkloadSpec, pages: number): AccessRange[] {
  switch (spec.kind) {
    case 'idle':
    case 'compute':
      return [];
    case 'hot-cold': {
      // As HotColdWorkload splits its region.
      const r = regionPages(pages, spec.regionStart, spec.regionSize);
      const hot = Math.max(1, Math.min(r.count, Math.round(spec.hotFraction! * r.count)));
      const p = spec.hotProbability!;
      if (hot === r.count || p >= 1) return [{ start: r.start, count: hot, share: 1 }];
      if (p <= 0) return [{ start: r.start + hot, count: r.count - hot, share: 1 }];
      return [{ start: r.start, count: hot, share: p }, { start: r.start + hot, count: r.count - hot, share: 1 - p }];
    }
    case 'phases': {
      const phases = spec.phases as { durationMs: number; workload: WorkloadSpec }[];
      const weights = phases.map((ph) => ph.durationMs * ((ph.workload as { writesPerSec?: number }).writesPerSec ?? 0));
      const total = weights.reduce((a, b) => a + b, 0);
      if (!(total > 0)) return [];
      return phases.flatMap((ph, i) => accessRanges(ph.workload, pages).map((r) => ({ ...r, share: (r.share * weights[i]!) / total })));
    }
    default: {
      const r = regionPages(pages, spec.regionStart, spec.regionSize);
      return [{ start: r.start, count: r.count, share: 1 }];
    }
  }
}

/** Expected distinct pages of `held` (among `count`) that `k` uniform accesses reach. */
function expectedFaults(held: number, count: number, k: number): number {
  if (held === 0 || k <= 0) return 0;
  if (count === 1) return held * Math.min(1, k);
  return held * -expm1(k * ln1m(1 / count));
}

/**
 * Accesses in `runMs` of run time at `perMs` accesses per ms when each fault blocks for `latencyMs`: the k with
 * k / perMs + latencyMs · E[faults(k)] = runMs (bisection; E grows with k, so the root is unique).
 */
export function accessesIn(runMs: number, perMs: number, latencyMs: number, ranges: readonly { held: number; count: number; share: number }[]): number {
  const most = runMs * perMs;
  if (latencyMs === 0 || most === 0) return most;
  const time = (k: number) => k / perMs + latencyMs * ranges.reduce((a, r) => a + expectedFaults(r.held, r.count, k * r.share), 0);
  let lo = 0;
  let hi = most;
  for (let i = 0; i < 64 && hi - lo > 1e-9 * most; i++) {
    const mid = (lo + hi) / 2;
    if (time(mid) <= runMs) lo = mid; else hi = mid;
  }
  return lo;
}

/** One vCPU's state through postcopy. */
interface VcpuState {
  vcpu: Vcpu;
  ranges: AccessRange[];
  /** Accesses per ms at full speed (writes and reads). */
  perMs: number;
  writeShare32: number;
  /** Fractional accesses carried over. */
  carry: number;
  /** Blocking still to serve, ms (a fault drawn beyond what the step's run time held). */
  debtMs: number;
  blockedMs: number;
  writes: number;
}

/** What the postcopy phase needs of the engine. */
export interface PostcopyHost {
  readonly store: PageStore;
  readonly vcpus: readonly Vcpu[];
  readonly workloads: readonly WorkloadSpec[];
  readonly pages: number;
  readonly normalPageBytes: number;
  readonly zeroPageBytes: number;
  readonly trailerBytes: number;
  readonly nowMs: number;
  readonly remainingPages: number;
  cursor: number;
  /**
   * Sends from the cursor with a byte budget (wrapping once at the end of memory, framing included), scanning in
   * pieces that end at each of `stops` (sorted page indices), so that each piece lies wholly inside or outside every
   * access range; returns what it sent, with the pages each piece took.
   */
  push(budgetBytes: number, stops: readonly number[]): { bytes: number; normal: number; zero: number; pieces: { from: number; to: number; pages: number }[] };
  /** Counts bytes and the pages a fault fetched as sent in the postcopy round. */
  fetched(normal: number, zero: number, bytes: number): void;
  /** Advances the clock by `dtMs` (windows close as they fall due); vCPU accounting is done here. */
  advance(dtMs: number): void;
}

/** Settings of one postcopy phase. */
export interface PostcopySettings {
  trigger: PostcopyTrigger;
  requestedAtMs: number;
  switchAtMs: number;
  downtimeMs: number;
  resumeAtMs: number;
  pagesAtSwitch: number;
  discardRanges: number;
  discardBytes: number;
  rateBytesPerSec: number;
  latencyMs: number;
  preempt: boolean;
  readsPerWriteOption: number | null;
}

/**
 * Runs postcopy-active from the package sent (`host.nowMs`) until the destination has every page; returns the
 * phase's statistics. Always ends: each step pushes or fetches at least one page.
 */
export function runPostcopyActive(host: PostcopyHost, set: PostcopySettings): PostcopyStats {
  const states: VcpuState[] = host.vcpus.map((v, i) => {
    const r = readsPerWrite(host.workloads[i]!.kind, set.readsPerWriteOption);
    return {
      vcpu: v, ranges: accessRanges(host.workloads[i]!, host.pages), perMs: (v.workload.writesPerSec * (1 + r)) / 1000,
      writeShare32: 4294967296 / (1 + r), carry: 0, debtMs: 0, blockedMs: 0, writes: 0,
    };
  });
  const store = host.store;
  const rate = set.rateBytesPerSec;
  // What the pages still to send cost on the wire, kept exact as pushes and faults take pages.
  let leftBytes = store.toSendBytes(host.normalPageBytes, host.zeroPageBytes);
  const totalMs = (leftBytes / rate) * 1000;
  /** Bytes sent beyond the link's capacity of earlier steps (the page that crosses a budget is still sent). */
  let owed = 0;
  // A step holds at least one page and the framing, however slow the link: every step then moves a page.
  const stepMs = Math.max(POSTCOPY_STEP_MS, totalMs / POSTCOPY_MAX_STEPS, ((host.normalPageBytes + 2 * host.trailerBytes) / rate) * 1000);
  let faults = 0;
  let pushedNormal = 0;
  let pushedZero = 0;
  let faultedNormal = 0;
  let faultedZero = 0;
  let bytes = 0;
  let activeMs = 0;
  // Pages not yet received per distinct access range, kept exact without recounting: faults take theirs off, and
  // pushes are scanned in pieces that each lie inside or outside every range. A range that overlaps a different
  // one where faults fell is counted again when next asked.
  const held = new Map<string, number>();
  const keyed = new Map<string, { start: number; count: number }>();
  for (const st of states) for (const r of st.ranges) keyed.set(`${r.start}:${r.count}`, { start: r.start, count: r.count });
  const stops = [...new Set([...keyed.values()].flatMap((r) => [r.start, r.start + r.count]))].sort((a, b) => a - b);
  // A guard, not a limit: the steps are bounded (see stepMs), so running past it is a bug.
  const maxSteps = 4 * POSTCOPY_MAX_STEPS + 2 * host.pages + 16;
  for (let step = 0; host.remainingPages > 0; step++) {
    if (step > maxSteps) throw new Error(`livemig: postcopy made no progress (${host.remainingPages} pages left after ${step} steps)`);
    // The last step is exactly as long as sending what is left takes.
    const dt = Math.min(stepMs, ((leftBytes + host.trailerBytes + owed) / rate) * 1000);
    const t0 = host.nowMs;
    // The destination guest runs from its resume on.
    const runMs = Math.max(0, Math.min(dt, t0 + dt - set.resumeAtMs));
    let faultBytes = 0;
    let lastFault = -1;
    for (const st of states) {
      const v = st.vcpu;
      v.cpuDemandedMs += v.workload.cpuDemand * dt;
      if (runMs <= 0) continue;
      // Time owed (blocking drawn beyond what earlier steps held) or, negative, time left over (fewer faults
      // than expected), so that the drawn faults do not bias the access count either way.
      const owedMs = st.debtMs;
      const free = runMs - owedMs;
      let blockMs = 0;
      if (free <= 0 || st.perMs === 0 || st.ranges.length === 0) {
        st.debtMs = st.perMs === 0 || st.ranges.length === 0 ? 0 : -free;
      } else {
        const ranges = st.ranges.map((r) => {
          const key = `${r.start}:${r.count}`;
          let h = held.get(key);
          if (h === undefined) { h = store.countToSendRange(r.start, r.count); held.set(key, h); }
          return { ...r, key, held: h };
        });
        const exact = accessesIn(free, st.perMs, set.latencyMs, ranges) + st.carry;
        const k = Math.floor(exact);
        st.carry = exact - k;
        let f = 0;
        let given = 0;
        let cum = 0;
        for (const r of ranges) {
          cum += r.share;
          const upTo = Math.min(k, Math.round(k * cum));
          const kr = r === ranges[ranges.length - 1] ? k - given : upTo - given;
          given += kr;
          const h = held.get(r.key)!;
          if (kr <= 0 || h === 0) continue;
          const fr = store.postcopyAccess(v.index, r.start, r.count, h, kr, st.writeShare32, host.normalPageBytes, host.zeroPageBytes);
          if (fr > 0) {
            f += fr;
            faultedNormal += store.lastNormal();
            faultedZero += store.lastZero();
            faultBytes += store.lastBytes();
            host.fetched(store.lastNormal(), store.lastZero(), store.lastBytes());
            lastFault = store.lastFault();
            // Pages of other ranges this one overlaps may have gone too: count those again when next asked.
            for (const key of [...held.keys()]) {
              const [s0, c0] = key.split(':').map(Number) as [number, number];
              if (key === r.key) held.set(key, h - fr);
              else if (s0 < r.start + r.count && r.start < s0 + c0) held.delete(key);
            }
          }
        }
        faults += f;
        blockMs = set.latencyMs * f;
        st.blockedMs += blockMs;
        st.writes += (k * st.writeShare32) / 4294967296;
        st.debtMs = k / st.perMs + blockMs - free;
      }
      // Blocked in this step: what was owed and what was drawn, less what is still owed after it.
      const blocked = Math.min(runMs, Math.max(0, Math.max(0, owedMs) + blockMs - Math.max(0, st.debtMs)));
      v.cpuObtainedMs += v.workload.cpuDemand * Math.max(0, runMs - blocked);
    }
    if (runMs > 0) activeMs += runMs;
    // Vanilla: the scan goes on right after the page last requested (get_queued_page sets the one scan state).
    if (!set.preempt && lastFault >= 0) host.cursor = lastFault + 1 >= host.pages ? 0 : lastFault + 1;
    const capacity = (rate * dt) / 1000;
    let used = owed + faultBytes;
    leftBytes -= faultBytes;
    const budget = capacity - used - host.trailerBytes;
    if (host.remainingPages > 0 && budget > 0) {
      const pushed = host.push(budget, stops);
      used += pushed.bytes;
      leftBytes -= pushed.bytes - host.trailerBytes;
      for (const piece of pushed.pieces) {
        if (piece.pages === 0) continue;
        for (const [key, r] of keyed) {
          const h = held.get(key);
          if (h !== undefined && piece.from >= r.start && piece.to <= r.start + r.count) held.set(key, h - piece.pages);
        }
      }
      bytes += pushed.bytes;
      pushedNormal += pushed.normal;
      pushedZero += pushed.zero;
    }
    owed = Math.max(0, used - capacity);
    bytes += faultBytes;
    host.advance(dt);
  }
  for (const st of states) st.vcpu.writes += Math.floor(st.writes);
  const endMs = host.nowMs;
  const wanted = host.vcpus.reduce((a, v) => a + v.workload.writesPerSec, 0);
  const writes = states.reduce((a, st) => a + st.writes, 0);
  return {
    trigger: set.trigger,
    requestedAtMs: set.requestedAtMs,
    switchAtMs: set.switchAtMs,
    downtimeMs: set.downtimeMs,
    guestResumedAtMs: set.resumeAtMs,
    lastPageAtMs: endMs,
    riskWindowMs: endMs - set.switchAtMs,
    pagesAtSwitch: set.pagesAtSwitch,
    discardRanges: set.discardRanges,
    discardBytes: set.discardBytes,
    pushedNormalPages: pushedNormal,
    pushedZeroPages: pushedZero,
    faultedNormalPages: faultedNormal,
    faultedZeroPages: faultedZero,
    postcopyBytes: bytes,
    remoteFaults: faults,
    faultLatencyMs: set.latencyMs,
    preempt: set.preempt,
    vcpuBlockedMs: states.reduce((a, st) => a + st.blockedMs, 0),
    maxVcpuBlockedMs: states.reduce((a, st) => Math.max(a, st.blockedMs), 0),
    wantedWritesPerSec: wanted,
    achievedWritesPerSec: activeMs > 0 ? (writes / activeMs) * 1000 : wanted,
  };
}
