/**
 * The syntax of the guest options that take text (zeroPageLayout's page ranges, throttledWriteFraction's
 * table and models), checked here so the option table can use it; the engine applies them
 * (src/engine/zero-pages.ts, src/engine/throttled-writes.ts, where each is documented).
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';

export const ZERO_PAGE_LAYOUTS = ['spread', 'top'] as const;
export const ZERO_RANGES_SYNTAX = "'zero:A-B,C-D' (inclusive page ranges of zero pages, ascending, not overlapping)";
export const ZERO_RANGES_PATTERN = '^zero:[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$';

/** Parses 'zero:A-B,...' into [first, last] ranges; throws naming `path` when malformed or outside `pages`. */
export function parseZeroRanges(path: string, text: string, pages: number | undefined): [number, number][] {
  if (!new RegExp(ZERO_RANGES_PATTERN).test(text)) throw new InvalidOptionError(path, text, `'spread', 'top' or ${ZERO_RANGES_SYNTAX}`);
  const out: [number, number][] = [];
  let next = 0;
  for (const part of text.slice('zero:'.length).split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    const last = b ?? a;
    if (last < a || a < next) throw new InvalidOptionError(path, text, `${ZERO_RANGES_SYNTAX}: "${part}" is not after the range before it or ends before it starts`);
    if (pages !== undefined && last >= pages) throw new InvalidOptionError(path, text, `${ZERO_RANGES_SYNTAX} within the VM's pages 0-${pages - 1}: "${part}" is outside`);
    out.push([a, last]);
    next = last + 1;
  }
  return out;
}



export const THROTTLE_MODELS = ['ideal'] as const;
export const THROTTLE_SYNTAX = "'table:P=F,...' (fraction F of full-speed writes at throttle P %, P ascending 0-99, F 0-1) or 'sleep-tax:C' (C >= 0)";
export const THROTTLE_PATTERN = '^(table:[0-9]+(\\.[0-9]+)?=[0-9.]+(,[0-9]+(\\.[0-9]+)?=[0-9.]+)*|sleep-tax:[0-9.]+)$';

/** The achieved fraction of full-speed writes as a function of the throttle p (0 to 1). */
export type ThrottledWriteFraction = (p: number) => number;

/** Parses the option's text; throws naming `path` when malformed. */
export function parseThrottledWriteFraction(path: string, text: string): ThrottledWriteFraction {
  if (text === 'ideal') return (p) => 1 - p;
  const bad = (why: string) => new InvalidOptionError(path, text, `'ideal' or ${THROTTLE_SYNTAX}${why ? `: ${why}` : ''}`);
  if (!new RegExp(THROTTLE_PATTERN).test(text)) throw bad('');
  if (text.startsWith('sleep-tax:')) {
    const c = Number(text.slice('sleep-tax:'.length));
    if (!Number.isFinite(c) || c < 0) throw bad(`C = ${text.slice(10)}`);
    return (p) => Math.max(0, 1 - p - c * p);
  }
  const points: [number, number][] = [];
  for (const part of text.slice('table:'.length).split(',')) {
    const [ps, fs] = part.split('=') as [string, string];
    const pPct = Number(ps);
    const f = Number(fs);
    if (!(pPct >= 0 && pPct < 100) || !(f >= 0 && f <= 1) || !Number.isFinite(f)) throw bad(`"${part}"`);
    if (points.length > 0 && pPct <= points[points.length - 1]![0] * 100) throw bad(`"${part}": throttle levels must ascend`);
    points.push([pPct / 100, f / (1 - pPct / 100)]);
  }
  if (points[0]![0] > 0) points.unshift([0, 1]);
  return (p) => {
    let r: number;
    if (p <= points[0]![0]) r = points[0]![1];
    else if (p >= points[points.length - 1]![0]) r = points[points.length - 1]![1];
    else {
      let i = 1;
      while (points[i]![0] < p) i++;
      const [p0, r0] = points[i - 1]!;
      const [p1, r1] = points[i]!;
      r = r0 + ((r1 - r0) * (p - p0)) / (p1 - p0);
    }
    return Math.max(0, (1 - p) * r);
  };
}
