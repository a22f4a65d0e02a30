/**
 * `livemig record`: samples which pages of a live Linux process are written, every interval, into a trace.
 * Methods: `soft-dirty` (kernel PTE bits, when the kernel has them) and `content` (compare page contents
 * read through /proc/PID/mem). What a trace cannot see is listed in docs/trace-format.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { LivemigError } from '../errors/livemig-error.js';
import { TraceWriter } from '../traces/writer.js';
import { AddressSpace } from './address-space.js';
import { ContentScanner } from './content-scanner.js';
import { readMaps, writableMappings, type Mapping } from './maps.js';
import { probeSoftDirty, SoftDirtyScanner } from './soft-dirty.js';
import { hostInfo, systemPageSize } from './host.js';

export const RECORD_METHODS = ['auto', 'soft-dirty', 'content'] as const;
export type RecordMethod = (typeof RECORD_METHODS)[number];

export interface RecordOptions {
  /** Record this running process... */
  pid?: number;
  /** ...or start this command (argv) and record it until it exits. */
  command?: string[];
  intervalMs: number;
  /** Stop after this long (milliseconds); default: when the process exits. */
  durationMs?: number;
  method: RecordMethod;
  /** The content method's memory: a copy of every page (finds changed bytes), or two hashes per page. @default 'copy' */
  compare?: 'copy' | 'hash';
  out: string;
  description?: string;
  /** Progress and notices, one line each (the CLI sends them to stderr). */
  log?: (line: string) => void;
  /** Stops the recording after the current scan (Ctrl-C). */
  signal?: AbortSignal;
}

/** The recorder's own cost. */
export interface RecordOverhead {
  scans: number;
  /** The first scan (the baseline: takes the first copies, so it allocates the recorder's copy of the memory). */
  baselineScanMs: number;
  meanScanMs: number;
  maxScanMs: number;
  /** Mean scan time over the nominal interval: above 1, the scans are the bottleneck and intervals stretch. */
  shareOfInterval: number;
  meanBytesReadPerScan: number;
  totalBytesRead: number;
  /** Intervals whose scan started late because the previous scan overran. */
  lateScans: number;
  unreadablePages: number;
}

export interface RecordResult {
  file: string;
  method: 'soft-dirty' | 'content';
  pid: number;
  intervals: number;
  pages: number;
  pageWrites: number;
  /** Why it stopped: the duration elapsed, the process exited, or it was interrupted. */
  endedBy: 'duration' | 'exited' | 'interrupted';
  overhead: RecordOverhead;
  fileBytes: number;
}

/** What a trace does not see; written into every recorded trace's header. */
export const TRACE_BLIND_SPOTS = [
  'kernel memory and the page cache (only the process\'s writable mappings are read)',
  'several writes to one page between two scans count once; a write that restores the old bytes is invisible (content method)',
  'the content method reads pages while the process runs: a write during a scan may land in this interval or the next',
  'soft-dirty marks a transparent huge page as 512 written pages; content compares each 4 KiB page',
  'writes of the last partial interval before the process exits are lost',
  'new mappings appear as regions; a page unmapped and mapped again at the same address keeps its page number',
];

export async function record(opts: RecordOptions): Promise<RecordResult> {
  const log = opts.log ?? (() => {});
  if (process.platform !== 'linux') throw new LivemigError(`record: needs Linux (/proc/PID/mem, pagemap); this is ${process.platform}`);
  if ((opts.pid === undefined) === (opts.command === undefined || opts.command.length === 0)) {
    throw new LivemigError('record: give either --pid PID or a command after --, not both and not neither');
  }
  const ps = systemPageSize();
  const method = resolveMethod(opts.method, ps, log);

  let child: ChildProcess | undefined;
  let exited = false;
  let wake: (() => void) | undefined;
  let pid: number;
  if (opts.command) {
    child = await startChild(opts.command);
    pid = child.pid!;
    child.once('exit', () => { exited = true; wake?.(); });
  } else {
    pid = opts.pid!;
    if (!existsSync(`/proc/${pid}`)) throw new LivemigError(`invalid --pid: ${pid}; no such process`);
  }

  let soft: SoftDirtyScanner | undefined;
  let content: ContentScanner | undefined;
  try {
    try {
      // Fail early on permission; the scanner reopens the file for every scan.
      if (method === 'content') { closeSync(openSync(`/proc/${pid}/mem`, 'r')); content = new ContentScanner(pid, ps, opts.compare ?? 'copy'); }
      else soft = new SoftDirtyScanner(pid, ps);
    } catch (e) {
      throw accessError(e, pid);
    }
    const writer = new TraceWriter(opts.out, {
      pageSizeBytes: ps, pages: 1, intervalMs: opts.intervalMs, method, changedBytes: method === 'content' && opts.compare !== 'hash',
      source: {
        ...(opts.command ? { command: opts.command } : { pid }),
        ...(opts.description ? { description: opts.description } : {}),
      },
      host: hostInfo(),
    });
    try {
      const space = new AddressSpace(ps);
      const recordedAt = new Date().toISOString();
      const t0 = performance.now();
      const scan = (interval: number): { pages: Uint32Array; changedBytes?: Uint32Array; bytesRead: number; unreadable: number } | null => {
        let maps: Mapping[];
        try {
          maps = writableMappings(readMaps(pid));
        } catch (e) {
          if (isGoneCode(e)) return null;
          throw accessError(e, pid);
        }
        if (maps.length === 0) return null; // a zombie: the process has exited, its memory is gone
        const pieces = space.update(maps, interval);
        content?.retain(new Set(pieces.map((p) => p.region)));
        try {
          if (content) {
            const r = content.scan(pieces);
            return { pages: r.pages, ...(content.compare === 'copy' ? { changedBytes: r.changedBytes } : {}), bytesRead: r.bytesRead, unreadable: r.unreadablePages };
          }
          const r = soft!.scan(pieces);
          return { pages: r.pages, bytesRead: r.bytesRead, unreadable: 0 };
        } catch (e) {
          if (isGoneCode(e)) return null;
          throw accessError(e, pid);
        }
      };

      const o = { scans: 0, sumMs: 0, maxMs: 0, bytes: 0, late: 0, unreadable: 0 };
      const note = (ms: number, bytes: number, unreadable: number): void => {
        o.scans++; o.sumMs += ms; o.maxMs = Math.max(o.maxMs, ms); o.bytes += bytes; o.unreadable += unreadable;
      };
      // Interval 0's scan is the baseline: it takes the first copies (or clears the soft-dirty bits).
      let prevStart = performance.now();
      const base = scan(0);
      if (!base) throw new LivemigError(`record: process ${pid} exited before the first scan; nothing recorded`);
      const baselineScanMs = performance.now() - prevStart;
      note(baselineScanMs, base.bytesRead, base.unreadable);
      log(`record: pid ${pid}, method ${method}, ${space.pages} writable pages (${(space.pages * ps / 2 ** 20).toFixed(1)} MiB) in ${space.regions.length} regions, interval ${opts.intervalMs} ms`);

      let endedBy: RecordResult['endedBy'] = 'exited';
      let pageWrites = 0;
      // Scans are due every interval from the end of the baseline (which may take seconds on a large process:
      // it allocates the copy); trace times still count from the baseline's start, when the copies were taken.
      const sched = performance.now();
      let lastLog = sched;
      for (let i = 1; ; i++) {
        const due = sched + i * opts.intervalMs;
        const wait = due - performance.now();
        if (wait > 0) {
          if (opts.durationMs !== undefined && due - sched > opts.durationMs + 1e-6) { endedBy = 'duration'; break; }
          await new Promise<void>((resolve) => {
            const done = (): void => { clearTimeout(timer); opts.signal?.removeEventListener('abort', done); resolve(); };
            const timer = setTimeout(done, wait);
            wake = done;
            opts.signal?.addEventListener('abort', done, { once: true });
          });
          wake = undefined;
        } else {
          o.late++;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if (opts.signal?.aborted) { endedBy = 'interrupted'; break; }
        if (exited) { endedBy = 'exited'; break; }
        const start = performance.now();
        if (opts.durationMs !== undefined && start - sched > opts.durationMs + opts.intervalMs / 2) { endedBy = 'duration'; break; }
        const r = scan(i);
        if (!r) { endedBy = 'exited'; break; }
        const end = performance.now();
        note(end - start, r.bytesRead, r.unreadable);
        writer.write({
          startUs: Math.round((prevStart - t0) * 1e3),
          durationUs: Math.round((start - prevStart) * 1e3),
          pages: r.pages,
          ...(r.changedBytes ? { changedBytes: r.changedBytes } : {}),
        });
        pageWrites += r.pages.length;
        prevStart = start;
        if (end - lastLog >= 1000) {
          lastLog = end;
          log(`record: ${((end - t0) / 1e3).toFixed(1)} s, ${writer.intervals} intervals, last ${r.pages.length} pages written; ` +
            `scan ${(end - start).toFixed(1)} ms (${(((end - start) / opts.intervalMs) * 100).toFixed(0)}% of the interval), ${(r.bytesRead / 2 ** 20).toFixed(1)} MiB read`);
        }
      }
      if (writer.intervals === 0) throw new LivemigError(`record: process ${pid} ${endedBy === 'exited' ? 'exited' : 'stopped'} before the first interval ended; nothing recorded`);
      const overhead: RecordOverhead = {
        scans: o.scans, baselineScanMs, meanScanMs: o.sumMs / o.scans, maxScanMs: o.maxMs, shareOfInterval: o.sumMs / o.scans / opts.intervalMs,
        meanBytesReadPerScan: o.bytes / o.scans, totalBytesRead: o.bytes, lateScans: o.late, unreadablePages: o.unreadable,
      };
      const { bytes } = writer.close({
        pages: Math.max(1, space.pages), recordedAt, regions: space.describe(),
        notes: { endedBy, recorderOverhead: overhead, blindSpots: TRACE_BLIND_SPOTS },
      });
      return { file: opts.out, method, pid, intervals: writer.intervals, pages: space.pages, pageWrites, endedBy, overhead, fileBytes: bytes };
    } catch (e) {
      writer.abort();
      throw e;
    }
  } finally {
    soft?.close();
    if (child && !exited) child.kill('SIGTERM');
  }
}

function resolveMethod(method: RecordMethod, ps: number, log: (line: string) => void): 'soft-dirty' | 'content' {
  if (method === 'content') return 'content';
  const probe = probeSoftDirty(ps);
  if (method === 'soft-dirty') {
    if (!probe.supported) throw new LivemigError(`invalid --method: "soft-dirty" does not work here: ${probe.reason}; use --method content`);
    return 'soft-dirty';
  }
  if (probe.supported) return 'soft-dirty';
  log(`record: soft-dirty unavailable (${probe.reason}); using the content method`);
  return 'content';
}

async function startChild(command: string[]): Promise<ChildProcess> {
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (e) => reject(new LivemigError(`record: cannot start ${JSON.stringify(command[0])} (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
  });
  return child;
}

function isGoneCode(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

function accessError(e: unknown, pid: number): Error {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new LivemigError(`record: no permission to read process ${pid}'s memory (${code}): run as root, as its parent (livemig record -- CMD), or with ptrace access (kernel.yama.ptrace_scope)`);
  }
  if (isGoneCode(e)) return new LivemigError(`record: process ${pid} is gone`);
  return e instanceof Error ? e : new Error(String(e));
}
