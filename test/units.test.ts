import { describe, expect, it } from 'vitest';
import {
  formatBytes, formatBytesExact, formatDuration, formatDurationExact, formatRate, formatRateExact,
  MissingUnitError, parseBytes, parseDuration, parseNumber, parseRate, parseWriteRate,
} from '../src/units.js';
import { InvalidOptionError } from '../src/errors/index.js';

function rejection(parse: () => unknown): InvalidOptionError {
  try {
    parse();
  } catch (err) {
    if (err instanceof InvalidOptionError) return err;
    throw err;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('parseBytes', () => {
  it.each([
    ['8GiB', 8589934592],
    ['4KiB', 4096],
    ['512MB', 512e6],
    ['1TiB', 1024 ** 4],
    ['4096B', 4096],
    ['256 KiB', 262144],
    ['1.5KiB', 1536],
    ['1.1MB', 1_100_000],
    ['2kB', 2000],
    ['3KB', 3000],
    ['1GB', 1e9],
    ['2TB', 2e12],
    ['0', 0],
  ])('%s = %d bytes', (text, bytes) => {
    expect(parseBytes('--memory', text)).toBe(bytes);
  });

  it.each(['-1GiB', 'abc', '5 parsecs', '', ' ', 'NaN', 'Infinity', '1e999', '4gib', '4 G', '1.5B', '0x10', 'GiB', '1GiB2'])(
    'rejects %j naming the flag and the units',
    (text) => {
      const err = rejection(() => parseBytes('--memory', text));
      expect(err.field).toBe('--memory');
      expect(err.value).toBe(text);
      expect(err.message).toMatch(/^invalid --memory: .*GiB.*MB/);
    },
  );
});

describe('parseRate', () => {
  it.each([
    ['1Gbit/s', 125e6],
    ['10Gbit/s', 1.25e9],
    ['100Mbit/s', 12.5e6],
    ['128MiB/s', 134217728],
    ['125MB/s', 125e6],
    ['1.25GB/s', 1.25e9],
    ['8bit/s', 1],
    ['8kbit/s', 1000],
    ['1Gbps', 125e6],
    ['100Mbps', 12.5e6],
    ['1 KiB/s', 1024],
    ['4096B/s', 4096],
  ])('%s = %d bytes/s', (text, bytesPerSec) => {
    expect(parseRate('--bandwidth', text)).toBe(bytesPerSec);
  });

  it.each(['-5Gbit/s', 'fast', '1Gb', '1 gbit/s', '1GiB', '10 parsecs/s', ''])('rejects %j', (text) => {
    const err = rejection(() => parseRate('--bandwidth', text));
    expect(err.field).toBe('--bandwidth');
    expect(err.message).toContain('Gbit/s');
  });
});

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['1.5s', 1500],
    ['2min', 120_000],
    ['1h', 3_600_000],
    ['500us', 0.5],
    ['10 s', 10_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration('--downtime-limit', text)).toBe(ms);
  });

  it.each(['-1s', 'soon', '3 days', '1m', '1S'])('rejects %j', (text) => {
    const err = rejection(() => parseDuration('--downtime-limit', text));
    expect(err.field).toBe('--downtime-limit');
    expect(err.message).toContain('ms, s, min');
  });
});

describe('a bare number where a unit is needed', () => {
  it.each([
    [parseDuration, '--max-time', '60', '--max-time 60: add a unit, e.g. 60s or 60ms'],
    [parseBytes, '--memory', '4096', '--memory 4096: add a unit, e.g. 4096MiB or 4096GiB'],
    [parseRate, '--bandwidth', '10', '--bandwidth 10: add a unit, e.g. 10Gbit/s or 10MiB/s'],
  ] as const)('%o %s %s is refused with the fix in the message', (parse, flag, text, message) => {
    const err = rejection(() => parse(flag, text));
    expect(err).toBeInstanceOf(MissingUnitError);
    expect(err.field).toBe(flag);
    expect(err.message).toBe(message);
  });
  it('0 needs no unit (it is 0 in every unit), and { bare: true } reads a bare number in the base unit', () => {
    expect(parseDuration('--setup-time', '0')).toBe(0);
    expect(parseBytes('--device-state', '0')).toBe(0);
    expect(parseDuration('maxSleepMs', '2', { bare: true })).toBe(2);
  });
});

describe('parseNumber', () => {
  it.each([['0.5', 0.5], ['4', 4], ['.25', 0.25], ['1e3', 1000]])('%s = %d', (text, n) => {
    expect(parseNumber('--populated', text)).toBe(n);
  });
  it.each(['-0.5', 'half', '50%', ''])('rejects %j', (text) => {
    expect(rejection(() => parseNumber('--populated', text)).field).toBe('--populated');
  });
});

describe('parseWriteRate', () => {
  it.each([
    ['25000pages/s', 4096, 25000],
    ['25000 pages/s', 4096, 25000],
    ['1page/s', 4096, 1],
    ['100MiB/s', 4096, 25600],
    ['100MiB/s', 8192, 12800],
    ['1Gbit/s', 1000, 125000],
  ])('%s with %d B pages = %d pages/s', (text, pageSize, pagesPerSec) => {
    expect(parseWriteRate('--write-rate', text, pageSize)).toBe(pagesPerSec);
  });
  // A bare number could mean pages or bytes per second.
  it.each(['25000', '-5pages/s', 'lots', '5 pages'])('rejects %j', (text) => {
    const err = rejection(() => parseWriteRate('--write-rate', text, 4096));
    expect(err.field).toBe('--write-rate');
    expect(err.message).toContain('pages/s');
  });
});

describe('formatters', () => {
  it.each([
    [3138796861, '2.92 GiB'],
    [4 * 1024 ** 3, '4 GiB'],
    [262144, '256 KiB'],
    [12.5 * 1024 ** 2, '12.5 MiB'],
    [1023 * 1024 ** 2 + 5, '1023 MiB'],
    [512, '512 B'],
    [0, '0 B'],
  ])('formatBytes(%d) = %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [125e6, '125.0 MB/s (1.00 Gbit/s)'],
    [1.25e9, '1.3 GB/s (10.00 Gbit/s)'],
    [134217728, '134.2 MB/s (1.07 Gbit/s)'],
    [500, '500.0 B/s (4.00 kbit/s)'],
  ])('formatRate(%d) = %s', (bytesPerSec, text) => {
    expect(formatRate(bytesPerSec)).toBe(text);
  });

  it.each([
    [310.2, '310.2 ms'],
    [0.5, '0.5 ms'],
    [25130, '25.13 s'],
    [723_000, '12 min 3 s'],
    [719_600, '12 min 0 s'],
    [7_500_000, '2 h 5 min'],
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [4 * 1024 ** 3, '4GiB'],
    [4096, '4KiB'],
    [262144, '256KiB'],
    [1000, '1000B'],
    [6144, '6KiB'],
  ])('formatBytesExact(%d) = %s, which parses back', (bytes, text) => {
    expect(formatBytesExact(bytes)).toBe(text);
    expect(parseBytes('--x', text)).toBe(bytes);
  });

  it.each([
    [125e6, '1Gbit/s'],
    [134217728, '128MiB/s'],
    [12.5e6, '100Mbit/s'],
    [1000, '8kbit/s'],
    [3, '3B/s'],
    [0.1, '0.1B/s'],
  ])('formatRateExact(%d) = %s, which parses back', (bytesPerSec, text) => {
    expect(formatRateExact(bytesPerSec)).toBe(text);
    expect(parseRate('--x', text)).toBe(bytesPerSec);
  });

  it.each([[300, '300ms'], [600_000, '600s'], [10, '10ms'], [1500, '1500ms']])(
    'formatDurationExact(%d) = %s, which parses back',
    (ms, text) => {
      expect(formatDurationExact(ms)).toBe(text);
      expect(parseDuration('--x', text)).toBe(ms);
    },
  );
});
