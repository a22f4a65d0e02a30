/**
 * The smallest and largest finite values, by a loop: Math.min(...values) / Math.max(...values) pass every value
 * as an argument and overflow the call stack from about 150,000 of them (a large sweep's rows, a long link
 * trace). With no finite value, min is +Infinity and max is −Infinity, as Math.min() and Math.max() give.
 */
export function finiteExtent(values: Iterable<number>): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
