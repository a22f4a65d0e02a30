import { describe, expect, it } from 'vitest';
import { axisScale } from '../../src/report/axes.js';
import { scaleFor } from '../../src/report/run-charts.js';
import { formatTable } from '../../src/report/table.js';

// A 4 GB results file (138,000 runs) reached the report's chart code with one value per run: spreading them
// into Math.max overflowed the call stack (issue 9). The scale must come out as for a short list.
describe('axis scales of sweeps with very many runs', () => {
  it('picks the unit from the largest of 300,000 values', () => {
    const values = Array.from({ length: 300_000 }, (_, i) => 1e8 + i);
    expect(axisScale('bandwidthBytesPerSec', values)).toEqual(axisScale('bandwidthBytesPerSec', [1e8, 1e8 + 299_999]));
    expect(axisScale('bandwidthBytesPerSec', [...values, 2e9]).unit).toBe('Gbit/s');
    expect(axisScale('bandwidthBytesPerSec', [...values, Number.NaN]).unit).toBe('Mbit/s');
  });
});

describe('tables and scales of very many rows', () => {
  it('formats a table of 300,000 rows (a sweep summary) with the widths of its longest cells', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [String(i), i === 123_456 ? 'the longest cell' : 'x']);
    const lines = formatTable([{ title: 'n', align: 'right' }, { title: 'v', align: 'left' }], rows, { width: 40 }).split('\n');
    expect(lines).toHaveLength(300_001);
    expect(lines[0]).toBe(`${'n'.padStart(6)}  v`);
    expect(lines[123_457]).toBe('123456  the longest cell');
  });

  it('picks a log scale from 300,000 values spanning the log span', () => {
    const values = Array.from({ length: 300_000 }, (_, i) => 1 + i);
    expect(scaleFor(values)).toEqual(scaleFor([1, 300_000]));
  });
});
