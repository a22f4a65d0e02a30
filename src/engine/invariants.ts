/**
 * What every report must satisfy, whatever the input: numbers finite (and non-negative where the type says so),
 * sums that add up, times in order, caps honoured. The test suite checks every report migrate() makes
 * (test/setup.ts turns the check on), and so does LIVEMIG_DEBUG=1; a violation is a bug in livemig.
 */
import { MAX_EXACT_BYTES } from '../model/limits.js';
import type { MigrationReport } from '../model/report.js';
import { MAX_TIMELINE_SAMPLES } from './recorder.js';
import type { WireFormat } from './wire.js';
import { discardBytes } from './postcopy.js';

let forced = false;

/** Turns the check on for every migrate() in this process (the test suite's setup does). */
export function setInvariantChecks(on: boolean): void {
  forced = on;
}

/** Whether migrate() checks its reports: forced on, or LIVEMIG_DEBUG=1 (also in a browser, where there is no process). */
export function invariantChecksOn(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return forced || env?.['LIVEMIG_DEBUG'] === '1';
}

const EPS = 1e-9;

/** Every violated invariant of `report`, as one line each (empty when the report is sound). */
export function reportViolations(report: MigrationReport, wire: WireFormat): string[] {
  const bad: string[] = [];
  const fail = (what: string): void => { if (bad.length < 20) bad.push(what); };

  // Every number finite; every number of the run's record non-negative (times, counts, bytes, rates, percents).
  const walk = (v: unknown, path: string, nonNegative: boolean): void => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(`${path} is ${v}`);
      else if (nonNegative && v < 0) fail(`${path} is negative (${v})`);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, nonNegative));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, nonNegative);
  };
  walk(report.scenario, 'scenario', false);
  walk(report.summary, 'summary', true);
  walk(report.rounds, 'rounds', true);
  walk(report.timeline, 'timeline', true);
  if (bad.length > 0) return bad;

  const s = report.scenario;
  const m = report.summary;
  const rounds = report.rounds;
  const counts = (what: string, x: number) => { if (!Number.isInteger(x) || x > MAX_EXACT_BYTES) fail(`${what} ${x} is not a whole number below 2^53`); };
  counts('transferredBytes', m.transferredBytes);
  counts('normalPages', m.normalPages);
  counts('zeroPages', m.zeroPages);
  counts('skippedPages', m.skippedPages);
  if (m.status !== report.status) fail(`summary.status ${m.status} vs status ${report.status}`);
  if (m.rounds !== rounds.length) fail(`summary.rounds ${m.rounds} vs ${rounds.length} round records`);

  // Totals are the sums of the rounds, exactly (integers below 2^53).
  const sum = (f: (r: (typeof rounds)[number]) => number) => rounds.reduce((a, r) => a + f(r), 0);
  if (sum((r) => r.bytes) !== m.transferredBytes) fail(`rounds' bytes sum to ${sum((r) => r.bytes)}, summary says ${m.transferredBytes}`);
  if (sum((r) => r.normalPages) !== m.normalPages) fail('rounds\' normal pages do not sum to the summary\'s');
  if (sum((r) => r.zeroPages) !== m.zeroPages) fail('rounds\' zero pages do not sum to the summary\'s');
  if (sum((r) => r.skippedPages) !== m.skippedPages) fail('rounds\' skipped pages do not sum to the summary\'s');

  // Time: setup, then contiguous rounds, up to the end; the cap is the end of a run cancelled by time.
  if (m.setupTimeMs > m.totalTimeMs) fail(`setupTimeMs ${m.setupTimeMs} > totalTimeMs ${m.totalTimeMs}`);
  if (m.setupTimeMs !== Math.min(s.setupTimeMs, m.totalTimeMs)) fail(`setupTimeMs ${m.setupTimeMs} is not the setup phase run`);
  if (rounds.length === 0 && !(report.status === 'cancelled' && m.totalTimeMs <= m.setupTimeMs)) fail('no rounds, though the setup phase ended');
  rounds.forEach((r, i) => {
    const at = `round ${r.index}`;
    if (r.index !== i + 1) fail(`${at} is record ${i + 1}`);
    if (r.endMs < r.startMs) fail(`${at} ends (${r.endMs}) before it starts (${r.startMs})`);
    if (i === 0 && r.startMs !== m.setupTimeMs) fail(`round 1 starts at ${r.startMs}, not at the end of setup (${m.setupTimeMs})`);
    if (i > 0 && r.startMs !== rounds[i - 1]!.endMs) fail(`${at} starts at ${r.startMs}, round ${i} ended at ${rounds[i - 1]!.endMs}`);
    if (i < rounds.length - 1 && r.phase !== 'live') fail(`${at} is a ${r.phase} round before the last`);
    if (r.throttlePct > 100 + EPS) fail(`${at} throttle ${r.throttlePct} % > 100`);
    // bytes = pages × wire cost + framing (a whole number of trailers) + the device state in stop-and-copy;
    // with the wire features, multifd's pages and XBZRLE's encoded pages are billed by their own sums.
    const extra = r.bytes - wireFeatureBytes(r, wire, s.pageSize, at, fail);
    // The postcopy round carries the discard bitmap and the device-state package.
    const fixed = r.phase === 'postcopy' ? s.deviceStateBytes + (m.postcopy?.discardBytes ?? 0) : s.deviceStateBytes;
    const framing = r.phase !== 'live' && extra >= fixed ? extra - fixed : extra;
    if (framing < 0) fail(`${at}: ${r.bytes} bytes, less than its pages cost (${r.bytes - extra})`);
    else if (wire.burstTrailerBytes === 0 ? framing !== 0 : framing % wire.burstTrailerBytes !== 0) {
      fail(`${at}: ${framing} framing bytes, not a whole number of ${wire.burstTrailerBytes} B trailers`);
    }
  });
  wireTotals(report, fail);
  const last = rounds[rounds.length - 1];
  if (last !== undefined && last.endMs !== m.totalTimeMs) fail(`the last round ends at ${last.endMs}, the run at ${m.totalTimeMs}`);

  const tl = report.timeline;
  const stride = report.timelineStrideWindows;
  if (!Number.isInteger(stride) || stride < 1 || (stride & (stride - 1)) !== 0) fail(`timelineStrideWindows ${stride} is not a power of two`);
  if (tl.length > MAX_TIMELINE_SAMPLES + 1) fail(`${tl.length} timeline samples, more than ${MAX_TIMELINE_SAMPLES} + 1`);
  tl.forEach((x, i) => {
    const prev = tl[i - 1];
    if (x.tMs <= (prev?.tMs ?? 0)) fail(`timeline[${i}] at ${x.tMs} ms is not after the one before`);
    if (x.tMs > m.totalTimeMs) fail(`timeline[${i}] at ${x.tMs} ms is after the end (${m.totalTimeMs})`);
    if (prev !== undefined && (x.transferredBytes < prev.transferredBytes || x.round < prev.round)) fail(`timeline[${i}] goes back in bytes or rounds`);
    if (x.transferredBytes > m.transferredBytes) fail(`timeline[${i}] has more bytes than the run`);
    if (x.throttlePct > 100 + EPS) fail(`timeline[${i}] throttle ${x.throttlePct} % > 100`);
  });

  const g = m.guest;
  if (g.cpuObtainedMs > g.cpuDemandedMs * (1 + EPS) + EPS) fail(`the guest obtained ${g.cpuObtainedMs} ms of CPU, more than it demanded (${g.cpuDemandedMs})`);
  if (g.precopyProgress > 1 + EPS) fail(`precopyProgress ${g.precopyProgress} > 1`);
  for (const [k, v] of [['guestCpuLostPct', m.guestCpuLostPct], ['meanThrottlePct', m.meanThrottlePct], ['maxThrottlePct', m.maxThrottlePct]] as const) {
    if (v > 100 + EPS) fail(`${k} ${v} > 100`);
  }
  if (m.throttledMs > m.totalTimeMs * (1 + EPS) + EPS) fail(`throttledMs ${m.throttledMs} > totalTimeMs ${m.totalTimeMs}`);

  const dataCap = s.maxDataBytes ?? MAX_EXACT_BYTES;
  const pc = m.postcopy;
  if (pc !== undefined) postcopyViolations(report, wire).forEach(fail);
  else if (rounds.some((r) => r.phase === 'postcopy')) fail('a postcopy round without the summary\'s postcopy block');
  if (report.status === 'completed') {
    const d = report.summary.downtimeMs;
    if (pc !== undefined) {
      // Postcopy: the caps hold up to the switch; a postcopy cannot be cancelled.
      if (last === undefined || last.phase !== 'postcopy') fail('a postcopy run without a final postcopy round');
      else if (d !== pc.downtimeMs || d > last.endMs - last.startMs) fail(`downtime ${d} is not the postcopy switch's (${pc.downtimeMs}) within its round`);
      if (pc.switchAtMs > s.maxTimeMs * (1 + EPS)) fail(`switched to postcopy at ${pc.switchAtMs} ms, after the ${s.maxTimeMs} ms cap`);
    } else {
      // A guest the management layer paused (force-complete) is down from that moment, pre-copy rounds included.
      const pause = report.management?.events.find((e) => e.kind === 'pause');
      if (last === undefined || last.phase !== 'stop-and-copy') fail('a completed run without a final stop-and-copy round');
      else if (pause !== undefined) {
        if (pause.appliedMs === null || d !== m.totalTimeMs - pause.appliedMs) fail(`downtime ${d} is not the time since the management layer paused the guest (${pause.appliedMs})`);
      } else if (d !== last.endMs - last.startMs) fail(`downtime ${d} is not the stop-and-copy round (${last.endMs - last.startMs})`);
      // the last byte goes out by the time cap; only the resume at the destination comes after
      if (m.totalTimeMs - s.resumeTimeMs > s.maxTimeMs * (1 + EPS)) fail(`completed at ${m.totalTimeMs} ms, after the ${s.maxTimeMs} ms cap`);
      if (m.transferredBytes > dataCap) fail(`completed with ${m.transferredBytes} bytes sent, over the ${dataCap} B cap`);
    }
    if (d > m.totalTimeMs) fail(`downtime ${d} > total time ${m.totalTimeMs}`);
    if (m.normalPages + m.zeroPages < s.pages) fail('completed, but not every page was sent');
  } else {
    const c = report.summary;
    if (c.downtimeMs !== null) fail('a cancelled run with a downtime');
    if (c.reason === 'max-time' && m.totalTimeMs !== s.maxTimeMs) fail(`cancelled by max-time at ${m.totalTimeMs} ms, not at the cap (${s.maxTimeMs})`);
    if (c.reason === 'max-data' && m.transferredBytes < dataCap) fail(`cancelled by max-data at ${m.transferredBytes} bytes, below the cap (${dataCap})`);
    if (m.totalTimeMs > s.maxTimeMs) fail(`cancelled at ${m.totalTimeMs} ms, after the ${s.maxTimeMs} ms cap`);
    const abort = report.management?.events.find((e) => e.kind === 'abort');
    if (c.reason === 'aborted' && (abort === undefined || abort.appliedMs !== m.totalTimeMs || abort.tMs > m.totalTimeMs)) {
      fail(`aborted at ${m.totalTimeMs} ms without a management abort applied then (${JSON.stringify(abort ?? null)})`);
    }
  }
  // Management events: in time order, each applied no earlier than it was made and no later than the end.
  const events = report.management?.events ?? [];
  events.forEach((e, i) => {
    walk(e.tMs, `management.events[${i}].tMs`, true);
    if (i > 0 && e.tMs < events[i - 1]!.tMs) fail(`management.events[${i}] at ${e.tMs} ms is before the one before`);
    if (e.appliedMs !== null && (e.appliedMs < e.tMs || e.appliedMs > m.totalTimeMs)) fail(`management.events[${i}] applied at ${e.appliedMs} ms, outside [${e.tMs}, ${m.totalTimeMs}]`);
  });
  return bad;
}

/** Multifd packet header bytes (src/engine/wire-model.ts; kept literal so the checker is an independent oracle). */
const PACKET_HEADER_BYTES = 1344;
const PACKET_PAGES = 128;

/**
 * The bytes a round's pages cost: main-stream normal and zero pages at the wire's costs, XBZRLE pages at their
 * encoded bytes plus the 8 B header, multifd at its channel bytes and flush markers. Checks the features' own sums.
 */
function wireFeatureBytes(r: MigrationReport['rounds'][number], wire: WireFormat, pageSize: number, at: string, fail: (w: string) => void): number {
  const x = r.xbzrle;
  const m = r.multifd;
  let bytes = (r.normalPages - (m?.pages ?? 0)) * wire.normalPageBytes + (r.zeroPages - (m?.zeroPages ?? 0)) * wire.zeroPageBytes;
  if (x !== undefined) {
    bytes += x.bytes - x.overflow * pageSize + 8 * x.pages;
    if (x.overflow > r.normalPages) fail(`${at}: ${x.overflow} XBZRLE overflows, more than its ${r.normalPages} normal pages`);
    if (x.cacheMiss > r.normalPages) fail(`${at}: ${x.cacheMiss} cache misses, more than its ${r.normalPages} normal pages`);
    if (x.cacheMissRate > 1 + EPS) fail(`${at}: cache-miss-rate ${x.cacheMissRate} > 1`);
    if (x.pages > 0 && x.bytes - x.overflow * pageSize < 4 * x.pages) fail(`${at}: ${x.pages} encoded pages in fewer than 4 B each`);
  }
  if (m !== undefined) {
    bytes += m.bytes + m.flushFlagBytes;
    if (m.pages > r.normalPages || m.zeroPages > r.zeroPages) fail(`${at}: multifd carried more pages than the round sent`);
    if (m.bytes !== m.compressedBytes + (m.packets + m.syncPackets) * PACKET_HEADER_BYTES) {
      fail(`${at}: multifd bytes ${m.bytes} are not payload ${m.compressedBytes} + ${m.packets + m.syncPackets} headers of ${PACKET_HEADER_BYTES} B`);
    }
    if (m.uncompressedBytes !== m.pages * pageSize) fail(`${at}: multifd uncompressed bytes ${m.uncompressedBytes} are not ${m.pages} pages`);
    if (m.compressedBytes > m.uncompressedBytes) fail(`${at}: compression grew the pages (${m.compressedBytes} > ${m.uncompressedBytes})`);
    if (r.phase === 'live' && m.syncPackets % m.channels !== 0) fail(`${at}: ${m.syncPackets} sync packets, not a whole number of syncs of ${m.channels} channels`);
  }
  return bytes;
}

/** The run's XBZRLE and multifd totals are the sums of its rounds'; packets hold at most 128 pages each. */
function wireTotals(report: MigrationReport, fail: (w: string) => void): void {
  const m = report.summary;
  for (const key of ['xbzrle', 'multifd'] as const) {
    const total = m[key] as Record<string, number> | undefined;
    if (total === undefined) {
      if (report.rounds.some((r) => r[key] !== undefined)) fail(`rounds have ${key} statistics, the summary has none`);
      continue;
    }
    for (const [k, v] of Object.entries(total)) {
      if (k === 'channels' || k.endsWith('Rate') || k === 'compressionRatio' || k.endsWith('CpuMs')) continue;
      const sum = report.rounds.reduce((a, r) => a + ((r[key] as Record<string, number> | undefined)?.[k] ?? 0), 0);
      if (sum !== v) fail(`summary.${key}.${k} ${v} is not the rounds' sum ${sum}`);
    }
  }
  const mf = m.multifd;
  if (mf !== undefined && mf.packets * PACKET_PAGES < mf.pages + mf.zeroPages) fail(`${mf.packets} multifd packets cannot carry ${mf.pages + mf.zeroPages} pages`);
}

/**
 * A completed run on its link: no stretch between two timeline samples (nor the whole run) carried more than
 * the link's capacity over it (a cancelled run's last step may be cut at the cap, so only completed runs).
 */
export function capacityViolations(report: MigrationReport, capacity: { integrateFor(t0: number, durationMs: number): number }): string[] {
  if (report.status !== 'completed') return [];
  const bad: string[] = [];
  // Postcopy sends in steps in which pages fetched on fault and the page that crosses the push's budget are still
  // sent, the excess repaid by the next steps and by the end (src/engine/postcopy.ts): there only the whole run is
  // checked.
  const pc = report.summary.postcopy;
  const over = (bytes: number, t0: number, t1: number) => bytes > capacity.integrateFor(t0, t1 - t0) * (1 + EPS) + 1e-6;
  let prevT = 0;
  let prevB = 0;
  for (const x of report.timeline) {
    if (pc !== undefined && x.tMs > pc.switchAtMs) break;
    if (over(x.transferredBytes - prevB, prevT, x.tMs) && bad.length < 20) bad.push(`${x.transferredBytes - prevB} B sent from ${prevT} to ${x.tMs} ms, more than the link carries then`);
    prevT = x.tMs;
    prevB = x.transferredBytes;
  }
  const m = report.summary;
  if (over(m.transferredBytes, 0, m.totalTimeMs)) bad.push(`${m.transferredBytes} B sent in ${m.totalTimeMs} ms, more than the link carries`);
  return bad;
}

/** What a report's postcopy block must satisfy: every page after the switch sent exactly once, times in order, sums. */
function postcopyViolations(report: MigrationReport, wire: WireFormat): string[] {
  const bad: string[] = [];
  const m = report.summary;
  const pc = m.postcopy!;
  const last = report.rounds[report.rounds.length - 1];
  const counts = ['pagesAtSwitch', 'discardRanges', 'discardBytes', 'pushedNormalPages', 'pushedZeroPages', 'faultedNormalPages', 'faultedZeroPages', 'postcopyBytes', 'remoteFaults'] as const;
  for (const k of counts) if (!Number.isInteger(pc[k])) bad.push(`postcopy.${k} ${pc[k]} is not a whole number`);
  if (report.status !== 'completed') bad.push('a postcopy run that is not completed');
  const sent = pc.pushedNormalPages + pc.pushedZeroPages + pc.faultedNormalPages + pc.faultedZeroPages;
  if (sent !== pc.pagesAtSwitch) bad.push(`after the switch ${sent} pages were sent, but the destination lacked ${pc.pagesAtSwitch}`);
  if (last !== undefined && last.normalPages + last.zeroPages !== sent) bad.push(`the postcopy round sent ${last.normalPages + last.zeroPages} pages, the postcopy block ${sent}`);
  if (pc.remoteFaults !== pc.faultedNormalPages + pc.faultedZeroPages) bad.push(`${pc.remoteFaults} remote faults but ${pc.faultedNormalPages + pc.faultedZeroPages} pages fetched on fault`);
  if (pc.discardBytes !== discardBytes(pc.discardRanges)) bad.push(`discard bitmap of ${pc.discardRanges} ranges is ${pc.discardBytes} B, not ${discardBytes(pc.discardRanges)}`);
  if ((pc.discardRanges === 0) !== (pc.pagesAtSwitch === 0)) bad.push(`${pc.discardRanges} discard ranges for ${pc.pagesAtSwitch} pages`);
  const pageBytes = (pc.pushedNormalPages + pc.faultedNormalPages) * wire.normalPageBytes + (pc.pushedZeroPages + pc.faultedZeroPages) * wire.zeroPageBytes;
  const framing = pc.postcopyBytes - pageBytes;
  if (framing < 0 || (wire.burstTrailerBytes === 0 ? framing !== 0 : framing % wire.burstTrailerBytes !== 0)) bad.push(`postcopy bytes ${pc.postcopyBytes}: pages cost ${pageBytes}, the rest is not whole trailers`);
  const t = [pc.requestedAtMs, pc.switchAtMs, pc.switchAtMs + pc.downtimeMs, pc.guestResumedAtMs, m.totalTimeMs];
  if (t.some((x, i) => i > 0 && x < t[i - 1]! - EPS)) bad.push(`postcopy times out of order: requested, switch, package sent, resumed, end = ${t.join(', ')}`);
  if (pc.lastPageAtMs > m.totalTimeMs + EPS || pc.lastPageAtMs < pc.switchAtMs) bad.push(`last page at ${pc.lastPageAtMs} ms, outside the switch (${pc.switchAtMs}) to the end (${m.totalTimeMs})`);
  if (pc.riskWindowMs !== pc.lastPageAtMs - pc.switchAtMs) bad.push(`risk window ${pc.riskWindowMs} is not the switch to the last page`);
  if (last !== undefined && last.startMs !== pc.switchAtMs) bad.push(`the postcopy round starts at ${last.startMs}, the switch at ${pc.switchAtMs}`);
  // Blocked time is faults × latency, exactly up to rounding in the per-vCPU sums.
  const blocked = pc.remoteFaults * pc.faultLatencyMs;
  if (Math.abs(pc.vcpuBlockedMs - blocked) > 1e-9 * Math.max(1, blocked)) bad.push(`vCPUs blocked ${pc.vcpuBlockedMs} ms, but ${pc.remoteFaults} faults × ${pc.faultLatencyMs} ms = ${blocked}`);
  if (pc.maxVcpuBlockedMs > pc.vcpuBlockedMs + EPS) bad.push('one vCPU blocked longer than all together');
  return bad;
}

/** Throws (a bug, not a user error) if `report` breaks an invariant. */
export function assertReportInvariants(report: MigrationReport, wire: WireFormat, capacity?: { integrateFor(t0: number, durationMs: number): number }): void {
  const bad = [...reportViolations(report, wire), ...(capacity === undefined ? [] : capacityViolations(report, capacity))];
  if (bad.length > 0) throw new Error(`livemig: report invariant broken (${report.scenario.algorithm}): ${bad.join('; ')}`);
}
