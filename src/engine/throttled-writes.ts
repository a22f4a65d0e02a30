/**
 * The guest under a throttle (the `throttledWriteFraction` option): the share of its full-speed page writes a
 * vCPU achieves while throttled to p (0 to 1). The engine's vCPUs write in proportion to the CPU time their
 * duty cycle gives them, i.e. (1 − p) of full speed: the ideal, and the default. Real hosts lose more (timer
 * wake-ups, cache refill; QEMU 7.2 under TCG, ../shared/validation/qemu-7.2/: 1–28 % below (1 − p) as p grows),
 * so a user who measured their guest can feed that in:
 * - 'ideal': (1 − p).
 * - 'table:P=F,...': the fraction F of full speed measured at throttle P % (e.g. 'table:20=0.79,40=0.55');
 *   between and beyond the listed points the ratio F / (1 − p) is interpolated linearly and held at the ends
 *   (1 at p = 0 unless listed).
 * - 'sleep-tax:C': each throttle sleep of s ms also costs C·s ms of the run slice after it (the guest catching
 *   up on timer ticks after the wake-up): F = max(0, (1 − p) − C·p). [REC] our named model, one parameter.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';

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
