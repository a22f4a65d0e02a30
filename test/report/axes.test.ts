import { describe, expect, it } from 'vitest';
import { axisLabel, axisScale, axisValueText, isGeometric, pointText } from '../../src/report/axes.js';
import { closest } from '../../src/model/suggest.js';
import { formatTable } from '../../src/report/table.js';

describe('sweep axes as users write them (from the option table flags)', () => {
  it.each([
    ['bandwidthBytesPerSec', 'bandwidth'],
    ['maxBandwidthBytesPerSec', 'max-bandwidth'],
    ['downtimeLimitMs', 'downtime-limit'],
    ['memoryBytes', 'memory'],
    ['workload.writesPerSec', 'write-rate'],
    ['workload.hotFraction', 'hot-fraction'],
    ['nothing.known', 'nothing.known'],
  ])('%s is %s', (path, label) => expect(axisLabel(path)).toBe(label));

  it('prints values as the flags take them, and charts them in units by kind', () => {
    expect(axisValueText('bandwidthBytesPerSec', 1.25e9)).toBe('10Gbit/s');
    expect(axisValueText('maxBandwidthBytesPerSec', 128 * 1024 ** 2)).toBe('128MiB/s');
    expect(axisValueText('downtimeLimitMs', 300)).toBe('300ms');
    expect(axisValueText('workload.writesPerSec', 60000)).toBe('60000pages/s');
    expect(pointText({ bandwidthBytesPerSec: 125e6, downtimeLimitMs: 30 })).toBe('bandwidth 1Gbit/s, downtime-limit 30ms');
    expect(axisScale('bandwidthBytesPerSec', [125e6, 1.25e9])).toEqual({ title: 'bandwidth (Gbit/s)', unit: 'Gbit/s', factor: 8 / 1e9 });
    expect(axisScale('memoryBytes', [2 ** 30]).title).toBe('memory (GiB)');
    expect(axisScale('workload.hotFraction', [0.1]).title).toBe('hot-fraction');
  });

  it('gives a log axis to a geometric series only', () => {
    expect(isGeometric([125e6, 250e6, 500e6, 1.25e9])).toBe(true);
    expect(isGeometric([10_000, 20_000, 40_000])).toBe(true);
    expect(isGeometric([30, 300])).toBe(true);
    expect(isGeometric([50e6, 125e6])).toBe(false);
    expect(isGeometric([1, 2, 3, 4, 5])).toBe(false);
    expect(isGeometric([0, 1, 10])).toBe(false);
    expect(isGeometric([7])).toBe(false);
  });
});

describe('did you mean', () => {
  it('finds slips (typos, transpositions, case), not unrelated words', () => {
    expect(closest('bandwith', ['bandwidth', 'memory'])).toBe('bandwidth');
    expect(closest('xne', ['xen', 'qemu', 'simgrid'])).toBe('xen');
    expect(closest('targetround', ['targetRound', 'minShare', 'target'])).toBe('targetRound');
    expect(closest('banana', ['xen', 'qemu', 'simgrid'])).toBeUndefined();
    expect(closest('xen', ['xen', 'qemu'])).toBeUndefined();
  });
});

describe('tables that fit', () => {
  const columns = [{ title: 'name', align: 'left' as const }, { title: 'aaaaaaaaaa', drop: 2 }, { title: 'bbbbbbbbbb', drop: 1 }, { title: 'c' }];
  const rows = [['x', '1', '2', '3']];
  it('drops the lowest-ranked columns until the table fits, and says so', () => {
    expect(formatTable(columns, rows).split('\n')[0]).toBe('name  aaaaaaaaaa  bbbbbbbbbb  c');
    const fitted = formatTable(columns, rows, { width: 20 }).split('\n');
    expect(fitted[0]).toBe('name  aaaaaaaaaa  c');
    expect(fitted.at(-1)).toBe('(1 column left out to fit 20 characters: bbbbbbbbbb; --wide shows all)');
    expect(formatTable(columns, rows, { width: 10 }).split('\n')[0]).toBe('name  c');
    expect(formatTable(columns, rows, { width: 200 })).toBe(formatTable(columns, rows));
  });
});
