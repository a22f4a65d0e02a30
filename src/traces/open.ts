import { extname } from 'node:path';
import { BinaryTraceReader, isBinaryTrace, type TraceSource } from './reader.js';
import { NdjsonTraceReader, NdjsonTraceWriter } from './ndjson.js';
import { TraceWriter, type TraceHeaderInput } from './writer.js';
import type { TraceInterval } from './interval.js';

/** Opens a trace of either form, told apart by the binary magic bytes. */
export function openTrace(path: string): TraceSource {
  return isBinaryTrace(path) ? new BinaryTraceReader(path) : new NdjsonTraceReader(path);
}

/** The forms a trace can be written in. */
export type TraceForm = 'binary' | 'ndjson';

/** The form a file name implies: .ndjson and .jsonl are NDJSON, anything else binary. */
export function formForPath(path: string): TraceForm {
  const ext = extname(path).toLowerCase();
  return ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : 'binary';
}

export interface TraceSink {
  write(iv: TraceInterval): void;
  close(update?: Partial<TraceHeaderInput>): { intervals: number };
}

export function createTraceWriter(path: string, header: TraceHeaderInput, form: TraceForm = formForPath(path)): TraceSink {
  return form === 'ndjson' ? new NdjsonTraceWriter(path, header) : new TraceWriter(path, header);
}

/** Every interval of `source`, then closes it (also when the caller stops early). */
export function* intervalsOf(source: TraceSource): Generator<TraceInterval> {
  try {
    for (let iv = source.next(); iv; iv = source.next()) yield iv;
  } finally {
    source.close();
  }
}
