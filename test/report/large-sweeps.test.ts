import { describe, expect, it } from 'vitest';
import { axisScale } from '../../src/report/axes.js';

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
