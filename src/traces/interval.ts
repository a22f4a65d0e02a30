/**
 * One interval of a trace and its compact encoding: the pages written as runs of consecutive page numbers,
 * each run stored as (gap from the previous run's end, length − 1) in varints, then optionally the changed
 * bytes of each page. A scattered interval costs about one or two bytes per page before compression; a
 * sequential sweep costs a few bytes per run whatever its length.
 */
import { ByteSink, ByteSource } from './varint.js';

export interface TraceInterval {
  /** Start of the scan window, microseconds since the trace's first scan. */
  startUs: number;
  /** Length of the window in microseconds (writes in it are attributed to this interval). */
  durationUs: number;
  /** Pages written in the window, strictly increasing page numbers. */
  pages: Uint32Array;
  /** Changed bytes of each page in `pages` (1 to the page size), when the header says `changedBytes`. */
  changedBytes?: Uint32Array;
}

/** Appends `iv` to `sink`; `prevStartUs` makes start times delta-coded. Checks order (the writer's contract). */
export function encodeInterval(sink: ByteSink, iv: TraceInterval, prevStartUs: number, withBytes: boolean): void {
  sink.varint(iv.startUs - prevStartUs);
  sink.varint(iv.durationUs);
  const pages = iv.pages;
  sink.varint(pages.length);
  // Count the runs first so a reader can size its arrays before decoding them.
  let runs = 0;
  for (let i = 0; i < pages.length; i++) if (i === 0 || pages[i] !== pages[i - 1]! + 1) runs++;
  sink.varint(runs);
  let end = 0;
  for (let i = 0; i < pages.length; ) {
    const start = pages[i]!;
    let j = i + 1;
    while (j < pages.length && pages[j] === pages[j - 1]! + 1) j++;
    sink.varint(start - end);
    sink.varint(j - i - 1);
    end = pages[j - 1]! + 1;
    i = j;
  }
  if (withBytes) for (let i = 0; i < pages.length; i++) sink.varint(iv.changedBytes![i]!);
}

/**
 * Reads one interval from `src`. `fail(pos, what)` throws with the position in the decompressed block; page
 * numbers at or above `pages` and changed-byte counts outside 1..pageSize are refused.
 */
export function decodeInterval(
  src: ByteSource, prevStartUs: number, withBytes: boolean, pages: number, pageSizeBytes: number,
  fail: (pos: number, what: string) => never,
): TraceInterval {
  const startUs = prevStartUs + src.varint();
  const durationUs = src.varint();
  const countPos = src.pos;
  const n = src.varint();
  const runs = src.varint();
  if (runs > n || (n > 0 && runs === 0)) fail(countPos, `an interval says ${n} pages in ${runs} runs`);
  if (n > pages) fail(countPos, `an interval lists ${n} pages, more than the trace's ${pages}`);
  const out = new Uint32Array(n);
  let k = 0;
  let end = 0;
  for (let r = 0; r < runs; r++) {
    const at = src.pos;
    const start = end + src.varint();
    const len = src.varint() + 1;
    if (r > 0 && start === end) fail(at, 'two runs of pages touch (a run must end before a gap)');
    if (start + len > pages) fail(at, `page ${start + len - 1} is outside the trace's ${pages} pages`);
    if (k + len > n) fail(at, `the runs hold more pages than the interval's count (${n})`);
    for (let p = start; p < start + len; p++) out[k++] = p;
    end = start + len;
  }
  if (k !== n) fail(countPos, `the runs hold ${k} pages, the interval says ${n}`);
  const iv: TraceInterval = { startUs, durationUs, pages: out };
  if (withBytes) {
    const bytes = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const at = src.pos;
      const b = src.varint();
      if (b < 1 || b > pageSizeBytes) fail(at, `changed bytes ${b} of page ${out[i]} outside 1..${pageSizeBytes}`);
      bytes[i] = b;
    }
    iv.changedBytes = bytes;
  }
  return iv;
}
