/**
 * Human units on the command line: parsers that read flag values into the library's units (bytes,
 * bytes per second, milliseconds) and formatters that print them back. Units are case-sensitive on
 * purpose: `Mb` and `MB` differ by a factor of 8, so nothing is guessed.
 */
import { InvalidOptionError } from './errors/invalid-option-error.js';

/** 1 KiB, MiB, GiB, TiB in bytes (powers of 1024). */
export const KiB = 1024;
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
export const TiB = 1024 ** 4;

/** A non-negative decimal number, optionally with an exponent, then an optional unit. */
const QUANTITY = /^\s*((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(\S*)\s*$/;

/** Bytes per unit. */
const BYTE_UNITS = new Map<string, number>([
  ['', 1], ['B', 1],
  ['KiB', KiB], ['MiB', MiB], ['GiB', GiB], ['TiB', TiB],
  ['kB', 1e3], ['KB', 1e3], ['MB', 1e6], ['GB', 1e9], ['TB', 1e12],
]);

/** Bytes per second per unit; bit rates are divided by 8. */
const RATE_UNITS = new Map<string, number>([
  ['', 1], ['B/s', 1],
  ['KiB/s', KiB], ['MiB/s', MiB], ['GiB/s', GiB], ['TiB/s', TiB],
  ['kB/s', 1e3], ['KB/s', 1e3], ['MB/s', 1e6], ['GB/s', 1e9], ['TB/s', 1e12],
  ['bit/s', 1 / 8], ['kbit/s', 1e3 / 8], ['Kbit/s', 1e3 / 8], ['Mbit/s', 1e6 / 8], ['Gbit/s', 1e9 / 8], ['Tbit/s', 1e12 / 8],
  ['bps', 1 / 8], ['kbps', 1e3 / 8], ['Kbps', 1e3 / 8], ['Mbps', 1e6 / 8], ['Gbps', 1e9 / 8], ['Tbps', 1e12 / 8],
]);

/** Milliseconds per unit. */
const DURATION_UNITS = new Map<string, number>([
  ['', 1], ['us', 1e-3], ['µs', 1e-3], ['ms', 1], ['s', 1e3], ['min', 60e3], ['h', 3600e3],
]);

/** Page writes per second per unit. */
const PAGE_RATE_UNITS = new Map<string, number>([['pages/s', 1], ['page/s', 1]]);

const NO_UNIT = new Map<string, number>([['', 1]]);

export const ACCEPTED_BYTES =
  'a size such as 8GiB, 512MB or 4096: a non-negative number with B, KiB, MiB, GiB, TiB (powers of 1024) ' +
  'or kB, MB, GB, TB (powers of 1000); a bare number is bytes';
export const ACCEPTED_RATE =
  'a rate such as 1Gbit/s, 100Mbit/s or 128MiB/s: a non-negative number with bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s ' +
  '(or bps, kbps, Mbps, Gbps, Tbps), B/s, KiB/s, MiB/s, GiB/s, TiB/s or kB/s, MB/s, GB/s, TB/s; a bare number is bytes per second';
export const ACCEPTED_DURATION =
  'a duration such as 300ms, 1.5s or 2min: a non-negative number with us, ms, s, min or h; a bare number is milliseconds';
export const ACCEPTED_NUMBER = 'a non-negative decimal number such as 0.5 or 4';
export const ACCEPTED_WRITE_RATE =
  'a page write rate such as 25000pages/s, or a byte rate such as 100MiB/s (divided by the page size)';

/** Reads `text` as a non-negative number with one of `units` (a factor to the base unit); `flag` names it in errors. */
function parseQuantity(flag: string, text: string, units: ReadonlyMap<string, number>, accepted: string): number {
  const m = QUANTITY.exec(text);
  const factor = m ? units.get(m[2] ?? '') : undefined;
  if (!m || factor === undefined) throw new InvalidOptionError(flag, text, accepted);
  const value = Number(m[1]) * factor;
  if (!Number.isFinite(value)) throw new InvalidOptionError(flag, text, accepted);
  return value;
}

/** A plain non-negative number (fractions, counts, seeds); the library checks ranges and integrality. */
export function parseNumber(flag: string, text: string): number {
  return parseQuantity(flag, text, NO_UNIT, ACCEPTED_NUMBER);
}

/** A size in bytes: '8GiB', '512MB', '4096'. Must come to a whole number of bytes. */
export function parseBytes(flag: string, text: string): number {
  const bytes = parseQuantity(flag, text, BYTE_UNITS, ACCEPTED_BYTES);
  const whole = Math.round(bytes);
  // Decimal fractions like '1.1MB' carry float noise; anything further off is a fraction of a byte.
  if (Math.abs(bytes - whole) > 1e-9 * Math.max(1, bytes)) {
    throw new InvalidOptionError(flag, text, `a whole number of bytes; ${ACCEPTED_BYTES}`);
  }
  return whole;
}

/** A rate in bytes per second: '1Gbit/s' = 125e6, '128MiB/s' = 134217728. */
export function parseRate(flag: string, text: string): number {
  return parseQuantity(flag, text, RATE_UNITS, ACCEPTED_RATE);
}

/** A duration in milliseconds: '300ms', '1.5s', '2min'. */
export function parseDuration(flag: string, text: string): number {
  return parseQuantity(flag, text, DURATION_UNITS, ACCEPTED_DURATION);
}

/**
 * Page writes per second: '25000pages/s' as is, or a byte rate ('100MiB/s') divided by `pageSizeBytes`.
 * A bare number is refused: pages and bytes are both plausible readings.
 */
export function parseWriteRate(flag: string, text: string, pageSizeBytes: number): number {
  const unit = QUANTITY.exec(text)?.[2] ?? '';
  if (PAGE_RATE_UNITS.has(unit)) return parseQuantity(flag, text, PAGE_RATE_UNITS, ACCEPTED_WRITE_RATE);
  if (unit !== '' && RATE_UNITS.has(unit)) return parseQuantity(flag, text, RATE_UNITS, ACCEPTED_WRITE_RATE) / pageSizeBytes;
  throw new InvalidOptionError(flag, text, ACCEPTED_WRITE_RATE);
}

/** Three significant digits: '2.92', '12.5', '256'. */
function significant(x: number): string {
  return x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0);
}

/** Picks the largest unit not above `value` (the last one otherwise) and scales to it. */
function scaled(value: number, units: ReadonlyArray<readonly [string, number]>): [number, string] {
  for (const [name, size] of units) {
    if (value >= size) return [value / size, name];
  }
  const last = units[units.length - 1];
  return last ? [value / last[1], last[0]] : [value, ''];
}

const BINARY_SIZES = [['TiB', TiB], ['GiB', GiB], ['MiB', MiB], ['KiB', KiB], ['B', 1]] as const;
const DECIMAL_RATES = [['TB/s', 1e12], ['GB/s', 1e9], ['MB/s', 1e6], ['kB/s', 1e3], ['B/s', 1]] as const;
const BIT_RATES = [['Tbit/s', 1e12], ['Gbit/s', 1e9], ['Mbit/s', 1e6], ['kbit/s', 1e3], ['bit/s', 1]] as const;

/** '2.92 GiB', '12.5 MiB', and whole multiples without decimals: '4 GiB', '256 KiB', '512 B'. */
export function formatBytes(bytes: number): string {
  const [v, unit] = scaled(bytes, BINARY_SIZES);
  return `${Number.isInteger(v) ? v : significant(v)} ${unit}`;
}

/** '125.0 MB/s (1.00 Gbit/s)': decimal bytes, then bits as links are sold. */
export function formatRate(bytesPerSec: number): string {
  const [v, unit] = scaled(bytesPerSec, DECIMAL_RATES);
  const [bits, bitUnit] = scaled(bytesPerSec * 8, BIT_RATES);
  return `${v.toFixed(1)} ${unit} (${bits.toFixed(2)} ${bitUnit})`;
}

/** '310.2 ms', '25.13 s', '12 min 3 s', '2 h 5 min'. */
export function formatDuration(ms: number): string {
  if (ms < 1e3) return `${ms.toFixed(1)} ms`;
  if (ms < 60e3) return `${(ms / 1e3).toFixed(2)} s`;
  const totalSec = Math.round(ms / 1e3);
  if (totalSec < 3600) return `${Math.floor(totalSec / 60)} min ${totalSec % 60} s`;
  const totalMin = Math.round(totalSec / 60);
  return `${Math.floor(totalMin / 60)} h ${totalMin % 60} min`;
}

/** The shortest flag value that parseBytes reads back as exactly `bytes`: '4GiB', '256KiB', '1000B'. */
export function formatBytesExact(bytes: number): string {
  const unit = BINARY_SIZES.find(([, size]) => size > 1 && bytes >= size && bytes % size === 0);
  return unit ? `${bytes / unit[1]}${unit[0]}` : `${bytes}B`;
}

/** The flag value parseRate reads back as exactly `bytesPerSec`: '128MiB/s', '1Gbit/s', '1000B/s'. */
export function formatRateExact(bytesPerSec: number): string {
  const binary = BINARY_SIZES.find(([, size]) => size > 1 && bytesPerSec >= size && bytesPerSec % size === 0);
  if (binary) return `${bytesPerSec / binary[1]}${binary[0]}/s`;
  const bits = bytesPerSec * 8;
  const decimal = BIT_RATES.find(([, size]) => size > 1 && bits >= size && bits % size === 0);
  return decimal ? `${bits / decimal[1]}${decimal[0]}` : `${bytesPerSec}B/s`;
}

/** The flag value parseDuration reads back as exactly `ms`: '300ms', '600s'. */
export function formatDurationExact(ms: number): string {
  return ms >= 1e3 && ms % 1e3 === 0 ? `${ms / 1e3}s` : `${ms}ms`;
}
