import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toRunRecord, type RunRecord } from '../../src/batch/record.js';
import { readResults, scanResults } from '../../src/batch/results.js';
import { SweepError } from '../../src/errors/sweep-error.js';
import { migrate } from '../../src/api/migrate.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { VARIED, tempDir } from './helpers.js';

const experiment = checkExperiment({ ...VARIED, axes: { 'workload.writesPerSec': [1000, 30000] }, policies: ['qemu'] });
const records: RunRecord[] = experiment.runs.map((r) => JSON.parse(JSON.stringify(toRunRecord(experiment, r, migrate(r.options)))) as RunRecord);
const line = (r: RunRecord) => `${JSON.stringify(r)}\n`;

describe('readResults', () => {
  const dir = tempDir();

  it('returns the records sorted by index, from a directory or a file, ignoring a torn last line', () => {
    expect(records.length).toBe(4);
    const file = join(dir, 'results.ndjson');
    writeFileSync(file, [3, 0, 2].map((i) => line(records[i]!)).join('') + line(records[1]!).slice(0, 100));
    const before = readFileSync(file, 'utf8');
    expect(readResults(dir).map((r) => r.index)).toEqual([0, 2, 3]);
    expect(readResults(file)).toEqual([records[0], records[2], records[3]]);
    expect(readFileSync(file, 'utf8')).toBe(before); // reading never changes the file
  });

  it('merges the directories of several shards and keeps a run found twice once', () => {
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    writeFileSync(a, line(records[2]!) + line(records[0]!));
    writeFileSync(b, line(records[1]!) + line(records[3]!) + line(records[0]!));
    expect(readResults([a, b])).toEqual(records);
  });

  it('refuses a bad line that is not the last, and records of another experiment', () => {
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${line(records[0]!)}{"torn\n${line(records[1]!)}`);
    expect(() => readResults(bad)).toThrow(SweepError);
    expect(() => readResults(bad)).toThrow(/bad\.ndjson:2: not a JSON line/);
    const other = join(dir, 'other.ndjson');
    writeFileSync(other, line(records[0]!) + line({ ...records[1]!, fingerprint: 'f'.repeat(64) }));
    expect(() => readResults(other)).toThrow(/other\.ndjson:2: a run of another experiment/);
    expect(() => readResults(join(dir, 'missing'))).toThrow(/no such results file/);
  });
});

describe('scanResults (resume)', () => {
  const dir = tempDir();

  it('finds the runs recorded and drops a torn last line from the file', () => {
    const file = join(dir, 'results.ndjson');
    const whole = line(records[1]!) + line(records[3]!);
    writeFileSync(file, whole);
    appendFileSync(file, line(records[0]!).slice(0, 57));
    const scan = scanResults(file, experiment.fingerprint, () => true);
    expect([...scan.indexes].sort()).toEqual([1, 3]);
    expect(scan.droppedBytes).toBe(57);
    expect(readFileSync(file, 'utf8')).toBe(whole);
  });

  it('refuses runs of another experiment or outside the shard', () => {
    const file = join(dir, 'r2.ndjson');
    writeFileSync(file, line(records[0]!) + line(records[1]!));
    expect(() => scanResults(file, 'a'.repeat(64), () => true)).toThrow(/r2\.ndjson:1: a run of another experiment/);
    expect(() => scanResults(file, experiment.fingerprint, (i) => i % 2 === 0)).toThrow(/r2\.ndjson:2: run p1 is not part of this sweep/);
  });
});
