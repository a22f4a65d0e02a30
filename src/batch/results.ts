import { closeSync, existsSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from './record.js';
import { SweepError } from '../errors/sweep-error.js';
import { recordProblem } from './validate-record.js';

/** The files of a sweep's output directory. */
export const RESULTS_FILE = 'results.ndjson';
export const MANIFEST_FILE = 'manifest.json';

const CHUNK_BYTES = 4 << 20;

/** A complete line of a results file (its text, 1-based line number and byte range, newline excluded). */
interface Line {
  text: string;
  number: number;
  start: number;
  end: number;
}

/**
 * Calls `onLine` for every newline-terminated line of `file`, reading it in chunks (results files can be far
 * larger than a JavaScript string). Returns the byte length of the complete lines: a last line without its
 * newline (a write torn by a kill) is not passed to `onLine` and lies after that length.
 */
export function forEachLine(file: string, onLine: (line: Line) => void): { completeBytes: number; totalBytes: number } {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let pending: Buffer[] = [];
    let pos = 0;
    let lineStart = 0;
    let number = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK_BYTES, pos);
      if (n === 0) break;
      let from = 0;
      for (;;) {
        const nl = buf.indexOf(10, from);
        if (nl === -1 || nl >= n) break;
        const piece = buf.subarray(from, nl);
        const text = pending.length === 0 ? piece.toString('utf8') : Buffer.concat([...pending, piece]).toString('utf8');
        pending = [];
        const end = pos + nl;
        onLine({ text, number: ++number, start: lineStart, end });
        lineStart = end + 1;
        from = nl + 1;
      }
      if (from < n) pending.push(Buffer.from(buf.subarray(from, n)));
      pos += n;
    }
    return { completeBytes: lineStart, totalBytes: pos };
  } finally {
    closeSync(fd);
  }
}

/** A directory holding results.ndjson, or the file itself. */
export function resultsFileOf(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, RESULTS_FILE) : path;
}

export interface ReadOptions {
  /**
   * Which records keep their rounds and timeline (default all); the others get empty arrays. Every line is
   * still validated in full.
   */
  detail?: (record: RunRecord) => boolean;
}

/**
 * Reads the records of one or more sweeps (an output directory or a results.ndjson file each; several for the
 * shards of one sweep), sorted by run index. Records are written in the order runs finish, which depends on
 * the number of workers and on timing, so consumers should always read them through this function (or sort
 * by `index`). A torn last line (a sweep killed mid-write) is ignored; any other bad line is an error. All
 * records must come from one experiment (same fingerprint); a run found twice is kept once.
 */
export function readResults(paths: string | readonly string[], options: ReadOptions = {}): RunRecord[] {
  const detail = options.detail;
  const byIndex = new Map<number, RunRecord>();
  let fingerprint: string | undefined;
  let fingerprintFile = '';
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    const file = resultsFileOf(path);
    if (!existsSync(file)) throw new SweepError(`${file}: no such results file`);
    forEachLine(file, ({ text, number }) => {
      if (text.trim() === '') return;
      const record = parseRecord(text, file, number);
      if (fingerprint === undefined) {
        fingerprint = record.fingerprint;
        fingerprintFile = file;
      } else if (record.fingerprint !== fingerprint) {
        throw new SweepError(
          `${file}:${number}: a run of another experiment (fingerprint ${short(record.fingerprint)}, ` +
            `not ${short(fingerprint)} as in ${fingerprintFile}); results of different experiments cannot be mixed`,
        );
      }
      if (byIndex.has(record.index)) return;
      // Rounds and timelines are most of a record's size: kept only where asked, so a results file of many
      // gigabytes reads in the memory of its summaries.
      if (detail !== undefined && !detail(record)) {
        record.rounds = [];
        record.timeline = [];
        // Strings JSON.parse returns can be slices of the line they came from, keeping all of it alive: the
        // stripped record is parsed again from its own (small) text.
        byIndex.set(record.index, JSON.parse(JSON.stringify(record)) as RunRecord);
        return;
      }
      byIndex.set(record.index, record);
    });
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

function parseRecord(text: string, file: string, number: number): RunRecord {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (e) {
    throw new SweepError(`${file}:${number}: not a JSON line (${(e as Error).message}); only the last line may be torn`);
  }
  const r = record as Partial<RunRecord> | null;
  if (r === null || typeof r !== 'object' || r.format !== 'livemig-run/1') {
    throw new SweepError(`${file}:${number}: not a livemig run record (format "livemig-run/1")`);
  }
  const problem = recordProblem(r);
  if (problem !== null) throw new SweepError(`${file}:${number}: a damaged run record (${problem}); only the last line may be torn`);
  return r as RunRecord;
}

/** What a resumed sweep needs from its results file: the runs already there. */
export interface ResultsScan {
  /** Indexes of the runs recorded (each once). */
  indexes: Set<number>;
  /** Complete lines. */
  lines: number;
  /** Lines recording a run already recorded above (kept in the file; readResults keeps one). */
  duplicates: number;
  /** Bytes of a torn last line, dropped from the file (0 if none). */
  droppedBytes: number;
}

// The head of a line written by toRunRecord + JSON.stringify: format, experiment, fingerprint, index, in order.
const HEAD = /^\{"format":"livemig-run\/1","experiment":"(?:[^"\\]|\\.)*","fingerprint":"([0-9a-f]*)","index":(\d+),/;

/**
 * Scans a sweep's results file for resuming: truncates a torn last line, checks every line is a run of the
 * experiment `fingerprint` (only the head of each line is parsed when it has the usual shape), and returns
 * the runs present.
 */
export function scanResults(file: string, fingerprint: string, expected: (index: number) => boolean): ResultsScan {
  const scan: ResultsScan = { indexes: new Set(), lines: 0, duplicates: 0, droppedBytes: 0 };
  if (!existsSync(file)) return scan;
  const { completeBytes, totalBytes } = forEachLine(file, ({ text, number }) => {
    if (text.trim() === '') return;
    let fp: string;
    let index: number;
    const m = HEAD.exec(text.slice(0, 1024));
    if (m && text.endsWith('}')) {
      fp = m[1]!;
      index = Number(m[2]);
    } else {
      const r = parseRecord(text, file, number);
      fp = r.fingerprint;
      index = r.index;
    }
    if (fp !== fingerprint) {
      throw new SweepError(`${file}:${number}: a run of another experiment (fingerprint ${short(fp)}, expected ${short(fingerprint)})`);
    }
    if (!expected(index)) throw new SweepError(`${file}:${number}: run p${index} is not part of this sweep (or of its shard)`);
    scan.lines++;
    if (scan.indexes.has(index)) scan.duplicates++;
    else scan.indexes.add(index);
  });
  if (totalBytes > completeBytes) {
    truncateSync(file, completeBytes);
    scan.droppedBytes = totalBytes - completeBytes;
  }
  return scan;
}

function short(fingerprint: string): string {
  return `${fingerprint.slice(0, 12)}…`;
}
