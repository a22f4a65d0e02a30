import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { LivemigError } from '../errors/livemig-error.js';
import { TraceFormatError } from '../errors/trace-format-error.js';
import { checkHeader, TRACE_VERSION, type TraceHeader } from './header.js';
import { decodeInterval, type TraceInterval } from './interval.js';
import { MAX_BLOCK_BYTES, MAX_RECORD_BYTES, PREFIX_BYTES, RECORD, RECORD_HEADER_BYTES, TRACE_MAGIC, type TraceEnd } from './framing.js';
import { ByteSource } from './varint.js';

/** A trace being read one interval at a time (binary or NDJSON: see openTrace). */
export interface TraceSource {
  readonly path: string;
  readonly header: TraceHeader;
  /** The next interval, or null after the last (when the end record has been checked). */
  next(): TraceInterval | null;
  close(): void;
}

/**
 * Reads a binary trace synchronously, one compressed block in memory at a time. Every record's length and
 * CRC-32 are checked before it is used, and the end record's totals against what was read, so a truncated
 * or corrupt file is refused with a TraceFormatError giving the byte offset of the record where it breaks.
 */
export class BinaryTraceReader implements TraceSource {
  readonly header: TraceHeader;
  private readonly fd: number;
  private readonly size: number;
  private pos = 0;
  private block: TraceInterval[] = [];
  private blockIndex = 0;
  private prevStartUs = 0;
  private readonly seen: TraceEnd = { intervals: 0, pageWrites: 0, endUs: 0 };
  private finished = false;

  constructor(readonly path: string) {
    this.fd = openForReading(path);
    try {
      this.size = fstatSync(this.fd).size;
      const prefix = this.readAt(0, PREFIX_BYTES, 'the 12-byte file prefix');
      for (let i = 0; i < TRACE_MAGIC.length; i++) {
        if (prefix[i] !== TRACE_MAGIC[i]) throw this.fail(i, 'not a livemig binary trace (wrong magic bytes)');
      }
      const version = new DataView(prefix.buffer, prefix.byteOffset).getUint32(8, true);
      if (version !== TRACE_VERSION) throw this.fail(8, `format version ${version}; this livemig reads version ${TRACE_VERSION}`);
      this.pos = PREFIX_BYTES;
      const at = this.pos;
      const { type, payload } = this.readRecord();
      if (type !== RECORD.header) throw this.fail(at, 'the first record is not the header');
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload).toString('utf8'));
      } catch {
        throw this.fail(at, 'the header is not valid JSON');
      }
      const h = checkHeader(parsed);
      if (typeof h === 'string') throw this.fail(at, h);
      this.header = h;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  next(): TraceInterval | null {
    while (this.blockIndex >= this.block.length) {
      if (this.finished) return null;
      this.readBlockOrEnd();
    }
    const iv = this.block[this.blockIndex++]!;
    return iv;
  }

  close(): void {
    closeSync(this.fd);
  }

  private readBlockOrEnd(): void {
    const at = this.pos;
    if (at >= this.size) throw this.fail(at, 'the file ends without its end record (truncated)');
    const { type, payload } = this.readRecord();
    if (type === RECORD.end) {
      let end: TraceEnd;
      try {
        end = JSON.parse(Buffer.from(payload).toString('utf8')) as TraceEnd;
      } catch {
        throw this.fail(at, 'the end record is not valid JSON');
      }
      if (end.intervals !== this.seen.intervals || end.pageWrites !== this.seen.pageWrites) {
        throw this.fail(at, `the end record counts ${end.intervals} intervals / ${end.pageWrites} page writes, the file holds ${this.seen.intervals} / ${this.seen.pageWrites}`);
      }
      if (this.pos !== this.size) throw this.fail(this.pos, `${this.size - this.pos} bytes after the end record`);
      this.finished = true;
      this.block = [];
      this.blockIndex = 0;
      return;
    }
    if (type !== RECORD.intervals) throw this.fail(at, `unknown record type 0x${type.toString(16)}`);
    let raw: Buffer;
    try {
      raw = inflateRawSync(payload, { maxOutputLength: MAX_BLOCK_BYTES });
    } catch (e) {
      throw this.fail(at, `an interval block does not decompress (${(e as Error).message})`);
    }
    const failIn = (p: number, what: string): never => {
      throw this.fail(at, `${what} (byte ${p} of the block's decompressed data)`);
    };
    const src = new ByteSource(raw, failIn);
    const count = src.varint();
    const h = this.header;
    const block: TraceInterval[] = [];
    for (let i = 0; i < count; i++) {
      const iv = decodeInterval(src, this.prevStartUs, h.changedBytes, h.pages, h.pageSizeBytes, failIn);
      this.prevStartUs = iv.startUs;
      this.seen.intervals++;
      this.seen.pageWrites += iv.pages.length;
      block.push(iv);
    }
    if (!src.done) failIn(src.pos, 'extra bytes after the last interval of the block');
    this.block = block;
    this.blockIndex = 0;
  }

  private readRecord(): { type: number; payload: Uint8Array } {
    const at = this.pos;
    const head = this.readAt(at, RECORD_HEADER_BYTES, 'a record header');
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const type = view.getUint8(0);
    const length = view.getUint32(1, true);
    const crc = view.getUint32(5, true);
    if (length > MAX_RECORD_BYTES) throw this.fail(at, `a record claims ${length} bytes (at most ${MAX_RECORD_BYTES}): corrupt length`);
    const payload = this.readAt(at + RECORD_HEADER_BYTES, length, `a record of ${length} bytes`, at);
    if (crc32(payload) !== crc) throw this.fail(at, 'a record fails its CRC-32 check (corrupt)');
    this.pos = at + RECORD_HEADER_BYTES + length;
    return { type, payload };
  }

  /** Exactly `n` bytes at `offset`; a short read is a truncation reported at `reportAt`. */
  private readAt(offset: number, n: number, what: string, reportAt = offset): Uint8Array {
    if (offset + n > this.size) throw this.fail(reportAt, `the file ends inside ${what} (truncated: ${this.size} bytes)`);
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.fd, buf, got, n - got, offset + got);
      if (r === 0) throw this.fail(reportAt, `the file ends inside ${what} (truncated)`);
      got += r;
    }
    return buf;
  }

  private fail(offset: number, what: string): TraceFormatError {
    return new TraceFormatError(this.path, offset, what);
  }
}

export function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LivemigError(`${path}: cannot read the trace (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
  }
}

/** True when the file starts like the binary magic (even cut short), else it is read as NDJSON (which starts with "{"). */
export function isBinaryTrace(path: string): boolean {
  const fd = openForReading(path);
  try {
    const buf = Buffer.alloc(TRACE_MAGIC.length);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return n > 0 && buf.subarray(0, n).every((b, i) => b === TRACE_MAGIC[i]);
  } finally {
    closeSync(fd);
  }
}
