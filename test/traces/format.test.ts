import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { TraceWriter } from '../../src/traces/writer.js';
import { NdjsonTraceWriter } from '../../src/traces/ndjson.js';
import { createTraceWriter, intervalsOf, openTrace } from '../../src/traces/open.js';
import { TraceFormatError } from '../../src/errors/trace-format-error.js';
import { LivemigError } from '../../src/errors/livemig-error.js';
import { PREFIX_BYTES, RECORD_HEADER_BYTES } from '../../src/traces/framing.js';
import { header, readAll, sampleIntervals, tempDir } from './helpers.js';

function writeBinary(path: string, ivs = sampleIntervals(50, 1000), h = header()): void {
  const w = new TraceWriter(path, h);
  for (const iv of ivs) w.write(iv);
  w.close();
}

function expectFormatError(path: string, offset: number, message: RegExp): void {
  let err: unknown;
  try {
    readAll(path);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TraceFormatError);
  expect((err as TraceFormatError).offset).toBe(offset);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).toContain(`byte offset ${offset}`);
}

/** Offsets of every record in a binary trace, walking the framing. */
function recordOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let at = PREFIX_BYTES; at < bytes.length; at += RECORD_HEADER_BYTES + bytes.readUInt32LE(at + 1)) out.push(at);
  return out;
}

describe('binary trace format', () => {
  it('reads back every interval, page and changed-byte count exactly', () => {
    const dir = tempDir();
    const ivs = sampleIntervals(200, 5000);
    writeBinary(join(dir, 't.lmtrace'), ivs, header({ pages: 5000 }));
    const { header: h, intervals } = readAll(join(dir, 't.lmtrace'));
    expect(h.pages).toBe(5000);
    expect(h.version).toBe(1);
    expect(intervals).toEqual(ivs);
  });

  it('writes the same bytes for the same header and intervals (deterministic compression)', () => {
    const dir = tempDir();
    writeBinary(join(dir, 'a.lmtrace'));
    writeBinary(join(dir, 'b.lmtrace'));
    expect(readFileSync(join(dir, 'a.lmtrace')).equals(readFileSync(join(dir, 'b.lmtrace')))).toBe(true);
  });

  it('streams a trace of many blocks: the reader holds one block, intervals come out in order', () => {
    const dir = tempDir();
    const path = join(dir, 'long.lmtrace');
    const w = new TraceWriter(path, header({ pages: 1 << 20, changedBytes: false }));
    // 2000 intervals of 2000 scattered pages each: ~8 MB of encoded intervals, so ~30 blocks.
    let x = 1;
    for (let i = 0; i < 2000; i++) {
      const pages = new Uint32Array(2000);
      let p = 0;
      for (let k = 0; k < 2000; k++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; p += 1 + (x % 500); pages[k] = p; }
      w.write({ startUs: i * 100_000, durationUs: 100_000, pages });
    }
    w.close();
    const bytes = readFileSync(path);
    expect(recordOffsets(bytes).length).toBeGreaterThan(10);
    const src = openTrace(path);
    let n = 0;
    let writes = 0;
    for (const iv of intervalsOf(src)) { expect(iv.startUs).toBe(n * 100_000); n++; writes += iv.pages.length; }
    expect(n).toBe(2000);
    expect(writes).toBe(4_000_000);
  });

  it('encodes runs compactly: a 256 Ki-page sequential sweep takes a few bytes per interval', () => {
    const dir = tempDir();
    const path = join(dir, 'seq.lmtrace');
    const w = new TraceWriter(path, header({ pages: 262144, changedBytes: false }));
    const all = Uint32Array.from({ length: 262144 }, (_, i) => i);
    for (let i = 0; i < 100; i++) w.write({ startUs: i * 100_000, durationUs: 100_000, pages: all });
    w.close();
    expect(readFileSync(path).length).toBeLessThan(2048);
    expect(readAll(path).intervals[99]!.pages.length).toBe(262144);
  });

  it('refuses a file cut anywhere, with the byte offset of the record where it breaks', () => {
    const dir = tempDir();
    const full = join(dir, 'full.lmtrace');
    writeBinary(full, sampleIntervals(300, 1000));
    const bytes = readFileSync(full);
    const records = recordOffsets(bytes);
    expect(records.length).toBeGreaterThanOrEqual(3);
    const cut = join(dir, 'cut.lmtrace');
    // Cut inside the prefix, at a record boundary, inside a record's framing and inside its payload.
    for (const at of [5, records[1]!, records[1]! + 4, records[1]! + 20, records[records.length - 1]!, bytes.length - 1]) {
      writeFileSync(cut, bytes.subarray(0, at));
      const recordAt = at < PREFIX_BYTES ? 0 : records.filter((r) => r <= at).pop()!;
      expectFormatError(cut, recordAt, /truncated/);
    }
  });

  it('refuses a flipped byte with the offset of the record holding it (CRC-32)', () => {
    const dir = tempDir();
    const full = join(dir, 'full.lmtrace');
    writeBinary(full, sampleIntervals(300, 1000));
    const bytes = readFileSync(full);
    const records = recordOffsets(bytes);
    const bad = join(dir, 'bad.lmtrace');
    for (const r of records) {
      const copy = Buffer.from(bytes);
      const at = r + RECORD_HEADER_BYTES + 3; // inside the payload
      copy[at] = copy[at]! ^ 0x40;
      writeFileSync(bad, copy);
      expectFormatError(bad, r, /CRC-32/);
    }
  });

  it('refuses a valid-CRC block whose pages lie outside the header\'s page count, naming the block', () => {
    const dir = tempDir();
    const path = join(dir, 'x.lmtrace');
    writeBinary(path, sampleIntervals(5, 1000), header({ pages: 1000 }));
    // Rewrite the header record to claim fewer pages, with a fresh CRC, so only the decoding can catch it.
    const bytes = readFileSync(path);
    const len = bytes.readUInt32LE(PREFIX_BYTES + 1);
    const json = JSON.parse(bytes.subarray(PREFIX_BYTES + RECORD_HEADER_BYTES, PREFIX_BYTES + RECORD_HEADER_BYTES + len).toString());
    json.pages = 10;
    const payload = Buffer.from(JSON.stringify(json));
    const head = Buffer.alloc(RECORD_HEADER_BYTES);
    head.writeUInt8(0x48, 0); head.writeUInt32LE(payload.length, 1); head.writeUInt32LE(crc32(payload), 5);
    const rest = bytes.subarray(PREFIX_BYTES + RECORD_HEADER_BYTES + len);
    writeFileSync(path, Buffer.concat([bytes.subarray(0, PREFIX_BYTES), head, payload, rest]));
    expectFormatError(path, PREFIX_BYTES + RECORD_HEADER_BYTES + payload.length, /outside the trace's 10 pages|more than the trace's 10/);
  });

  it('refuses a file that is not a trace, and trailing garbage', () => {
    const dir = tempDir();
    const path = join(dir, 'x.lmtrace');
    writeBinary(path);
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([bytes, Buffer.from('junk')]));
    expectFormatError(path, bytes.length, /after the end record/);
    const v2 = Buffer.from(bytes);
    v2.writeUInt32LE(2, 8);
    writeFileSync(path, v2);
    expectFormatError(path, 8, /version 2/);
  });

  it('the writer refuses unsorted pages, missing changed bytes and pages beyond the header', () => {
    const dir = tempDir();
    const w = new TraceWriter(join(dir, 'w.lmtrace'), header({ pages: 10 }));
    expect(() => w.write({ startUs: 0, durationUs: 1, pages: Uint32Array.of(3, 2), changedBytes: Uint32Array.of(1, 1) })).toThrow(/strictly increasing/);
    expect(() => w.write({ startUs: 0, durationUs: 1, pages: Uint32Array.of(3) })).toThrow(/changed-byte count/);
    w.write({ startUs: 0, durationUs: 1, pages: Uint32Array.of(12), changedBytes: Uint32Array.of(1) });
    expect(() => w.close()).toThrow(LivemigError);
  });
});

describe('NDJSON form', () => {
  it('converts binary -> NDJSON -> binary to the identical bytes', () => {
    const dir = tempDir();
    const a = join(dir, 'a.lmtrace');
    writeBinary(a);
    const src = openTrace(a);
    const { format: _f, version: _v, ...h } = src.header;
    const nd = createTraceWriter(join(dir, 'a.ndjson'), h);
    for (const iv of intervalsOf(src)) nd.write(iv);
    nd.close();
    const src2 = openTrace(join(dir, 'a.ndjson'));
    const b = createTraceWriter(join(dir, 'b.lmtrace'), h);
    for (const iv of intervalsOf(src2)) b.write(iv);
    b.close();
    expect(readFileSync(join(dir, 'b.lmtrace')).equals(readFileSync(a))).toBe(true);
  });

  it('reads a hand-written trace with "a-b" runs and no end line', () => {
    const dir = tempDir();
    const path = join(dir, 'hand.ndjson');
    writeFileSync(path, [
      JSON.stringify({ format: 'livemig-trace', version: 1, pageSizeBytes: 4096, pages: 100, intervalMs: 100, method: 'hand', changedBytes: false, source: {}, host: {} }),
      JSON.stringify({ startUs: 0, durationUs: 100000, pages: [1, '5-9', 20] }),
      '',
      JSON.stringify({ startUs: 100000, durationUs: 100000, pages: [] }),
    ].join('\n'));
    const { intervals } = readAll(path);
    expect(intervals.map((iv) => Array.from(iv.pages))).toEqual([[1, 5, 6, 7, 8, 9, 20], []]);
  });

  it('refuses a bad line with its line number and byte offset', () => {
    const dir = tempDir();
    const path = join(dir, 'bad.ndjson');
    const head = JSON.stringify({ format: 'livemig-trace', version: 1, pageSizeBytes: 4096, pages: 100, intervalMs: 100, method: 'hand', changedBytes: false, source: {}, host: {} });
    const line2 = JSON.stringify({ startUs: 0, durationUs: 100000, pages: [1] });
    writeFileSync(path, `${head}\n${line2}\n{"startUs":1,"durationUs":5,"pages":[100]}\n`);
    expectFormatError(path, head.length + 1 + line2.length + 1, /line 3: page 100 is outside 0..99/);
    writeFileSync(path, `${head}\n${line2.slice(0, 20)}`);
    expectFormatError(path, head.length + 1, /line 2: not valid JSON/);
    writeFileSync(path, `${head}\n${line2}\n{"end":{"intervals":2,"pageWrites":1}}\n`);
    expectFormatError(path, head.length + 1 + line2.length + 1, /end line counts 2 intervals/);
    writeFileSync(path, head.replace('"pages":100', '"pages":0'));
    expectFormatError(path, 0, /line 1: header "pages" is 0/);
  });

  it('the NDJSON writer marks runs of three or more pages as "a-b"', () => {
    const dir = tempDir();
    const path = join(dir, 'o.ndjson');
    const w = new NdjsonTraceWriter(path, header({ pages: 100, changedBytes: false }));
    w.write({ startUs: 0, durationUs: 10, pages: Uint32Array.of(1, 2, 4, 5, 6, 9) });
    w.close();
    expect(readFileSync(path, 'utf8').split('\n')[1]).toBe('{"startUs":0,"durationUs":10,"pages":[1,2,"4-6",9]}');
  });
});
