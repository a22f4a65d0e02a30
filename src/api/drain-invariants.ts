/**
 * What every drain report must satisfy (checked with the per-migration invariants: in the test suite and
 * under LIVEMIG_DEBUG=1): the sums add up, the makespan is the last end, no more than `concurrency` migrations
 * run at once, and the shares of the running migrations never add up to more than the link at any instant.
 */
import type { DrainReport } from '../model/drain.js';
import type { PiecewiseRate, RateSegment } from '../model/piecewise-rate.js';

const EPS = 1e-9;

/** A share's rate at `t` (segments in drain time). */
export function shareAt(share: readonly RateSegment[], t: number): number {
  let seg: RateSegment | undefined;
  for (const s of share) if (s.startMs <= t) seg = s;
  return seg === undefined ? 0 : seg.bytesPerSec + seg.slopePerMs * (t - seg.startMs);
}

export function drainViolations(r: DrainReport, capacity: PiecewiseRate): string[] {
  const bad: string[] = [];
  const fail = (what: string) => { if (bad.length < 20) bad.push(what); };
  const vms = r.vms;
  const m = r.summary;
  if (m.vms !== vms.length || r.reports.length !== vms.length) fail('the VM counts differ');
  if (m.completed + m.cancelled !== vms.length) fail('completed + cancelled is not the VM count');
  if (m.transferredBytes !== vms.reduce((a, v) => a + v.transferredBytes, 0)) fail("the VMs' bytes do not sum to the drain's");
  if (m.makespanMs !== Math.max(...vms.map((v) => v.endMs))) fail('the makespan is not the last end');
  vms.forEach((v, i) => {
    const rep = r.reports[i]!;
    if (v.transferredBytes !== rep.summary.transferredBytes || v.totalTimeMs !== rep.summary.totalTimeMs) fail(`${v.name}: its row is not its report`);
    if (v.endMs !== v.startMs + v.totalTimeMs) fail(`${v.name}: ends at ${v.endMs}, not start + total time`);
  });
  // At every moment something changes: at most `concurrency` running, their shares within the link.
  const times = new Set<number>();
  for (const v of vms) {
    times.add(v.startMs);
    for (const s of v.share) if (s.startMs < v.endMs) times.add(s.startMs);
  }
  for (const s of capacity.segments()) if (s.startMs < m.makespanMs) times.add(s.startMs);
  const sorted = [...times].sort((a, b) => a - b);
  sorted.forEach((t, k) => {
    // Just after each change, and halfway to the next (linear shares are checked inside their pieces too).
    const probe = [t, k + 1 < sorted.length ? (t + sorted[k + 1]!) / 2 : t];
    for (const p of probe) {
      const on = vms.filter((v) => v.startMs <= p && p < v.endMs);
      if (on.length > r.drain.concurrency) fail(`${on.length} migrations at ${p} ms, over the concurrency of ${r.drain.concurrency}`);
      const sum = on.reduce((a, v) => a + shareAt(v.share, p), 0);
      const c = capacity.at(p);
      if (sum > c * (1 + EPS) + 1e-6) fail(`shares sum to ${sum} B/s at ${p} ms, over the link's ${c}`);
    }
  });
  return bad;
}
