/**
 * Rate traces: a link's capacity (linkTrace) or its background traffic (backgroundTrace) over time, in bytes per
 * second against milliseconds since the migration started. Given inline (the library, experiment files) or as
 * a file (CSV or JSON, read at resolve time through the trace-file registry, src/traces/files.ts):
 *
 * - inline / JSON: a list of points `[{ "timeMs": 0, "bytesPerSec": 1250000000 }, ...]` (steps), or
 *   `{ "interpolation": "step" | "linear", "points": [...] }`;
 * - CSV: a header line `timeMs,bytesPerSec`, then one point a line; a line `# interpolation: linear` before
 *   the header selects linear interpolation (steps otherwise); other `#` lines and blank lines are comments.
 *
 * `step`: each rate holds until the next point. `linear`: the rate goes linearly from one point to the next.
 * After the last point, its rate holds forever. The first point is at 0 ms; times strictly increase; rates are
 * finite and ≥ 0 (0 is an outage). Anything else is refused naming the point (or file line) and field.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { MAX_RATE_BYTES_PER_SEC } from './bounds.js';

export const RATE_TRACE_INTERPOLATIONS = ['step', 'linear'] as const;
export type RateTraceInterpolation = (typeof RATE_TRACE_INTERPOLATIONS)[number];

export interface RateTracePoint {
  timeMs: number;
  bytesPerSec: number;
}

/** A checked trace. */
export interface RateTrace {
  interpolation: RateTraceInterpolation;
  points: RateTracePoint[];
}

/** What a rate-trace option takes: a file name, a list of points (steps), or points with their interpolation. */
export type RateTraceOption = string | readonly RateTracePoint[] | { interpolation?: RateTraceInterpolation; points: readonly RateTracePoint[] };

/** Most points a trace may have. */
export const MAX_RATE_TRACE_POINTS = 1_000_000;
/** Largest rate and time accepted (the link's own bound; about 31.7 years). */
const MAX_RATE = MAX_RATE_BYTES_PER_SEC;
const MAX_TIME_MS = 1e12;

export const RATE_TRACE_SYNTAX =
  'a CSV or JSON file name, a list of {"timeMs", "bytesPerSec"} points (steps), or {"interpolation": "step"|"linear", "points": [...]}: the first point at 0 ms, times strictly increasing, rates finite and >= 0';

/** Checks point `i` (its fields as given) after `prev`; `at(key)` names its field in errors. */
function checkPoint(p: Record<string, unknown>, prev: RateTracePoint | undefined, i: number, at: (key: string) => string): void {
  const { timeMs, bytesPerSec } = p;
  if (typeof timeMs !== 'number' || !Number.isFinite(timeMs) || timeMs < 0 || timeMs > MAX_TIME_MS) {
    throw new InvalidOptionError(at('timeMs'), timeMs, `a time in ms from 0 to ${MAX_TIME_MS}`);
  }
  if (i === 0 && timeMs !== 0) throw new InvalidOptionError(at('timeMs'), timeMs, '0 (the first point gives the rate from the start)');
  if (prev !== undefined && !(timeMs > prev.timeMs)) throw new InvalidOptionError(at('timeMs'), timeMs, `a time after the previous point's (${prev.timeMs} ms): times strictly increase`);
  if (typeof bytesPerSec !== 'number' || !Number.isFinite(bytesPerSec) || bytesPerSec < 0 || bytesPerSec > MAX_RATE) {
    throw new InvalidOptionError(at('bytesPerSec'), bytesPerSec, `a rate in B/s from 0 to ${MAX_RATE}`);
  }
}

/** Checks a list of points; `at(i, key)` names point i's field in errors. */
function checkPoints(points: readonly unknown[], at: (i: number, key?: string) => string): RateTracePoint[] {
  if (points.length === 0) throw new InvalidOptionError(at(-1), points, 'at least one point (the rate from 0 ms)');
  if (points.length > MAX_RATE_TRACE_POINTS) throw new InvalidOptionError(at(-1), `${points.length} points`, `at most ${MAX_RATE_TRACE_POINTS} points`);
  const out: RateTracePoint[] = [];
  points.forEach((p, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new InvalidOptionError(at(i), p, 'a point {"timeMs": ms, "bytesPerSec": B/s}');
    for (const k of Object.keys(p)) {
      if (k !== 'timeMs' && k !== 'bytesPerSec') throw new InvalidOptionError(at(i, k), (p as Record<string, unknown>)[k], 'no such key (a point has timeMs and bytesPerSec)');
    }
    const q = p as Record<string, unknown>;
    checkPoint(q, out[i - 1], i, (k) => at(i, k));
    out.push({ timeMs: q['timeMs'] as number, bytesPerSec: q['bytesPerSec'] as number });
  });
  return out;
}

/** Checks an inline trace (a list, or {interpolation, points}); `path` names the option. */
export function checkInlineRateTrace(path: string, value: unknown): RateTrace {
  if (Array.isArray(value)) return { interpolation: 'step', points: checkPoints(value, (i, k) => (i < 0 ? path : `${path}[${i}]${k ? `.${k}` : ''}`)) };
  if (typeof value !== 'object' || value === null) throw new InvalidOptionError(path, value, RATE_TRACE_SYNTAX);
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 'interpolation' && k !== 'points') throw new InvalidOptionError(`${path}.${k}`, o[k], 'no such key (a trace has interpolation and points)');
  }
  const interpolation = o['interpolation'] ?? 'step';
  if (!RATE_TRACE_INTERPOLATIONS.includes(interpolation as RateTraceInterpolation)) {
    throw new InvalidOptionError(`${path}.interpolation`, interpolation, RATE_TRACE_INTERPOLATIONS.join(' or '));
  }
  if (!Array.isArray(o['points'])) throw new InvalidOptionError(`${path}.points`, o['points'], 'a list of {"timeMs", "bytesPerSec"} points');
  return { interpolation: interpolation as RateTraceInterpolation, points: checkPoints(o['points'], (i, k) => (i < 0 ? `${path}.points` : `${path}.points[${i}]${k ? `.${k}` : ''}`)) };
}

/** Checks a rate-trace option's shape: a non-empty file name, or an inline trace. */
export function checkRateTraceOption(path: string, value: unknown): void {
  if (typeof value === 'string') {
    if (value === '') throw new InvalidOptionError(path, value, RATE_TRACE_SYNTAX);
    return;
  }
  checkInlineRateTrace(path, value);
}

/** Parses a trace file's text, CSV or JSON (by its first non-blank character); errors name `path` and the file's line. */
export function parseRateTraceText(path: string, file: string, text: string): RateTrace {
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  if (first === '[' || first === '{') {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (err) {
      throw new InvalidOptionError(`${path} (${file})`, file, `a JSON trace (${(err as Error).message}) or a CSV one`);
    }
    return checkInlineRateTrace(`${path} (${file})`, json);
  }
  const lines = body.split(/\r?\n/);
  let interpolation: RateTraceInterpolation = 'step';
  let header = false;
  const points: RateTracePoint[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const where = `${path} (${file}:${i + 1})`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s*interpolation\s*[:=]\s*(\S+)\s*$/.exec(line);
      if (m !== null) {
        if (header) throw new InvalidOptionError(where, line, 'the interpolation line before the header');
        if (!RATE_TRACE_INTERPOLATIONS.includes(m[1] as RateTraceInterpolation)) throw new InvalidOptionError(`${where} interpolation`, m[1], RATE_TRACE_INTERPOLATIONS.join(' or '));
        interpolation = m[1] as RateTraceInterpolation;
      }
      return;
    }
    const cells = line.split(',').map((c) => c.trim());
    if (!header) {
      if (cells.length !== 2 || cells[0] !== 'timeMs' || cells[1] !== 'bytesPerSec') {
        throw new InvalidOptionError(`${where} header`, line, 'the header "timeMs,bytesPerSec" (time in ms since the migration started, rate in bytes per second)');
      }
      header = true;
      return;
    }
    if (cells.length !== 2) throw new InvalidOptionError(where, line, 'two cells: timeMs,bytesPerSec');
    const num = (c: string, key: string) => {
      const x = c === '' ? Number.NaN : Number(c);
      if (!Number.isFinite(x)) throw new InvalidOptionError(`${where} ${key}`, c, 'a number');
      return x;
    };
    const p = { timeMs: num(cells[0]!, 'timeMs'), bytesPerSec: num(cells[1]!, 'bytesPerSec') };
    checkPoint(p, points[points.length - 1], points.length, (k) => `${where} ${k}`);
    if (points.length >= MAX_RATE_TRACE_POINTS) throw new InvalidOptionError(where, line, `at most ${MAX_RATE_TRACE_POINTS} points`);
    points.push(p);
  });
  if (!header) throw new InvalidOptionError(`${path} (${file})`, file, 'a CSV trace with the header "timeMs,bytesPerSec", or a JSON one');
  if (points.length === 0) throw new InvalidOptionError(`${path} (${file})`, file, 'at least one point after the header (the rate from 0 ms)');
  return { interpolation, points };
}
