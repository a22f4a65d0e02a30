/**
 * The header of a livemig dirty-page trace: what was recorded, how, where. The on-disk layout is in
 * docs/trace-format.md; this file is the one place that knows the header's fields and their ranges.
 */
import { MAX_PAGES } from '../core/page-store.js';

/** The format version this code writes; readers refuse other versions. */
export const TRACE_VERSION = 1;
/** The `format` field of every header (binary and NDJSON). */
export const TRACE_FORMAT_NAME = 'livemig-trace';

/** How the pages of a trace were found to be written. */
export const TRACE_METHODS = ['soft-dirty', 'content', 'synthetic', 'hand'] as const;
export type TraceMethod = (typeof TRACE_METHODS)[number];

/** One part of the recorded address space: a run of the trace's page numbers and the mapping they came from. */
export interface TraceRegion {
  /** First trace page number of the region. */
  firstPage: number;
  pages: number;
  /** Virtual address of the region's first page, as hex ("0x7f12..."), when recorded from a process. */
  address?: string;
  /** The mapping's pathname column in /proc/PID/maps ("[heap]", a file, or "" for anonymous memory). */
  name?: string;
  /** Index of the interval in which the region first appeared (0 = present from the start). */
  sinceInterval?: number;
}

export interface TraceHeader {
  format: typeof TRACE_FORMAT_NAME;
  version: number;
  /** Bytes per page; the page numbers below count pages of this size. */
  pageSizeBytes: number;
  /** Size of the trace's page space: every page number is below this. */
  pages: number;
  /** The nominal interval between scans in milliseconds (each interval also carries its measured times). */
  intervalMs: number;
  method: TraceMethod;
  /** True when every interval lists the number of changed bytes of each page written (the content method). */
  changedBytes: boolean;
  /** What was recorded: the command line or pid and a free-form description. */
  source: { command?: string[]; pid?: number; description?: string };
  /** The machine it was recorded on (free-form: hostname, kernel, arch, cpus, memory, THP mode). */
  host: Record<string, string | number>;
  /** ISO 8601 time of the first scan (absent in synthetic traces, which must be byte-for-byte reproducible). */
  recordedAt?: string;
  regions?: TraceRegion[];
  /** Anything else a reader should know: caveats, the recorder's overhead. */
  notes?: Record<string, unknown>;
}

/** Page sizes a trace may use: powers of two from 512 B to 1 GiB. */
export const PAGE_SIZE_RANGE = { min: 512, max: 2 ** 30 } as const;

/**
 * Checks a parsed header; returns it typed, or a sentence saying what is wrong (the caller adds file and offset).
 */
export function checkHeader(value: unknown): TraceHeader | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the header is not a JSON object';
  const h = value as Record<string, unknown>;
  if (h['format'] !== TRACE_FORMAT_NAME) return `header "format" is ${JSON.stringify(h['format'])}, expected "${TRACE_FORMAT_NAME}"`;
  if (h['version'] !== TRACE_VERSION) return `header "version" is ${JSON.stringify(h['version'])}; this livemig reads version ${TRACE_VERSION}`;
  const ps = h['pageSizeBytes'];
  if (typeof ps !== 'number' || !Number.isInteger(ps) || ps < PAGE_SIZE_RANGE.min || ps > PAGE_SIZE_RANGE.max || (ps & (ps - 1)) !== 0) {
    return `header "pageSizeBytes" is ${JSON.stringify(ps)}, expected a power of two from ${PAGE_SIZE_RANGE.min} to ${PAGE_SIZE_RANGE.max}`;
  }
  const pages = h['pages'];
  if (typeof pages !== 'number' || !Number.isInteger(pages) || pages < 1 || pages > MAX_PAGES) {
    return `header "pages" is ${JSON.stringify(pages)}, expected an integer from 1 to ${MAX_PAGES}`;
  }
  const iv = h['intervalMs'];
  if (typeof iv !== 'number' || !Number.isFinite(iv) || iv <= 0 || iv > 3_600_000) {
    return `header "intervalMs" is ${JSON.stringify(iv)}, expected a number of milliseconds > 0 and <= 3600000`;
  }
  if (!TRACE_METHODS.includes(h['method'] as TraceMethod)) {
    return `header "method" is ${JSON.stringify(h['method'])}, expected one of ${TRACE_METHODS.join(', ')}`;
  }
  if (typeof h['changedBytes'] !== 'boolean') return `header "changedBytes" is ${JSON.stringify(h['changedBytes'])}, expected true or false`;
  if (typeof h['source'] !== 'object' || h['source'] === null) return 'header "source" is missing, expected an object';
  if (typeof h['host'] !== 'object' || h['host'] === null) return 'header "host" is missing, expected an object';
  return h as unknown as TraceHeader;
}
