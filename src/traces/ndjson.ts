/**
 * The human-readable form of a trace: NDJSON, one JSON object per line. Line 1 is the header (the same
 * fields as the binary header); each following line is an interval
 * `{"startUs":0,"durationUs":100000,"pages":[3,"10-19"],"changedBytes":[...]}` where "a-b" is the inclusive
 * run a..b; an optional last line `{"end":{"intervals":N,"pageWrites":W,"endUs":U}}` is checked when present.
 * For tests and hand-made traces; `livemig trace convert` turns it into the binary form and back.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { LivemigError } from '../errors/livemig-error.js';
import { TraceFormatError } from '../errors/trace-format-error.js';
import { checkHeader, TRACE_FORMAT_NAME, TRACE_VERSION, type TraceHeader } from './header.js';
import type { TraceInterval } from './interval.js';
import type { TraceEnd } from './framing.js';
import { openForReading, type TraceSource } from './reader.js';
import type { TraceHeaderInput } from './writer.js';

/** Runs at least this long are written as "a-b" strings. */
const MIN_RANGE = 3;
/** Longest line accepted (a corrupt file without newlines must not fill memory). */
const MAX_LINE_BYTES = 256 * 1024 * 1024;

export class NdjsonTraceReader implements TraceSource {
  readonly header: TraceHeader;
  private readonly fd: number;
  private buf = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private bufOffset = 0;
  private eof = false;
  private lineNo = 0;
  private prevStartUs = 0;
  private readonly seen: TraceEnd = { intervals: 0, pageWrites: 0, endUs: 0 };
  private ended = false;

  constructor(readonly path: string) {
    this.fd = openForReading(path);
    try {
      const first = this.nextLine();
      if (!first) throw new TraceFormatError(path, 0, 'the file is empty (no header line)');
      const h = checkHeader(this.parse(first));
      if (typeof h === 'string') throw new TraceFormatError(path, first.offset, `line 1: ${h}`);
      this.header = h;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }

  next(): TraceInterval | null {
    for (;;) {
      const line = this.nextLine();
      if (!line) return null;
      if (line.text.trim() === '') continue;
      if (this.ended) throw this.fail(line, 'a line after the end line');
      const obj = this.parse(line) as Record<string, unknown>;
      if ('end' in obj) {
        const end = obj['end'] as TraceEnd | undefined;
        if (end?.intervals !== this.seen.intervals || end.pageWrites !== this.seen.pageWrites) {
          throw this.fail(line, `the end line counts ${end?.intervals} intervals / ${end?.pageWrites} page writes, the file holds ${this.seen.intervals} / ${this.seen.pageWrites}`);
        }
        this.ended = true;
        continue;
      }
      const iv = this.interval(obj, line);
      this.prevStartUs = iv.startUs;
      this.seen.intervals++;
      this.seen.pageWrites += iv.pages.length;
      return iv;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private interval(o: Record<string, unknown>, line: Line): TraceInterval {
    const { startUs, durationUs, pages: list, changedBytes } = o;
    if (typeof startUs !== 'number' || !Number.isSafeInteger(startUs) || startUs < this.prevStartUs) {
      throw this.fail(line, `"startUs" is ${JSON.stringify(startUs)}, expected whole microseconds >= the previous interval's (${this.prevStartUs})`);
    }
    if (typeof durationUs !== 'number' || !Number.isSafeInteger(durationUs) || durationUs < 0) {
      throw this.fail(line, `"durationUs" is ${JSON.stringify(durationUs)}, expected whole microseconds >= 0`);
    }
    if (!Array.isArray(list)) throw this.fail(line, '"pages" must be an array of page numbers and "a-b" runs');
    const pages: number[] = [];
    const limit = this.header.pages;
    for (const item of list) {
      let a: number;
      let b: number;
      if (typeof item === 'number') a = b = item;
      else if (typeof item === 'string' && /^\d+-\d+$/.test(item)) [a, b] = item.split('-').map(Number) as [number, number];
      else throw this.fail(line, `"pages" holds ${JSON.stringify(item)}, expected a page number or an "a-b" run`);
      if (!Number.isInteger(a) || a < 0 || b < a || b >= limit) throw this.fail(line, `page ${JSON.stringify(item)} is outside 0..${limit - 1} (or an empty run)`);
      if (pages.length > 0 && a <= pages[pages.length - 1]!) throw this.fail(line, `"pages" must be strictly increasing (${JSON.stringify(item)} after ${pages[pages.length - 1]})`);
      for (let p = a; p <= b; p++) pages.push(p);
    }
    const iv: TraceInterval = { startUs, durationUs, pages: Uint32Array.from(pages) };
    if (this.header.changedBytes) {
      if (!Array.isArray(changedBytes) || changedBytes.length !== pages.length) {
        throw this.fail(line, `"changedBytes" must list one count per page (${pages.length}), as the header says changedBytes`);
      }
      for (const c of changedBytes) {
        if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > this.header.pageSizeBytes) {
          throw this.fail(line, `"changedBytes" holds ${JSON.stringify(c)}, expected an integer from 1 to ${this.header.pageSizeBytes}`);
        }
      }
      iv.changedBytes = Uint32Array.from(changedBytes as number[]);
    } else if (changedBytes !== undefined) {
      throw this.fail(line, '"changedBytes" given but the header says changedBytes: false');
    }
    return iv;
  }

  private parse(line: Line): unknown {
    try {
      return JSON.parse(line.text);
    } catch (e) {
      throw this.fail(line, `not valid JSON (${(e as Error).message})`);
    }
  }

  private fail(line: Line, what: string): TraceFormatError {
    return new TraceFormatError(this.path, line.offset, `line ${line.number}: ${what}`);
  }

  /** The next line and its file offset, reading 64 KiB at a time. */
  private nextLine(): Line | null {
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl >= 0 || (this.eof && this.buf.length > 0)) {
        const end = nl >= 0 ? nl : this.buf.length;
        const line: Line = { text: this.buf.subarray(0, end).toString('utf8'), offset: this.bufOffset, number: ++this.lineNo };
        const used = nl >= 0 ? nl + 1 : end;
        this.buf = this.buf.subarray(used);
        this.bufOffset += used;
        return line;
      }
      if (this.eof) return null;
      if (this.buf.length > MAX_LINE_BYTES) throw new TraceFormatError(this.path, this.bufOffset, `line ${this.lineNo + 1} is longer than ${MAX_LINE_BYTES} bytes`);
      const chunk = Buffer.alloc(64 * 1024);
      const n = readSync(this.fd, chunk, 0, chunk.length, this.bufOffset + this.buf.length);
      if (n === 0) this.eof = true;
      else this.buf = Buffer.concat([this.buf, chunk.subarray(0, n)]);
    }
  }
}

interface Line {
  text: string;
  offset: number;
  number: number;
}

/** Writes the NDJSON form line by line (the header must be final: conversion and tests know it up front). */
export class NdjsonTraceWriter {
  private readonly fd: number;
  private readonly end: TraceEnd = { intervals: 0, pageWrites: 0, endUs: 0 };

  constructor(
    readonly path: string,
    readonly header: TraceHeaderInput,
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new LivemigError(`${path}: cannot write the trace (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    writeSync(this.fd, `${JSON.stringify({ format: TRACE_FORMAT_NAME, version: TRACE_VERSION, ...header })}\n`);
  }

  write(iv: TraceInterval): void {
    const o: Record<string, unknown> = { startUs: iv.startUs, durationUs: iv.durationUs, pages: compactPages(iv.pages) };
    if (this.header.changedBytes) o['changedBytes'] = Array.from(iv.changedBytes ?? []);
    writeSync(this.fd, `${JSON.stringify(o)}\n`);
    this.end.intervals++;
    this.end.pageWrites += iv.pages.length;
    this.end.endUs = Math.max(this.end.endUs, iv.startUs + iv.durationUs);
  }

  close(): { intervals: number } {
    writeSync(this.fd, `${JSON.stringify({ end: this.end })}\n`);
    closeSync(this.fd);
    return { intervals: this.end.intervals };
  }
}

/** Sorted page numbers as numbers and "a-b" runs. */
export function compactPages(pages: Uint32Array): (number | string)[] {
  const out: (number | string)[] = [];
  for (let i = 0; i < pages.length; ) {
    let j = i + 1;
    while (j < pages.length && pages[j] === pages[j - 1]! + 1) j++;
    if (j - i >= MIN_RANGE) out.push(`${pages[i]}-${pages[j - 1]}`);
    else for (let k = i; k < j; k++) out.push(pages[k]!);
    i = j;
  }
  return out;
}
