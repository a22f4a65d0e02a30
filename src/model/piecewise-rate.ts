/**
 * A rate that varies in time (bytes per second over milliseconds), piecewise linear: segment j starts at
 * `startMs[j]` with rate `v0[j]` and changes by `slope[j]` B/s per ms until the next segment; the last segment
 * is constant and lasts forever. Steps are segments of slope 0. The link's capacity (a bandwidth trace, minus
 * background traffic, or a migration's share of a drain's link) is one of these, and sending integrates it
 * exactly, segment by segment.
 *
 * A constant segment uses the very expressions a constant link uses, `(v × d) / 1000` bytes in d ms and
 * `(bytes / v) × 1000` ms for bytes, and adjacent equal constant segments are merged, so a rate that never
 * changes gives the same numbers, bit for bit, as a plain constant.
 */
export interface RateSegment {
  startMs: number;
  /** Rate at startMs, B/s. */
  bytesPerSec: number;
  /** Change of the rate per ms, B/s per ms (0 = a step). */
  slopePerMs: number;
}

export class PiecewiseRate {
  private readonly start: Float64Array;
  private readonly v0: Float64Array;
  private readonly slope: Float64Array;
  private hint = 0;

  /** `segments` sorted by start, the first at 0, the last of slope 0 (normalized by `of`). */
  private constructor(segments: readonly RateSegment[]) {
    const n = segments.length;
    this.start = new Float64Array(n);
    this.v0 = new Float64Array(n);
    this.slope = new Float64Array(n);
    segments.forEach((s, i) => {
      this.start[i] = s.startMs;
      this.v0[i] = s.bytesPerSec;
      this.slope[i] = s.slopePerMs;
    });
  }

  /** A rate from segments: the first must start at 0; zero-length segments dropped, equal constants merged. */
  static of(segments: readonly RateSegment[]): PiecewiseRate {
    const out: RateSegment[] = [];
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i]!;
      const next = segments[i + 1];
      if (next !== undefined && next.startMs <= s.startMs) continue;
      const last = out[out.length - 1];
      if (last !== undefined && last.slopePerMs === 0 && s.slopePerMs === 0 && last.bytesPerSec === s.bytesPerSec) continue;
      out.push({ ...s });
    }
    if (out.length === 0 || out[0]!.startMs !== 0) throw new Error('livemig: a piecewise rate starts at 0 ms');
    const tail = out[out.length - 1]!;
    if (tail.slopePerMs !== 0) throw new Error('livemig: the last segment of a piecewise rate is constant');
    return new PiecewiseRate(out);
  }

  static constant(bytesPerSec: number): PiecewiseRate {
    return new PiecewiseRate([{ startMs: 0, bytesPerSec, slopePerMs: 0 }]);
  }

  /**
   * From points (timeMs strictly increasing, the first at 0): 'step' holds each rate until the next point,
   * 'linear' interpolates between points; after the last point its rate holds.
   */
  static fromPoints(points: readonly { timeMs: number; bytesPerSec: number }[], interpolation: 'step' | 'linear'): PiecewiseRate {
    return PiecewiseRate.of(points.map((p, i) => {
      const q = points[i + 1];
      const slope = interpolation === 'linear' && q !== undefined ? (q.bytesPerSec - p.bytesPerSec) / (q.timeMs - p.timeMs) : 0;
      return { startMs: p.timeMs, bytesPerSec: p.bytesPerSec, slopePerMs: slope };
    }));
  }

  get segmentCount(): number {
    return this.start.length;
  }

  /** The rate of a single constant segment, or null. */
  get constantRate(): number | null {
    return this.start.length === 1 ? this.v0[0]! : null;
  }

  segments(): RateSegment[] {
    return Array.from(this.start, (startMs, i) => ({ startMs, bytesPerSec: this.v0[i]!, slopePerMs: this.slope[i]! }));
  }

  /** Index of the segment holding `t` (the last whose start is ≤ t); found from the last one asked, as time mostly moves on. */
  private seg(t: number): number {
    const s = this.start;
    let j = this.hint;
    if (j >= s.length) j = s.length - 1;
    while (j > 0 && s[j]! > t) j--;
    while (j + 1 < s.length && s[j + 1]! <= t) j++;
    this.hint = j;
    return j;
  }

  private end(j: number): number {
    return j + 1 < this.start.length ? this.start[j + 1]! : Infinity;
  }

  /** Rate at `t` (the value just after t at a step). */
  at(t: number): number {
    const j = this.seg(Math.max(0, t));
    const s = this.slope[j]!;
    return s === 0 ? this.v0[j]! : this.v0[j]! + s * (t - this.start[j]!);
  }

  /** Bytes carried over [t, t + d] inside segment j (d ms, within the segment). */
  private part(j: number, t: number, d: number): number {
    const s = this.slope[j]!;
    if (s === 0) {
      const v = this.v0[j]!;
      // An endless burst (xen's) on a dead link carries nothing, not 0 × ∞.
      return d === Infinity && v === 0 ? 0 : (v * d) / 1000;
    }
    const ra = this.v0[j]! + s * (t - this.start[j]!);
    const rb = ra + s * d;
    return (Math.max(0, (ra + rb) / 2) * d) / 1000;
  }

  /** Bytes the rate carries from `t0` for `durationMs`. */
  integrateFor(t0: number, durationMs: number): number {
    if (!(durationMs > 0)) return 0;
    let j = this.seg(t0);
    let t = t0;
    let left = durationMs;
    let sum = 0;
    for (;;) {
      const room = this.end(j) - t;
      if (left <= room) return sum + this.part(j, t, left);
      sum += this.part(j, t, room);
      left -= room;
      t = this.end(j);
      j++;
    }
  }

  /** Milliseconds from `t0` until `bytes` have been carried (Infinity if the rate never carries them). */
  timeToSend(t0: number, bytes: number): number {
    if (!(bytes > 0)) return 0;
    let j = this.seg(t0);
    let t = t0;
    let left = bytes;
    let elapsed = 0;
    for (;;) {
      const room = this.end(j) - t;
      const s = this.slope[j]!;
      if (s === 0) {
        const v = this.v0[j]!;
        if (v > 0) {
          const need = (left / v) * 1000;
          if (need <= room) return elapsed + need;
        } else if (room === Infinity) return Infinity;
      } else {
        const avail = this.part(j, t, room);
        if (avail >= left) {
          // rate r at t, slope s: r·x + s·x²/2 = 1000·left, solved in the form that does not cancel.
          const r = this.v0[j]! + s * (t - this.start[j]!);
          const b = 1000 * left;
          const root = Math.sqrt(Math.max(0, r * r + 2 * s * b));
          const x = r + root > 0 ? (2 * b) / (r + root) : room;
          return elapsed + Math.min(room, x);
        }
      }
      left -= this.part(j, t, room);
      elapsed += room;
      t = this.end(j);
      j++;
    }
  }

  /** max(0, this − other), exact where the difference crosses zero (it is split there). */
  minusClamped(other: PiecewiseRate): PiecewiseRate {
    if (other.constantRate === 0) return this;
    const times = [...new Set([...this.start, ...other.start])].sort((a, b) => a - b);
    const out: RateSegment[] = [];
    times.forEach((a, i) => {
      const b = times[i + 1] ?? Infinity;
      const da = this.at(a) - other.at(a);
      const slope = this.slope[this.seg(a)]! - other.slope[other.seg(a)]!;
      if (slope === 0 || b === Infinity) {
        out.push({ startMs: a, bytesPerSec: Math.max(0, da), slopePerMs: 0 });
        return;
      }
      const db = da + slope * (b - a);
      if (da >= 0 && db >= 0) out.push({ startMs: a, bytesPerSec: da, slopePerMs: slope });
      else if (da <= 0 && db <= 0) out.push({ startMs: a, bytesPerSec: 0, slopePerMs: 0 });
      else {
        const z = a - da / slope;
        if (da > 0) out.push({ startMs: a, bytesPerSec: da, slopePerMs: slope }, { startMs: z, bytesPerSec: 0, slopePerMs: 0 });
        else out.push({ startMs: a, bytesPerSec: 0, slopePerMs: 0 }, { startMs: z, bytesPerSec: 0, slopePerMs: slope });
      }
    });
    return PiecewiseRate.of(out);
  }

  /** The rate seen from `fromMs` on, as a rate starting at 0 (τ ↦ this(fromMs + τ)). */
  shiftedFrom(fromMs: number): PiecewiseRate {
    if (fromMs === 0) return this;
    const j = this.seg(fromMs);
    const out: RateSegment[] = [{ startMs: 0, bytesPerSec: this.at(fromMs), slopePerMs: this.slope[j]! }];
    for (let k = j + 1; k < this.start.length; k++) out.push({ startMs: this.start[k]! - fromMs, bytesPerSec: this.v0[k]!, slopePerMs: this.slope[k]! });
    return PiecewiseRate.of(out);
  }

  /** Smallest and largest rate anywhere. */
  range(): { min: number; max: number } {
    let min = Infinity;
    let max = -Infinity;
    for (let j = 0; j < this.start.length; j++) {
      const a = this.v0[j]!;
      const b = this.slope[j] === 0 ? a : a + this.slope[j]! * (this.end(j) - this.start[j]!);
      min = Math.min(min, a, b);
      max = Math.max(max, a, b);
    }
    return { min, max };
  }
}
