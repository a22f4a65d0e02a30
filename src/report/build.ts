import type { MigrationContext } from '../engine/context.js';
import type { PrecopyOutcome } from '../policies/precopy/algorithm.js';
import type { GuestImpact, MigrationReport } from './types.js';

/** Turns a finished run's context into its report. */
export function buildReport(ctx: MigrationContext, outcome: PrecopyOutcome): MigrationReport {
  const s = ctx.options.scenario;
  const guest = guestImpact(ctx);
  const base = {
    algorithm: s.algorithm,
    controller: s.controller === null ? 'none' : String(s.controller['name']),
    totalTimeMs: ctx.nowMs,
    setupTimeMs: s.setupTimeMs,
    transferredBytes: ctx.transferredBytes,
    rounds: ctx.rounds.length,
    normalPages: ctx.normalPages,
    zeroPages: ctx.zeroPages,
    skippedPages: ctx.skippedPages,
    guestCpuLostPct: guest.cpuLostPct,
    meanThrottlePct: guest.meanThrottlePct,
    maxThrottlePct: guest.maxThrottlePct,
    throttledMs: guest.throttledMs,
    guest,
  };
  const common = { format: 'livemig-report/1' as const, scenario: s, rounds: ctx.rounds, timeline: ctx.timeline };
  if (outcome.status === 'completed') {
    return { ...common, status: 'completed', summary: { status: 'completed', ...base, downtimeMs: ctx.nowMs - ctx.pauseAtMs } };
  }
  return { ...common, status: 'cancelled', summary: { status: 'cancelled', reason: outcome.reason, ...base, downtimeMs: null } };
}

function guestImpact(ctx: MigrationContext): GuestImpact {
  let demanded = 0;
  let obtained = 0;
  let preDemanded = 0;
  let preObtained = 0;
  let throttlePctMs = 0;
  let throttledMs = 0;
  let maxThrottlePct = 0;
  const vcpus = ctx.vcpuList.map((v) => {
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
  const precopyMs = ctx.paused ? ctx.pauseAtMs : ctx.nowMs;
  return {
    cpuDemandedMs: demanded,
    cpuObtainedMs: obtained,
    cpuLostMs: demanded - obtained,
    cpuLostPct: demanded > 0 ? ((demanded - obtained) / demanded) * 100 : 0,
    meanThrottlePct: precopyMs > 0 ? throttlePctMs / (precopyMs * ctx.vcpuList.length) : 0,
    maxThrottlePct,
    throttledMs,
    precopyProgress: preDemanded > 0 ? preObtained / preDemanded : 1,
    vcpus,
  };
}
