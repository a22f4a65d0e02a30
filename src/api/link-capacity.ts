/**
 * The link's capacity over time from the scenario's link options: bandwidthBytesPerSec, or linkTrace in its
 * place, minus backgroundBytesPerSec and backgroundTrace (never below 0). Trace files are read here, through
 * the trace-file registry (src/traces/files.ts: Node fills it; the browser takes inline traces only).
 */
import type { ResolvedScenario } from '../model/option-table.js';
import { type RateTrace, type RateTraceOption, checkInlineRateTrace, parseRateTraceText } from '../model/rate-trace.js';
import { readTraceText } from '../traces/files.js';
import { PiecewiseRate } from '../model/piecewise-rate.js';

/** A rate-trace option's points: inline, or read from its file. */
export function loadRateTrace(field: string, value: RateTraceOption): RateTrace {
  if (typeof value !== 'string') return checkInlineRateTrace(field, value);
  const { text } = readTraceText(field, value);
  return parseRateTraceText(field, value, text);
}

export function rateOfTrace(trace: RateTrace): PiecewiseRate {
  return PiecewiseRate.fromPoints(trace.points, trace.interpolation);
}

/** The capacity migrations on this scenario's link share (all of it for a single migration). */
export function linkCapacityOf(s: Pick<ResolvedScenario, 'bandwidthBytesPerSec' | 'linkTrace' | 'backgroundBytesPerSec' | 'backgroundTrace'>, prefix = ''): PiecewiseRate {
  const link = s.linkTrace === null ? PiecewiseRate.constant(s.bandwidthBytesPerSec) : rateOfTrace(loadRateTrace(`${prefix}linkTrace`, s.linkTrace));
  let background = PiecewiseRate.constant(s.backgroundBytesPerSec);
  if (s.backgroundTrace !== null) {
    const trace = loadRateTrace(`${prefix}backgroundTrace`, s.backgroundTrace);
    const extra = s.backgroundBytesPerSec;
    background = PiecewiseRate.fromPoints(trace.points.map((p) => ({ timeMs: p.timeMs, bytesPerSec: p.bytesPerSec + extra })), trace.interpolation);
  }
  return link.minusClamped(background);
}
