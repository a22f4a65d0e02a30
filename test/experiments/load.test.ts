import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ExperimentError } from '../../src/errors/experiment-error.js';
import { LivemigError } from '../../src/errors/livemig-error.js';
import { checkExperiment, loadExperiment } from '../../src/experiments/load.js';
import { experimentJsonSchema } from '../../src/experiments/schema.js';

const ROOT = join(import.meta.dirname, '..', '..');

function errorOf(json: unknown): ExperimentError {
  try {
    checkExperiment(json, 'exp.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ExperimentError);
    return e as ExperimentError;
  }
  throw new Error('expected an ExperimentError');
}

describe('experiment files: malformed input names the JSON path, the value and what is accepted', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', [1], '$', /a JSON object/],
    ['missing name', { axes: {} }, '$.name', /non-empty string/],
    ['unknown top-level field', { name: 'x', axis: {} }, '$.axis', /no such field/],
    ['negative bandwidth on an axis', { name: 'x', axes: { bandwidthBytesPerSec: [1e9, -5] } }, '$.axes.bandwidthBytesPerSec[1]', />= 1 B\/s/],
    ['text where a number belongs, nested axis', { name: 'x', axes: { 'workload.writesPerSec': [1000, 'fast'] } }, '$.axes["workload.writesPerSec"][1]', /pages\/s.*or a number in page writes\/s/],
    ['axis on an unknown option', { name: 'x', axes: { warpFactor: [1] } }, '$.axes.warpFactor', /option path/],
    ['axis with no values', { name: 'x', axes: { seedless: [] } }, '$.axes.seedless', /option path/],
    ['empty axis list', { name: 'x', axes: { vcpus: [] } }, '$.axes.vcpus', /non-empty list/],
    ['bad hot fraction in base', { name: 'x', base: { workload: { kind: 'hot-cold', writesPerSec: 5, hotFraction: 7 } } }, '$.base.workload.hotFraction', /<= 1/],
    ['policy field in base', { name: 'x', base: { algorithm: 'xen' } }, '$.base.algorithm', /policies/],
    ['page size not a power of two', { name: 'x', base: { pageSize: 3000 } }, '$.base.pageSize', /power of two/],
    ['VM too large for the core', { name: 'x', base: { memoryBytes: 2 ** 46 } }, '$.base.memoryBytes', /Wasm memory/],
    ['unknown policy', { name: 'x', policies: ['xen+magic'] }, '$.policies[0]', /ALGORITHM\[\{option=value,...\}\]\[\+CONTROLLER/],
    ['bad controller parameter', { name: 'x', policies: [{ algorithm: 'qemu', controller: { name: 'cpu-scheduling', targetRound: 1 } }] }, '$.policies[0].controller.targetRound', />= 2/],
    ['unknown algorithm in a policy object', { name: 'x', policies: [{ algorithm: 'vmware' }] }, '$.policies[0].algorithm', /one of qemu/],
    ['duplicate policy label', { name: 'x', policies: ['xen', 'xen'] }, '$.policies[1]', /label/],
    ['bad seed', { name: 'x', seeds: [1, -2] }, '$.seeds[1]', /integer/],
    ['bad seed count', { name: 'x', seeds: { start: 1, count: 0 } }, '$.seeds.count', /integer from 1/],
  ];
  for (const [what, json, path, accepted] of cases) {
    it(what, () => {
      const e = errorOf(json);
      expect(e.path).toBe(path);
      expect(e.message).toContain(`exp.json: invalid ${path}`);
      expect(e.accepted).toMatch(accepted);
    });
  }

  it('a file that is not JSON is refused with the parser message, and a missing file clearly', () => {
    expect(() => loadExperiment(join(ROOT, 'package-lock.json.missing'))).toThrow(/cannot read the experiment file \(ENOENT\)/);
    expect(() => loadExperiment(join(ROOT, 'README.md'))).toThrow(LivemigError);
  });
});

describe('experiment expansion', () => {
  const e = checkExperiment({
    name: 'grid',
    base: { memoryBytes: 16 * 2 ** 20 },
    axes: { bandwidthBytesPerSec: [1e8, 1e9], 'workload.writesPerSec': [10, 20, 30] },
    seeds: { start: 7, count: 2 },
    policies: ['xen', 'qemu+auto-converge', { label: 'jin-4', algorithm: 'xen', controller: { name: 'cpu-scheduling', targetRound: 4 } }],
  });

  it('is the cartesian product: axes in file order (first outermost), then seeds, then policies', () => {
    expect(e.runs).toHaveLength(2 * 3 * 2 * 3);
    const expected: string[] = [];
    for (const bw of [1e8, 1e9]) for (const w of [10, 20, 30]) for (const seed of [7, 8]) for (const p of ['xen', 'qemu+auto-converge', 'jin-4']) expected.push(`${bw}/${w}/${seed}/${p}`);
    expect(e.runs.map((r) => `${r.params['bandwidthBytesPerSec']}/${r.params['workload.writesPerSec']}/${r.seed}/${r.policy}`)).toEqual(expected);
    expect(e.runs.map((r) => r.index)).toEqual(e.runs.map((_, i) => i));
    expect(new Set(e.runs.map((r) => r.id)).size).toBe(e.runs.length);
  });

  it('puts each point into the run options (a nested axis starts from the default workload)', () => {
    const r = e.runs[6]!; // bandwidth 1e8, writes 20, seed 7, first policy
    expect(r.options.bandwidthBytesPerSec).toBe(1e8);
    expect(r.options.workload).toMatchObject({ kind: 'hot-cold', writesPerSec: 20 });
    expect(r.options.seed).toBe(7);
    expect(r.options.algorithm).toBe('xen');
    expect(r.options.memoryBytes).toBe(16 * 2 ** 20);
    expect(e.runs[2]!.options.controller).toEqual({ name: 'cpu-scheduling', targetRound: 4 });
  });

  it('has a fingerprint that changes with anything that changes the runs, and not otherwise', () => {
    const a = { name: 'f', axes: { vcpus: [1, 2] }, policies: ['xen'] };
    expect(checkExperiment(a).fingerprint).toBe(checkExperiment(structuredClone(a)).fingerprint);
    expect(checkExperiment({ ...a, description: 'words' }).fingerprint).toBe(checkExperiment(a).fingerprint);
    expect(checkExperiment({ ...a, axes: { vcpus: [1, 3] } }).fingerprint).not.toBe(checkExperiment(a).fingerprint);
    expect(checkExperiment({ ...a, seeds: [2] }).fingerprint).not.toBe(checkExperiment(a).fingerprint);
    expect(checkExperiment({ ...a, policies: ['qemu'] }).fingerprint).not.toBe(checkExperiment(a).fingerprint);
  });
});

describe('the published JSON Schema', () => {
  it('is what `livemig schema` generates (no drift between the file and the rules)', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'schema', 'experiment.schema.json'), 'utf8')) as unknown;
    expect(file).toEqual(experimentJsonSchema());
  });

  it('accepts every shipped experiment, and an independent validator (ajv) rejects what the loader rejects', () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    const validate = ajv.compile(experimentJsonSchema());
    for (const f of readdirSync(join(ROOT, 'experiments')).filter((n) => n.endsWith('.json'))) {
      const json = JSON.parse(readFileSync(join(ROOT, 'experiments', f), 'utf8')) as unknown;
      expect(validate(json), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(() => checkExperiment(json, f)).not.toThrow();
    }
    for (const bad of [
      { name: 'x', axes: { bandwidthBytesPerSec: [-1] } },
      { name: 'x', base: { workload: { kind: 'hot-cold', writesPerSec: 5, hotFraction: 7 } } },
      { name: 'x', policies: ['xen+magic'] },
      { name: 'x', base: { pageSize: 100 } },
      { name: 'x', bogus: 1 },
      { name: 'x', axes: { 'workload.hotFraction': [0.5, 2] } },
      { name: 'x', axes: { warpFactor: [1] } },
    ]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
      expect(() => checkExperiment(bad)).toThrow(ExperimentError);
    }
  });
});

describe('experiment size and combinations', () => {
  it('checks every combination of axis values, naming the point that fails', () => {
    const e = errorOf({ name: 'x', axes: { memoryBytes: [64 * 2 ** 20, 64 * 2 ** 20 + 4096], pageSize: [4096, 2 ** 20] } });
    expect(e.path).toBe('$.axes');
    expect(e.message).toContain('"memoryBytes":67112960,"pageSize":1048576');
    expect(e.accepted).toMatch(/memoryBytes a whole number of 1048576 B pages/);
  });

  it('refuses more than a million runs before expanding them, and expands large sweeps without stack trouble', () => {
    const many = Array.from({ length: 1001 }, (_, i) => i + 1);
    expect(errorOf({ name: 'x', axes: { seed: [1] } }).path).toBe('$.axes.seed');
    const big = errorOf({ name: 'x', axes: { vcpus: many.slice(0, 1000), 'workload.writesPerSec': many }, policies: ['xen'] });
    expect(big.path).toBe('$.axes');
    expect(big.accepted).toMatch(/at most 1000000 runs/);
    const ok = checkExperiment({ name: 'x', axes: { 'workload.writesPerSec': many, populatedFraction: Array.from({ length: 200 }, (_, i) => i / 200) } });
    expect(ok.runs).toHaveLength(1001 * 200);
  });
});
