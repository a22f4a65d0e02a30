/**
 * Sharing one link among concurrent migrations, as a set of TCP-like flows with max-min fairness (SimGrid's
 * network model, which its live-migration plugin uses: simgrid/simgrid src/plugins/vm/VmLiveMigration.cpp sends
 * each migration as a flow bounded by its migration speed; ../shared/reference/peers.md §1.1): every flow gets an
 * equal share of the capacity, except that a flow bounded below its share (QEMU's max-bandwidth) takes only its
 * bound and leaves the rest to the others (water-filling).
 *
 * What a flow may send is its max-min share, plus, when every flow is bounded and the link is not full, an equal
 * part of the capacity left over: a bounded flow's average stays within its bound by its own rate limit (QEMU's
 * 100 ms windows), but its bursts, and its stop-and-copy (QEMU lifts the limit there), run at what the link
 * leaves it. The flows' capacities sum to the link's capacity at every instant, never more.
 */
import { PiecewiseRate, type RateSegment } from '../model/piecewise-rate.js';

/**
 * Max-min fair shares of `capacity` among flows bounded by `caps` (Infinity = unbounded), in the caps' order;
 * `allBounded` when every flow got its bound (the link is then not full).
 */
export function maxMinShares(capacity: number, caps: readonly number[]): { shares: number[]; allBounded: boolean } {
  const order = caps.map((c, i) => [c, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const shares = new Array<number>(caps.length).fill(0);
  let left = Math.max(0, capacity);
  let n = caps.length;
  for (let k = 0; k < order.length; k++) {
    const [cap, i] = order[k]!;
    const fair = left / n;
    if (cap <= fair) {
      shares[i] = cap;
      left -= cap;
      n--;
    } else {
      for (let m = k; m < order.length; m++) shares[order[m]![1]] = fair;
      return { shares, allBounded: false };
    }
  }
  return { shares, allBounded: true };
}

/** What each flow may send at `capacity`: its max-min share, plus, if every flow is bounded, an equal part of the rest. */
export function flowRates(capacity: number, caps: readonly number[]): number[] {
  if (caps.length === 1) return [Math.max(0, capacity)];
  const { shares, allBounded } = maxMinShares(capacity, caps);
  if (!allBounded) return shares;
  const spare = Math.max(0, capacity - shares.reduce((a, b) => a + b, 0));
  return shares.map((x) => x + spare / caps.length);
}

/**
 * Each flow's capacity from `fromMs` on, in link time, as segments: `link` shared by flows bounded by `caps`.
 * A linearly changing capacity is split where the set of bounded flows changes, so each piece is exact.
 * One flow alone gets the link itself, segment for segment.
 */
export function flowSegments(link: PiecewiseRate, fromMs: number, caps: readonly number[]): RateSegment[][] {
  const segs = link.segments();
  const out: RateSegment[][] = caps.map(() => []);
  if (caps.length === 1) {
    let first = 0;
    while (first + 1 < segs.length && segs[first + 1]!.startMs <= fromMs) first++;
    out[0]!.push({ startMs: fromMs, bytesPerSec: link.at(fromMs), slopePerMs: segs[first]!.slopePerMs });
    for (const s of segs.slice(first + 1)) out[0]!.push({ ...s });
    return out;
  }
  // Capacities at which one more flow becomes bounded: sum of the smaller caps + cap × the flows left.
  const sorted = [...caps].sort((a, b) => a - b);
  const thresholds: number[] = [];
  let below = 0;
  sorted.forEach((c, m) => {
    if (Number.isFinite(c)) thresholds.push(below + c * (sorted.length - m));
    below += c;
  });
  segs.forEach((s, k) => {
    const end = segs[k + 1]?.startMs ?? Infinity;
    if (end <= fromMs) return;
    const a = Math.max(s.startMs, fromMs);
    const ca = link.at(a);
    if (s.slopePerMs === 0) {
      flowRates(ca, caps).forEach((r, i) => out[i]!.push({ startMs: a, bytesPerSec: r, slopePerMs: 0 }));
      return;
    }
    const cuts = thresholds.map((t) => a + (t - ca) / s.slopePerMs).filter((t) => t > a && t < end).sort((x, y) => x - y);
    const bounds = [a, ...cuts, end];
    for (let p = 0; p + 1 < bounds.length; p++) {
      const t0 = bounds[p]!;
      const t1 = bounds[p + 1]!;
      const r0 = flowRates(ca + s.slopePerMs * (t0 - a), caps);
      const r1 = flowRates(ca + s.slopePerMs * (t1 - a), caps);
      r0.forEach((r, i) => out[i]!.push({ startMs: t0, bytesPerSec: r, slopePerMs: (r1[i]! - r) / (t1 - t0) }));
    }
  });
  return out;
}
