import type { MigrationHooks } from '../model/options.js';
import type { GuestImpact, MigrationReport, PostcopyStats, PrecopyOutcome, ResolvedScenario, RoundRecord, TimelineSample } from '../model/report.js';
import type { Vcpu } from './vcpu.js';

/**
 * Most timeline samples a report keeps. Above it the timeline is thinned, so a long run's report stays a size
 * that can be written and read: 8192 keeps every window of a run up to the default 600 s cap.
 */
export const MAX_TIMELINE_SAMPLES = 8192;

/**
 * What a run leaves behind: the round records, the timeline of windows, and the hooks that watch them as they
 * are made; at the end, the report.
 */
export class Recorder {
  readonly rounds: RoundRecord[] = [];
  readonly timeline: TimelineSample[] = [];
  /** The timeline keeps every `timelineStrideWindows`-th window (doubled each time it would outgrow MAX_TIMELINE_SAMPLES). */
  timelineStrideWindows = 1;
  /** Windows closed so far (hooks see every one of them). */
  windows = 0;
  private lastSample: TimelineSample | null = null;
  /** The round in progress (null before the setup sync). */
  current: RoundRecord | null = null;

  constructor(private readonly hooks: MigrationHooks) {}

  /** Adds bytes put on the wire to the round in progress. */
  addBytes(bytes: number): void {
    this.current!.bytes += bytes;
  }

  /** Ends the round in progress at `endMs`; returns it (null before the first round). */
  endRound(endMs: number, dirtiedPages: number, throttlePct: number): RoundRecord | null {
    const r = this.current;
    if (r === null) return null;
    r.endMs = endMs;
    r.dirtiedPages = dirtiedPages;
    const dt = r.endMs - r.startMs;
    r.bandwidthBytesPerSec = dt > 0 ? (r.bytes / dt) * 1000 : 0;
    r.throttlePct = throttlePct;
    this.rounds.push(r);
    this.hooks.onRound?.(r);
    return r;
  }

  /** Opens the next round, numbered after the last one recorded. */
  startRound(phase: RoundRecord['phase'], startMs: number, remainingPages: number, expectedDowntimeMs: number, throttlePct: number): void {
    this.current = {
      index: this.rounds.length + 1,
      phase,
      startMs,
      endMs: startMs,
      normalPages: 0,
      zeroPages: 0,
      skippedPages: 0,
      bytes: 0,
      dirtiedPages: 0,
      remainingPages,
      bandwidthBytesPerSec: 0,
      expectedDowntimeMs,
      throttlePct,
    };
  }

  sample(s: TimelineSample): void {
    this.windows++;
    this.lastSample = s;
    this.hooks.onWindow?.(s);
    if (this.windows % this.timelineStrideWindows !== 0) return;
    this.timeline.push(s);
    if (this.timeline.length > MAX_TIMELINE_SAMPLES) {
      // Kept: windows stride, 2·stride, …; doubling the stride keeps every other one of them.
      let j = 0;
      for (let i = 1; i < this.timeline.length; i += 2) this.timeline[j++] = this.timeline[i]!;
      this.timeline.length = j;
      this.timelineStrideWindows *= 2;
    }
  }

  /** The timeline as reported: the kept windows, plus the last window when thinning dropped it (the end state). */
  reportedTimeline(): TimelineSample[] {
    const last = this.lastSample;
    if (last !== null && this.timeline[this.timeline.length - 1] !== last) this.timeline.push(last);
    return this.timeline;
  }
}

/** What a finished run's report is made of. */
export interface RunTotals {
  scenario: ResolvedScenario;
  nowMs: number;
  pauseAtMs: number;
  paused: boolean;
  transferredBytes: number;
  normalPages: number;
  zeroPages: number;
  skippedPages: number;
  vcpus: readonly Vcpu[];
  /** The postcopy phase, when the run switched to postcopy. */
  postcopy?: PostcopyStats;
}

/** Turns a finished run into its report. */
export function buildReport(t: RunTotals, recorder: Recorder, outcome: PrecopyOutcome): MigrationReport {
  const s = t.scenario;
  const guest = guestImpact(t);
  const base = {
    algorithm: s.algorithm,
    controller: s.controller === null ? 'none' : String(s.controller['name']),
    totalTimeMs: t.nowMs,
    // A cap reached during the setup phase ends it there.
    setupTimeMs: Math.min(s.setupTimeMs, t.nowMs),
    transferredBytes: t.transferredBytes,
    rounds: recorder.rounds.length,
    normalPages: t.normalPages,
    zeroPages: t.zeroPages,
    skippedPages: t.skippedPages,
    guestCpuLostPct: guest.cpuLostPct,
    meanThrottlePct: guest.meanThrottlePct,
    maxThrottlePct: guest.maxThrottlePct,
    throttledMs: guest.throttledMs,
    guest,
    ...(t.postcopy === undefined ? {} : { postcopy: t.postcopy }),
  };
  const common = {
    format: 'livemig-report/1' as const, scenario: s, rounds: recorder.rounds, timeline: recorder.reportedTimeline(),
    timelineStrideWindows: recorder.timelineStrideWindows,
  };
  if (outcome.status === 'completed') {
    return { ...common, status: 'completed', summary: { status: 'completed', ...base, downtimeMs: t.postcopy?.downtimeMs ?? t.nowMs - t.pauseAtMs } };
  }
  return { ...common, status: 'cancelled', summary: { status: 'cancelled', reason: outcome.reason, ...base, downtimeMs: null } };
}

function guestImpact(t: RunTotals): GuestImpact {
  let demanded = 0;
  let obtained = 0;
  let preDemanded = 0;
  let preObtained = 0;
  let throttlePctMs = 0;
  let throttledMs = 0;
  let maxThrottlePct = 0;
  const vcpus = t.vcpus.map((v) => {
    demanded += v.cpuDemandedMs;
    obtained += v.cpuObtainedMs;
    preDemanded += v.precopyDemandedMs;
    preObtained += v.precopyObtainedMs;
    throttlePctMs += v.throttlePctMs;
    throttledMs = Math.max(throttledMs, v.throttledMs);
    maxThrottlePct = Math.max(maxThrottlePct, v.maxThrottlePct);
    return {
      vcpu: v.index,
      workload: v.workload.kind,
      cpuDemandedMs: v.cpuDemandedMs,
      cpuObtainedMs: v.cpuObtainedMs,
      writes: v.writes,
      throttledMs: v.throttledMs,
      maxThrottlePct: v.maxThrottlePct,
    };
  });
  const precopyMs = t.paused ? t.pauseAtMs : t.nowMs;
  return {
    cpuDemandedMs: demanded,
    cpuObtainedMs: obtained,
    cpuLostMs: demanded - obtained,
    cpuLostPct: demanded > 0 ? ((demanded - obtained) / demanded) * 100 : 0,
    meanThrottlePct: precopyMs > 0 ? throttlePctMs / (precopyMs * t.vcpus.length) : 0,
    maxThrottlePct,
    throttledMs,
    precopyProgress: preDemanded > 0 ? preObtained / preDemanded : 1,
    vcpus,
  };
}
