/**
 * Runs livemig on a validation case and compares it with what QEMU reported: outcome, total time, bytes,
 * dirty-sync-count, the time of each sync, the auto-converge steps and final throttle, and the ram.remaining
 * curve (RMS error against every active query-migrate reply).
 */
import { migrate } from '../api/migrate.js';
import type { MigrationReport } from '../model/report.js';
import type { ValidationCase } from './cases.js';

/** One compared quantity: what QEMU said, what livemig says. */
export interface Pair<T> { qemu: T; livemig: T }

export interface CaseResult {
  id: string;
  source: string;
  outcome: Pair<string> & { match: boolean };
  /** ms; null when that side did not complete. */
  totalTimeMs: Pair<number | null> & { errPct: number | null };
  /** RAM bytes (livemig's device state left out, as QEMU's ram.transferred leaves it out). */
  transferredBytes: Pair<number> & { errPct: number };
  dirtySyncCount: Pair<number> & { diff: number };
  /** The first re-sync (the second sync: the end of the first pass), ms. */
  firstResyncMs: Pair<number | null> & { diffMs: number | null };
  /** Sync times, index by index over the syncs both have; median of |Δ|, ms. */
  syncTimesMs: Pair<number[]> & { medianAbsDiffMs: number | null };
  /** Auto-converge steps [ms, %]; livemig's as the log would show them (the first reply at or after the step). */
  throttleSteps: Pair<[number, number][]> & { absDiffsMs: number[]; medianAbsDiffMs: number | null };
  finalThrottlePct: Pair<number> & { match: boolean };
  /** RMS of livemig's remaining bytes minus QEMU's ram.remaining over the active replies, bytes. */
  remainingRmsBytes: number;
  report: MigrationReport;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const pct = (lm: number, q: number) => (q === 0 ? 0 : ((lm - q) / q) * 100);

/** livemig's throttle steps: each round whose throttle differs from the round before, at its start (the sync that set it). */
function throttleSteps(r: MigrationReport): [number, number][] {
  const steps: [number, number][] = [];
  let last = 0;
  for (const round of r.rounds) {
    if (round.phase !== 'live') break;
    const p = Math.round(round.throttlePct);
    if (p !== last) steps.push([round.startMs, p]);
    last = p;
  }
  return steps;
}

/** The time the log would have shown an event at `tMs`: the first reply at or after it. */
function asPolled(c: ValidationCase, tMs: number): number {
  for (const r of c.replies) if (r.tMs >= tMs) return r.tMs;
  return tMs;
}

/** livemig's remaining bytes at `tMs`: the last window that closed by then (all of RAM before the first). */
function remainingAt(r: MigrationReport, tMs: number): number {
  const tl = r.timeline;
  let lo = 0;
  let hi = tl.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tl[mid]!.tMs <= tMs) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const pages = found < 0 ? r.scenario.pages : tl[found]!.remainingPages;
  if (r.status === 'completed' && tMs >= r.summary.totalTimeMs) return 0;
  return pages * r.scenario.pageSize;
}

/** Runs one case and compares. */
export function validateCase(c: ValidationCase): CaseResult {
  const report = migrate(c.options);
  const o = c.observed;
  const s = report.summary;
  const lmTotal = report.status === 'completed' ? s.totalTimeMs : null;
  const lmBytes = s.transferredBytes - (report.status === 'completed' ? report.scenario.deviceStateBytes : 0);
  const lmSyncs = report.rounds.map((r) => r.startMs);
  const n = Math.min(lmSyncs.length, o.passTimesMs.length);
  const syncDiffs = Array.from({ length: n }, (_, i) => Math.abs(lmSyncs[i]! - o.passTimesMs[i]!));
  // QEMU's last reply shows the throttle going back to 0 at completion; only the steps up are compared.
  const qSteps = o.throttleStepsMs.filter(([, p]) => p > 0);
  const lmSteps = throttleSteps(report).filter(([, p]) => p > 0).map(([t, p]) => [asPolled(c, t), p] as [number, number]);
  const stepDiffs = Array.from({ length: Math.min(qSteps.length, lmSteps.length) }, (_, i) => Math.abs(lmSteps[i]![0] - qSteps[i]![0]));
  const lmFinal = lmSteps.length > 0 ? lmSteps[lmSteps.length - 1]![1] : 0;
  let sq = 0;
  let count = 0;
  for (const r of c.replies) {
    if (r.status !== 'active' || r.remainingBytes === null) continue;
    const d = remainingAt(report, r.tMs) - r.remainingBytes;
    sq += d * d;
    count++;
  }
  return {
    id: c.id,
    source: c.source,
    outcome: { qemu: o.outcome, livemig: report.status, match: o.outcome === report.status },
    totalTimeMs: { qemu: o.totalTimeMs, livemig: lmTotal, errPct: o.totalTimeMs !== null && lmTotal !== null ? pct(lmTotal, o.totalTimeMs) : null },
    transferredBytes: { qemu: o.transferredBytes, livemig: lmBytes, errPct: pct(lmBytes, o.transferredBytes) },
    dirtySyncCount: { qemu: o.dirtySyncCount, livemig: report.rounds.length, diff: report.rounds.length - o.dirtySyncCount },
    firstResyncMs: {
      qemu: o.passTimesMs[1] ?? null, livemig: lmSyncs[1] ?? null,
      diffMs: o.passTimesMs[1] !== undefined && lmSyncs[1] !== undefined ? lmSyncs[1] - o.passTimesMs[1] : null,
    },
    syncTimesMs: { qemu: o.passTimesMs, livemig: lmSyncs, medianAbsDiffMs: median(syncDiffs) },
    throttleSteps: { qemu: qSteps, livemig: lmSteps, absDiffsMs: stepDiffs, medianAbsDiffMs: median(stepDiffs) },
    finalThrottlePct: { qemu: o.finalThrottlePct, livemig: lmFinal, match: o.finalThrottlePct === lmFinal },
    remainingRmsBytes: count > 0 ? Math.sqrt(sq / count) : 0,
    report,
  };
}

/** Medians over cases (of absolute errors; steps pooled over every case). */
export interface ValidationSummary {
  cases: number;
  outcomesRight: number;
  totalTimeAbsErrPct: number | null;
  bytesAbsErrPct: number | null;
  syncCountAbsDiff: number | null;
  firstResyncAbsDiffMs: number | null;
  syncTimesAbsDiffMs: number | null;
  throttleStepAbsDiffMs: number | null;
  finalThrottleRight: number;
  remainingRmsBytes: number | null;
}

export function summarize(results: readonly CaseResult[]): ValidationSummary {
  const vals = <T>(f: (r: CaseResult) => T | null): T[] => results.map(f).filter((x): x is T => x !== null);
  return {
    cases: results.length,
    outcomesRight: results.filter((r) => r.outcome.match).length,
    totalTimeAbsErrPct: median(vals((r) => (r.totalTimeMs.errPct === null ? null : Math.abs(r.totalTimeMs.errPct)))),
    bytesAbsErrPct: median(vals((r) => Math.abs(r.transferredBytes.errPct))),
    syncCountAbsDiff: median(vals((r) => Math.abs(r.dirtySyncCount.diff))),
    firstResyncAbsDiffMs: median(vals((r) => (r.firstResyncMs.diffMs === null ? null : Math.abs(r.firstResyncMs.diffMs)))),
    syncTimesAbsDiffMs: median(vals((r) => r.syncTimesMs.medianAbsDiffMs)),
    throttleStepAbsDiffMs: median(results.flatMap((r) => r.throttleSteps.absDiffsMs)),
    finalThrottleRight: results.filter((r) => r.finalThrottlePct.match).length,
    remainingRmsBytes: median(results.map((r) => r.remainingRmsBytes)),
  };
}
