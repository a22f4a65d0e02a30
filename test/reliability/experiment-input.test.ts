/**
 * Issue 9, experiment files and CSV: paths that are not regular files are refused at once, nesting is limited,
 * null means nothing, seeds never wrap, prototype names are never paths, spreadsheet formulas are neutralised.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExperimentError } from '../../src/errors/experiment-error.js';
import { LivemigError } from '../../src/errors/livemig-error.js';
import { MAX_EXPERIMENT_BYTES, checkExperiment, jsonDepth, loadExperiment } from '../../src/experiments/load.js';
import { csvField } from '../../src/report/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'livemig-exp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusedAt(json: unknown, path: string, accepted: RegExp): void {
  let err: unknown;
  try {
    checkExperiment(json, 'x.json');
  } catch (e) {
    err = e;
  }
  expect(err, JSON.stringify(json)).toBeInstanceOf(ExperimentError);
  expect((err as Error).message).toContain(path);
  expect((err as Error).message).toMatch(accepted);
}

describe('experiment files that are not regular files are refused at once', () => {
  it('a FIFO (which used to block forever, deaf to SIGTERM)', () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    expect(() => loadExperiment(fifo)).toThrow(/not a regular file: a FIFO/);
  });

  it('/dev/zero (which used to be read for 16.8 GB)', () => {
    expect(() => loadExperiment('/dev/zero')).toThrow(/not a regular file: a device/);
  });

  it('a directory', () => {
    expect(() => loadExperiment(dir)).toThrow(/not a regular file: a directory|EISDIR/);
  });

  it('a file above the size cap', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, ' '.repeat(MAX_EXPERIMENT_BYTES + 1));
    expect(() => loadExperiment(big)).toThrow(new RegExp(`at most ${MAX_EXPERIMENT_BYTES}`));
  });

  it('200,000 nested [ (which used to overflow the stack: an internal error)', () => {
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, '['.repeat(200_000));
    let err: unknown;
    try {
      loadExperiment(deep);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LivemigError);
    expect((err as Error).message).toMatch(/nested 200000 levels deep; .* at most 64/);
  });

  it('depth is counted outside strings only', () => {
    expect(jsonDepth('{"a": "[[[[{{{{", "b": [[1]], "c": "\\"["}')).toBe(3);
  });
});

describe('null and prototype names mean nothing in experiment files', () => {
  it('a null axis value is refused (it ran the default and was recorded as null)', () => {
    refusedAt({ name: 'x', axes: { memoryBytes: [64 * 2 ** 20, null] } }, '$.axes.memoryBytes[1]', /null is not one/);
    refusedAt({ name: 'x', axes: { 'workload.writesPerSec': [null] } }, '$.axes["workload.writesPerSec"][0]', /null is not one/);
  });

  it('"base": null, "axes": null and "policies": null are refused', () => {
    refusedAt({ name: 'x', base: null }, '$.base', /an object of scenario options/);
    refusedAt({ name: 'x', axes: null }, '$.axes', /an object mapping/);
    refusedAt({ name: 'x', policies: null }, '$.policies', /a non-empty list/);
  });

  it('seeds {start: 4294967295, count: 2} are refused (they wrapped to 0)', () => {
    refusedAt({ name: 'x', seeds: { start: 4294967295, count: 2 } }, '$.seeds.count', /from 1 to 1 .*at most 4294967295/);
    const e = checkExperiment({ name: 'x', seeds: { start: 4294967294, count: 2 } });
    expect(e.runs.map((r) => r.seed)).toStrictEqual([4294967294, 4294967295]);
  });

  it('unknown keys in seeds are refused (they were ignored)', () => {
    refusedAt({ name: 'x', seeds: { start: 1, count: 2, step: 5 } }, '$.seeds.step', /no such field \(fields: start, count\)/);
  });

  it('"workload.__proto__", "constructor" and "prototype" are never axis paths', () => {
    for (const path of ['workload.__proto__', 'constructor', 'workload.constructor', 'memoryBytes.prototype', '__proto__', 'workload.']) {
      refusedAt({ name: 'x', axes: { [path]: [1] } }, '$.axes', /never __proto__, constructor or prototype/);
    }
  });

  it('{"__proto__": …} and {"constructor": …} in base are refused by name (not "set it in [object Object]")', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const json = JSON.parse(`{"name": "x", "base": {"${key}": {"memoryBytes": 1}}}`) as unknown;
      refusedAt(json, `$.base.${key}`, /never __proto__, constructor or prototype/);
    }
    const nested = JSON.parse('{"name": "x", "base": {"workload": {"kind": "idle", "__proto__": {"x": 1}}}}') as unknown;
    expect(() => checkExperiment(nested)).toThrow(ExperimentError);
  });
});

describe('CSV cells are neutralised (OWASP CSV injection)', () => {
  it.each(['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx'])('%j gets a leading quote', (text) => {
    const cell = csvField(text);
    expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
  });

  it('numbers and ordinary text are written as they are', () => {
    expect(csvField(-1)).toBe('-1');
    expect(csvField('qemu+auto-converge')).toBe('qemu+auto-converge');
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('=x,y')).toBe(`"'=x,y"`);
  });
});
