/**
 * The binary trace file's framing: an 12-byte prefix (magic, version) and then records, each
 * `type (u8) | payload length (u32 LE) | CRC-32 of the payload (u32 LE) | payload`. Every record can be
 * checked on its own, so a reader finds a truncated or corrupt file at the record where it breaks.
 */

/** "\x89LMTRACE": the high first byte catches 7-bit transfers, the text catches a wrong file. */
export const TRACE_MAGIC = Uint8Array.from([0x89, 0x4c, 0x4d, 0x54, 0x52, 0x41, 0x43, 0x45]);
/** Magic plus the u32 version. */
export const PREFIX_BYTES = 12;
/** Type byte, length, CRC. */
export const RECORD_HEADER_BYTES = 9;

/** Record types. */
export const RECORD = {
  /** The header, UTF-8 JSON, stored uncompressed (readable with `head -c`). Always the first record. */
  header: 0x48, // 'H'
  /** A block of intervals: raw DEFLATE (RFC 1951) of a varint interval count and the encoded intervals. */
  intervals: 0x49, // 'I'
  /** The end: UTF-8 JSON totals. A file without it was cut short. Always the last record. */
  end: 0x45, // 'E'
} as const;

/** Largest payload a reader accepts (a corrupt length field must not make it allocate gigabytes). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** Largest decompressed interval block a reader accepts (the writer stays far below). */
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;
/** The writer compresses a block once its encoded intervals reach this size [REC: a few hundred KiB compress as well as a whole file]. */
export const BLOCK_TARGET_BYTES = 256 * 1024;

/** Totals in the end record, checked against what the reader counted. */
export interface TraceEnd {
  intervals: number;
  /** Sum over intervals of the pages written in each. */
  pageWrites: number;
  /** End of the last interval, microseconds since the first scan. */
  endUs: number;
}
