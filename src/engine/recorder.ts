import type { MigrationHooks } from '../model/options.js';
import type { GuestImpact, MigrationReport, PrecopyOutcome, ResolvedScenario, RoundRecord, TimelineSample } from '../model/report.js';
import type { Vcpu } from './vcpu.js';

/**
 * What a run leaves behind: the round records, the timeline of windows, and the hooks that watch them as they
 * are made; at the end, the report.
 */
export class Recorder {
  readonly rounds: RoundRecord[] = [];
  readonly timeline: TimelineSample[] = [];
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
    this.timeline.push(s);
    this.hooks.onWindow?.(s);
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
}

/** Turns a finished run into its report. */
export function buildReport(t: RunTotals, recorder: Recorder, outcome: PrecopyOutcome): MigrationReport {
  const s = t.scenario;
  const guest = guestImpact(t);
  const base = {
    algorithm: s.algorithm,
    controller: s.controller === null ? 'none' : String(s.controller['name']),
    totalTimeMs: t.nowMs,
    setupTimeMs: s.setupTimeMs,
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
  };
  const common = { format: 'livemig-report/1' as const, scenario: s, rounds: recorder.rounds, timeline: recorder.timeline };
  if (outcome.status === 'completed') {
    return { ...common, status: 'completed', summary: { status: 'completed', ...base, downtimeMs: t.nowMs - t.pauseAtMs } };
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
