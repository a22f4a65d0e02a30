import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import { LivemigError } from '../errors/livemig-error.js';
import { checkHeader, TRACE_FORMAT_NAME, TRACE_VERSION, type TraceHeader } from './header.js';
import { encodeInterval, type TraceInterval } from './interval.js';
import { BLOCK_TARGET_BYTES, PREFIX_BYTES, RECORD, RECORD_HEADER_BYTES, TRACE_MAGIC, type TraceEnd } from './framing.js';
import { ByteSink } from './varint.js';

/** The header a writer is given: everything but the format name and version, which it fills in. */
export type TraceHeaderInput = Omit<TraceHeader, 'format' | 'version'>;

/**
 * Writes a binary trace one interval at a time, holding at most one block (~256 KiB) in memory. The page
 * space may grow while recording (a process maps more memory), so the header is only final at `close`:
 * intervals go to a side file first, and `close` writes header + intervals + end record and renames the
 * result into place, so FILE is never seen half-written. Same header and intervals → same bytes.
 */
export class TraceWriter {
  private readonly bodyPath: string;
  private bodyFd: number;
  private readonly sink = new ByteSink();
  private blockCount = 0;
  private prevStartUs = 0;
  private lastStartUs = 0;
  private maxPage = -1;
  private readonly end: TraceEnd = { intervals: 0, pageWrites: 0, endUs: 0 };
  private closed = false;

  constructor(
    readonly path: string,
    readonly header: TraceHeaderInput,
  ) {
    this.bodyPath = `${path}.body-${process.pid}.tmp`;
    try {
      this.bodyFd = openSync(this.bodyPath, 'w');
    } catch (e) {
      throw new LivemigError(`${path}: cannot write the trace (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }

  get intervals(): number {
    return this.end.intervals;
  }

  /** Appends one interval; pages strictly increasing, start times non-decreasing. */
  write(iv: TraceInterval): void {
    if (this.closed) throw new Error('TraceWriter: write after close');
    const n = iv.pages.length;
    if (!Number.isSafeInteger(iv.startUs) || iv.startUs < this.lastStartUs || !Number.isSafeInteger(iv.durationUs) || iv.durationUs < 0) {
      throw new LivemigError(`interval ${this.end.intervals}: startUs ${iv.startUs} / durationUs ${iv.durationUs} must be whole microseconds, starts non-decreasing`);
    }
    for (let i = 1; i < n; i++) {
      if (iv.pages[i]! <= iv.pages[i - 1]!) throw new LivemigError(`interval ${this.end.intervals}: pages must be strictly increasing (page ${iv.pages[i]} after ${iv.pages[i - 1]})`);
    }
    if (this.header.changedBytes && iv.changedBytes?.length !== n) {
      throw new LivemigError(`interval ${this.end.intervals}: the header says changedBytes, so each of the ${n} pages needs a changed-byte count`);
    }
    if (n > 0) this.maxPage = Math.max(this.maxPage, iv.pages[n - 1]!);
    encodeInterval(this.sink, iv, this.prevStartUs, this.header.changedBytes);
    this.prevStartUs = iv.startUs;
    this.lastStartUs = iv.startUs;
    this.blockCount++;
    this.end.intervals++;
    this.end.pageWrites += n;
    this.end.endUs = Math.max(this.end.endUs, iv.startUs + iv.durationUs);
    if (this.sink.length >= BLOCK_TARGET_BYTES) this.flushBlock();
  }

  /** Writes the file: `update` sets header fields known only now (the final page count, overhead notes). */
  close(update: Partial<TraceHeaderInput> = {}): { intervals: number; bytes: number } {
    if (this.closed) throw new Error('TraceWriter: closed twice');
    this.flushBlock();
    closeSync(this.bodyFd);
    this.closed = true;
    const header = { format: TRACE_FORMAT_NAME, version: TRACE_VERSION, ...this.header, ...update } as TraceHeader;
    const problem = checkHeader(header);
    const tmp = `${this.path}.tmp-${process.pid}`;
    try {
      if (typeof problem === 'string') throw new LivemigError(`${this.path}: ${problem}`);
      if (this.maxPage >= header.pages) throw new LivemigError(`${this.path}: page ${this.maxPage} was written but the header says ${header.pages} pages`);
      const out = openSync(tmp, 'w');
      let bytes = 0;
      try {
        const prefix = new Uint8Array(PREFIX_BYTES);
        prefix.set(TRACE_MAGIC);
        new DataView(prefix.buffer).setUint32(8, TRACE_VERSION, true);
        bytes += writeSync(out, prefix);
        bytes += writeRecord(out, RECORD.header, Buffer.from(JSON.stringify(header)));
        bytes += copyFile(this.bodyPath, out);
        bytes += writeRecord(out, RECORD.end, Buffer.from(JSON.stringify(this.end)));
      } finally {
        closeSync(out);
      }
      renameSync(tmp, this.path);
      return { intervals: this.end.intervals, bytes };
    } catch (e) {
      rmSync(tmp, { force: true });
      if (e instanceof LivemigError) throw e;
      throw new LivemigError(`${this.path}: cannot write the trace (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    } finally {
      rmSync(this.bodyPath, { force: true });
    }
  }

  /** Drops everything written (an error while recording). */
  abort(): void {
    if (!this.closed) closeSync(this.bodyFd);
    this.closed = true;
    rmSync(this.bodyPath, { force: true });
  }

  private flushBlock(): void {
    if (this.blockCount === 0) return;
    const head = new ByteSink();
    head.varint(this.blockCount);
    const raw = Buffer.concat([head.bytes(), this.sink.bytes()]);
    writeRecord(this.bodyFd, RECORD.intervals, deflateRawSync(raw, { level: 9 }));
    this.sink.reset();
    this.blockCount = 0;
  }
}

function writeRecord(fd: number, type: number, payload: Uint8Array): number {
  const head = Buffer.alloc(RECORD_HEADER_BYTES);
  head.writeUInt8(type, 0);
  head.writeUInt32LE(payload.length, 1);
  head.writeUInt32LE(crc32(payload), 5);
  return writeSync(fd, head) + writeSync(fd, payload);
}

function copyFile(from: string, toFd: number): number {
  const fd = openSync(from, 'r');
  const buf = Buffer.alloc(1 << 20);
  let total = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return total;
      total += writeSync(toFd, buf, 0, n);
    }
  } finally {
    closeSync(fd);
  }
}
