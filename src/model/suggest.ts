/** "Did you mean …?" for a misspelt name: the closest known name by edit distance, if it is close enough. */

/** Levenshtein distance, case-insensitive (a wrong case is a likely slip, so it counts as a small one). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]! + (a !== b && x === y ? 0.5 : 0);
}

/** The known name closest to `typed`, when within about a third of its length (as commander's own suggestions). */
export function closest(typed: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(typed, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD > 0 && bestD <= Math.max(1, Math.floor(0.4 * Math.max(typed.length, best.length))) ? best : undefined;
}

/** " (did you mean X?)" or "". */
export function didYouMean(typed: unknown, known: readonly string[]): string {
  const hit = typeof typed === 'string' ? closest(typed, known) : undefined;
  return hit === undefined ? '' : ` (did you mean ${hit}?)`;
}
