/**
 * What researchers compute first from a dirty-page trace, in one streaming pass (memory: a few bitmaps
 * of the page space, plus one number per interval): pages written per interval, the writable working set
 * over window lengths (Clark et al., NSDI 2005, §3: the WWS curve), the dirty rate, and the pages a
 * pre-copy at a given bandwidth would have to send again.
 */
import { MiB } from '../units.js';
import type { TraceHeader } from './header.js';
import type { TraceInterval } from './interval.js';

/** Window lengths of the WSS curve, in intervals: powers of two up to this. */
const MAX_WSS_LEVEL = 16;
/** The modelled pre-copy gives up after this many rounds (QEMU has no limit; Xen's is 30 [SRC xen libxc]). */
const MAX_PRECOPY_ROUNDS = 30;

export interface Summary5 {
  min: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

export interface WssPoint {
  /** Window length in intervals and in milliseconds (intervals × the mean measured interval: a recorder whose
   * scans overran has longer intervals than the nominal one). */
  windowIntervals: number;
  windowMs: number;
  /** Complete, non-overlapping windows of that length in the trace. */
  windows: number;
  /** Distinct pages written per window: mean and largest. */
  meanPages: number;
  maxPages: number;
  /** meanPages in bytes. */
  meanBytes: number;
}

export interface PrecopyRound {
  round: number;
  /** Pages this round sends: all pages for round 0, then those written during the previous round. */
  pagesSent: number;
  durationMs: number;
  /** Distinct pages written while it was sent (what the next round must send). */
  pagesDirtied: number;
}

export interface PrecopyEstimate {
  bandwidthBytesPerSec: number;
  downtimeLimitMs: number;
  rounds: PrecopyRound[];
  /** Pages sent again after the first full pass, summed over rounds. */
  resentPages: number;
  /** converged: the last round's dirtied pages fit in the downtime limit; trace-ended: the trace ran out first;
   * max-rounds: still not converged after MAX_PRECOPY_ROUNDS. */
  outcome: 'converged' | 'trace-ended' | 'max-rounds';
  /** Pages the stop-and-copy would send (dirtied during the last round), when converged. */
  finalPages: number | null;
}

export interface TraceStats {
  pageSizeBytes: number;
  pages: number;
  intervalMs: number;
  /** The measured mean interval (duration / intervals). */
  meanIntervalMs: number;
  method: string;
  intervals: number;
  /** From the first interval's start to the last one's end, as measured. */
  durationMs: number;
  pageWrites: number;
  distinctPages: number;
  pagesPerInterval: Summary5;
  /** Page writes × page size over the duration, MiB/s (MiB = 2^20 bytes). */
  dirtyRateMiBps: number;
  /** The busiest interval's rate, MiB/s. */
  peakDirtyRateMiBps: number;
  /** Changed bytes per written page, when the trace has them. */
  changedBytesPerPage: Summary5 | null;
  wss: WssPoint[];
  precopy: PrecopyEstimate;
  /** Pages written in each interval, in order. */
  perInterval: number[];
}

export interface StatsOptions {
  bandwidthBytesPerSec: number;
  downtimeLimitMs: number;
}

/** Reads every interval of `intervals` once and returns the statistics. */
export function traceStats(header: TraceHeader, intervals: Iterable<TraceInterval>, opts: StatsOptions): TraceStats {
  const ps = header.pageSizeBytes;
  const words = Math.ceil(header.pages / 32);
  const ever = new Uint32Array(words);
  const levels = Array.from({ length: MAX_WSS_LEVEL + 1 }, (_, l) => ({
    len: 2 ** l, bits: new Uint32Array(words), touched: [] as number[], inWindow: 0, distinct: 0,
    windows: 0, sum: 0, max: 0,
  }));
  const perInterval: number[] = [];
  const changed: number[] = [];
  let pageWrites = 0;
  let distinctPages = 0;
  let firstUs: number | null = null;
  let endUs = 0;
  let peak = 0;
  const pre = new PrecopyModel(header.pages, ps, opts);

  for (const iv of intervals) {
    firstUs ??= iv.startUs;
    endUs = Math.max(endUs, iv.startUs + iv.durationUs);
    const n = iv.pages.length;
    perInterval.push(n);
    pageWrites += n;
    const secs = (iv.durationUs || header.intervalMs * 1e3) / 1e6;
    peak = Math.max(peak, (n * ps) / MiB / secs);
    for (const p of iv.pages) {
      const w = p >>> 5;
      const b = 1 << (p & 31);
      if ((ever[w]! & b) === 0) { ever[w]! |= b; distinctPages++; }
    }
    if (iv.changedBytes) for (const c of iv.changedBytes) changed.push(c);
    for (const lv of levels) {
      for (const p of iv.pages) {
        const w = p >>> 5;
        const b = 1 << (p & 31);
        if ((lv.bits[w]! & b) === 0) { lv.bits[w]! |= b; lv.touched.push(w); lv.distinct++; }
      }
      if (++lv.inWindow === lv.len) {
        lv.windows++;
        lv.sum += lv.distinct;
        lv.max = Math.max(lv.max, lv.distinct);
        for (const w of lv.touched) lv.bits[w] = 0;
        lv.touched.length = 0;
        lv.distinct = 0;
        lv.inWindow = 0;
      }
    }
    pre.add(iv);
  }
  const durationMs = firstUs === null ? 0 : (endUs - firstUs) / 1e3;
  const meanIntervalMs = perInterval.length > 0 && durationMs > 0 ? durationMs / perInterval.length : header.intervalMs;
  return {
    pageSizeBytes: ps,
    pages: header.pages,
    intervalMs: header.intervalMs,
    meanIntervalMs,
    method: header.method,
    intervals: perInterval.length,
    durationMs,
    pageWrites,
    distinctPages,
    pagesPerInterval: summarize(perInterval),
    dirtyRateMiBps: durationMs > 0 ? (pageWrites * ps) / MiB / (durationMs / 1e3) : 0,
    peakDirtyRateMiBps: peak,
    changedBytesPerPage: changed.length > 0 ? summarize(changed) : null,
    wss: levels.filter((lv) => lv.windows > 0).map((lv) => ({
      windowIntervals: lv.len,
      windowMs: lv.len * meanIntervalMs,
      windows: lv.windows,
      meanPages: lv.sum / lv.windows,
      maxPages: lv.max,
      meanBytes: (lv.sum / lv.windows) * ps,
    })),
    precopy: pre.finish(),
    perInterval,
  };
}

/**
 * The textbook pre-copy of Clark et al. over the trace's timeline [REC: no link contention, no
 * compression, every page costs its page size]: round 0 sends every page starting at the trace's first
 * scan; each later round sends the distinct pages written during the previous one. An interval counts in
 * the round during which it ended.
 */
class PrecopyModel {
  private readonly rounds: PrecopyRound[] = [];
  private readonly bits: Uint32Array;
  private readonly touched: number[] = [];
  private dirtied = 0;
  private roundStartUs = 0;
  private roundEndUs: number;
  private sent: number;
  private firstUs: number | null = null;
  private done: PrecopyEstimate['outcome'] | null = null;
  private readonly thresholdPages: number;

  constructor(
    pages: number,
    private readonly ps: number,
    private readonly opts: StatsOptions,
  ) {
    this.bits = new Uint32Array(Math.ceil(pages / 32));
    this.sent = pages;
    this.roundEndUs = this.sendUs(pages);
    this.thresholdPages = Math.floor((opts.bandwidthBytesPerSec * opts.downtimeLimitMs) / 1e3 / ps);
  }

  private sendUs(pages: number): number {
    return ((pages * this.ps) / this.opts.bandwidthBytesPerSec) * 1e6;
  }

  add(iv: TraceInterval): void {
    if (this.done) return;
    this.firstUs ??= iv.startUs;
    const t = iv.startUs + iv.durationUs - this.firstUs;
    while (t > this.roundEndUs && !this.done) this.closeRound();
    if (this.done) return;
    for (const p of iv.pages) {
      const w = p >>> 5;
      const b = 1 << (p & 31);
      if ((this.bits[w]! & b) === 0) { this.bits[w]! |= b; this.touched.push(w); this.dirtied++; }
    }
  }

  private closeRound(): void {
    this.rounds.push({ round: this.rounds.length, pagesSent: this.sent, durationMs: (this.roundEndUs - this.roundStartUs) / 1e3, pagesDirtied: this.dirtied });
    if (this.dirtied <= this.thresholdPages) { this.done = 'converged'; return; }
    if (this.rounds.length >= MAX_PRECOPY_ROUNDS) { this.done = 'max-rounds'; return; }
    this.sent = this.dirtied;
    this.roundStartUs = this.roundEndUs;
    this.roundEndUs += Math.max(1, this.sendUs(this.sent));
    for (const w of this.touched) this.bits[w] = 0;
    this.touched.length = 0;
    this.dirtied = 0;
  }

  finish(): PrecopyEstimate {
    const outcome = this.done ?? 'trace-ended';
    const resentPages = this.rounds.slice(1).reduce((s, r) => s + r.pagesSent, 0);
    return {
      bandwidthBytesPerSec: this.opts.bandwidthBytesPerSec,
      downtimeLimitMs: this.opts.downtimeLimitMs,
      rounds: this.rounds,
      resentPages,
      outcome,
      finalPages: outcome === 'converged' ? this.rounds[this.rounds.length - 1]!.pagesDirtied : null,
    };
  }
}

function summarize(values: number[]): Summary5 {
  if (values.length === 0) return { min: 0, mean: 0, p50: 0, p95: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  let sum = 0;
  for (const v of values) sum += v;
  return { min: sorted[0]!, mean: sum / values.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}
