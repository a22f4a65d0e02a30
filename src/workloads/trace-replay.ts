import type { PageStore } from '../core/page-store.js';
import { offsetMap, scatterMap, type PageMap } from '../core/page-map.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { TraceHeader } from '../traces/header.js';
import type { TraceInterval } from '../traces/interval.js';
import { traceFiles } from '../traces/files.js';
import type { TraceSource } from '../traces/reader.js';
import type { PageRange, Workload } from './workload.js';

export type TracePlacement = 'offset' | 'scatter';

export interface TraceReplayOptions {
  /** Where the trace's pages go in the region: in order from its start, or scattered by a fixed bijection. */
  placement: TracePlacement;
  /** Start again from the first interval after the last, or go idle. */
  loop: boolean;
  /** Playback speed: 2 plays the trace twice as fast (every interval half as long, twice the dirty rate). */
  speed: number;
  /** The VM's page size: trace pages smaller than it are merged (a power-of-two ratio); larger are refused. */
  vmPageSizeBytes: number;
  /** Names the spec in errors ("workload[0]"). */
  field: string;
}

/**
 * Replays a recorded dirty-page trace on a vCPU: each trace interval's pages are written, spread evenly over
 * the interval's recorded length, at the trace's own pace scaled by `speed`. The pace follows the vCPU's
 * progress [REC, the reference §C.4 proposal]: the engine hands a workload k writes at its nominal rate, and
 * replay reads those k as k / writesPerSec seconds of the program's time, so a throttled vCPU replays its
 * trace more slowly. writesPerSec is the trace's mean rate (page writes over its duration), so the engine's
 * write count matches the pages replayed over the whole trace; per step they differ with the trace's bursts.
 * The trace is streamed (one block in memory) and reopened to loop. The core marks each interval's pages in
 * one call (touchPages), never one call per page.
 */
export class TraceReplayWorkload implements Workload {
  readonly kind = 'trace';
  readonly header: TraceHeader;
  /** Where the file was found (see locateTrace). */
  private readonly path: string;
  private readonly map: PageMap;
  /** Mean page writes per second of the trace, times the speed. */
  private readonly rate: number;
  private source: TraceSource;
  /** The program's clock in trace microseconds, and where the first interval starts (to loop). */
  private clockUs: number;
  private readonly lengthUs: number;
  private loopOffsetUs = 0;
  private iv: TraceInterval | null;
  /** Pages of `iv` written so far. */
  private done = 0;
  private finished = false;

  constructor(
    readonly file: string,
    region: PageRange,
    private readonly opts: TraceReplayOptions,
  ) {
    // One pass for the totals (the rate) and to check the whole file before the run starts.
    this.path = traceFiles().locate(file);
    const scan = traceFiles().open(this.path);
    const h = scan.header;
    let first: number | null = null;
    let endUs = 0;
    let pageWrites = 0;
    try {
      for (let iv = scan.next(); iv; iv = scan.next()) {
        first ??= iv.startUs;
        endUs = Math.max(endUs, iv.startUs + iv.durationUs);
        pageWrites += iv.pages.length;
      }
    } finally {
      scan.close();
    }
    this.header = h;
    const f = opts.field;
    const ratio = opts.vmPageSizeBytes / h.pageSizeBytes;
    if (ratio < 1) {
      throw new InvalidOptionError(`${f}.file`, file, `a trace with pages no larger than the VM's (${opts.vmPageSizeBytes} bytes); its pages are ${h.pageSizeBytes} bytes`);
    }
    const shift = Math.log2(ratio);
    const pages = Math.ceil(h.pages / ratio);
    if (pages > region.count) {
      throw new InvalidOptionError(`${f}.file`, file,
        `a trace for at most the ${region.count} pages of the workload's region; this trace has ${pages} pages (${h.pages} of ${h.pageSizeBytes} bytes), the VM region ${region.count} pages of ${opts.vmPageSizeBytes} bytes`);
    }
    if (first === null || endUs <= first || pageWrites === 0) {
      throw new InvalidOptionError(`${f}.file`, file, 'a trace with at least one page written over a non-zero duration');
    }
    const base = opts.placement === 'scatter' ? scatterMap(region.start, pages) : offsetMap(region.start, pages);
    this.map = { ...base, shift };
    this.lengthUs = endUs - first;
    this.rate = (pageWrites / (this.lengthUs / 1e6)) * opts.speed;
    this.clockUs = first;
    this.source = traceFiles().open(this.path);
    this.iv = this.source.next();
  }

  get cpuDemand(): number {
    return this.finished ? 0 : 1;
  }

  get writesPerSec(): number {
    return this.finished ? 0 : this.rate;
  }

  write(store: PageStore, k: number): number {
    if (this.finished) return 0;
    this.clockUs += (k / this.rate) * 1e6 * this.opts.speed;
    let fresh = 0;
    while (this.iv) {
      const iv = this.iv;
      const start = iv.startUs + this.loopOffsetUs;
      // Pages of this interval due by now: spread evenly over its length (all of them once it has ended).
      const due = iv.durationUs === 0 || this.clockUs >= start + iv.durationUs
        ? iv.pages.length
        : Math.max(0, Math.floor(((this.clockUs - start) / iv.durationUs) * iv.pages.length));
      if (due > this.done) {
        fresh += store.touchPages(iv.pages.subarray(this.done, due), this.map);
        this.done = due;
      }
      // Stay in the interval until its time has passed (an empty interval is a pause, not nothing).
      if (this.done < iv.pages.length || this.clockUs < start + iv.durationUs) break;
      this.iv = this.nextInterval();
      this.done = 0;
    }
    return fresh;
  }

  private nextInterval(): TraceInterval | null {
    const next = this.source.next();
    if (next) return next;
    this.source.close();
    if (!this.opts.loop) {
      this.finished = true;
      return null;
    }
    this.loopOffsetUs += this.lengthUs;
    this.source = traceFiles().open(this.path);
    return this.source.next();
  }
}
