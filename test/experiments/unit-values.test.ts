import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { experimentJsonSchema } from '../../src/experiments/schema.js';
import { ExperimentError } from '../../src/errors/experiment-error.js';

const GiB = 1024 ** 3;

const withStrings = {
  name: 'units',
  base: { memoryBytes: '256MiB', maxTimeMs: '30s', downtimeLimitMs: '300ms', maxBandwidthBytesPerSec: '10Gbit/s', workload: { kind: 'hot-cold', writesPerSec: '100MiB/s' } },
  axes: { bandwidthBytesPerSec: ['1Gbit/s', 250_000_000], 'workload.hotFraction': [0.1] },
};
const withNumbers = {
  name: 'units',
  base: { memoryBytes: 256 * 1024 ** 2, maxTimeMs: 30_000, downtimeLimitMs: 300, maxBandwidthBytesPerSec: 1.25e9, workload: { kind: 'hot-cold', writesPerSec: 25_600 } },
  axes: { bandwidthBytesPerSec: [125_000_000, 250_000_000], 'workload.hotFraction': [0.1] },
};

describe('experiment files take the CLI unit strings, by the option table unit kinds', () => {
  it('reads "256MiB", "30s", "10Gbit/s", "100MiB/s" in base and on axes as the same runs as base-unit numbers', () => {
    const a = checkExperiment(withStrings);
    const b = checkExperiment(withNumbers);
    expect(a.runs.map((r) => r.options)).toEqual(b.runs.map((r) => r.options));
    expect(a.runs.map((r) => r.params)).toEqual([{ bandwidthBytesPerSec: 125e6, 'workload.hotFraction': 0.1 }, { bandwidthBytesPerSec: 250e6, 'workload.hotFraction': 0.1 }]);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(checkExperiment({ name: 'x', base: { memoryBytes: '8GiB' } }).runs[0]!.options.memoryBytes).toBe(8 * GiB);
  });

  it.each([
    [{ base: { maxTimeMs: '60' } }, '$.base.maxTimeMs', /add a unit|duration such as 300ms.*or a number in ms/],
    [{ base: { bandwidthBytesPerSec: '1 Gbits' } }, '$.base.bandwidthBytesPerSec', /rate such as 1Gbit\/s.*or a number in B\/s/],
    [{ axes: { memoryBytes: ['1GiB', '2 lots'] } }, '$.axes.memoryBytes[1]', /size such as 8GiB/],
  ])('refuses a bad unit string %j at its JSON path', (part, path, accepted) => {
    let err: unknown;
    try {
      checkExperiment({ name: 'x', ...part });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExperimentError);
    expect((err as ExperimentError).path).toBe(path);
    expect((err as ExperimentError).accepted).toMatch(accepted);
  });

  it('the JSON Schema accepts the unit strings and refuses a bare-number string', () => {
    const ajv = new Ajv2020.default({ strict: false });
    const validate = ajv.compile(experimentJsonSchema());
    expect(validate(withStrings), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ name: 'x', base: { maxTimeMs: '60' } })).toBe(false);
  });
});
