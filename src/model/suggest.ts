/** "Did you mean …?" for a misspelt name: the closest known name by edit distance, if it is close enough. */

/**
 * Edit distance with adjacent transpositions (optimal string alignment: "xne" is one slip from "xen"),
 * case-insensitive (a wrong case is a likely slip, so it counts as a small one).
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[x.length]![y.length]! + (a !== b && x === y ? 0.5 : 0);
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
