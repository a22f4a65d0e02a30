import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { LivemigError } from '../errors/livemig-error.js';
import type { TraceSource } from './reader.js';

/**
 * How trace files are found and opened. Reading a file needs Node (node:fs, node:zlib), so the engine does not
 * import it: the Node entry points register it (src/traces/node-files.ts), and the browser entry, which has no
 * file system, leaves it out, so a `trace` workload there is a clear error rather than a Node import.
 */
export interface TraceFiles {
  /** The path a workload's `file` names (relative ones looked up in the working directory, then livemig's own). */
  locate(file: string): string;
  open(path: string): TraceSource;
  /** A small text file's contents (rate traces: linkTrace, backgroundTrace). */
  readText?(path: string): string;
}

let files: TraceFiles | null = null;

export function setTraceFiles(f: TraceFiles): void {
  files = f;
}

export function traceFiles(): TraceFiles {
  if (files === null) throw new LivemigError('a trace workload reads its trace file with Node: run it from the Node entry (livemig), not livemig/browser');
  return files;
}

/** The text of a rate-trace file named by option `field` (Node only; in the browser, give the trace inline). */
export function readTraceText(field: string, file: string): { path: string; text: string } {
  const f = files;
  if (f === null || f.readText === undefined) throw new LivemigError(`${field} names a file (${file}), which needs Node: run it from the Node entry (livemig), or give the trace inline as a list of points`);
  const path = f.locate(file);
  try {
    return { path, text: f.readText(path) };
  } catch (err) {
    throw new InvalidOptionError(field, file, `a readable CSV or JSON rate-trace file (${(err as Error).message})`);
  }
}
