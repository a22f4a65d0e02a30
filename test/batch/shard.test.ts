import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { formatShard, inShard, parseShard, selectShard, toShard } from '../../src/batch/shard.js';
import { VARIED } from './helpers.js';

describe('--shard i/n', () => {
  const runs = checkExperiment(VARIED).runs;

  it('for n = 1..5 the shards are disjoint, cover the sweep, and shard i holds index % n === i - 1', () => {
    expect(runs.length).toBe(36);
    for (let n = 1; n <= 5; n++) {
      const seen = new Map<number, number>();
      for (let i = 1; i <= n; i++) {
        const shard = parseShard(`${i}/${n}`);
        expect(shard).toEqual({ index: i, count: n });
        const picked = selectShard(runs, shard);
        expect(picked.length).toBeGreaterThan(0);
        for (const r of picked) {
          expect(r.index % n).toBe(i - 1);
          expect(seen.has(r.index), `run ${r.index} in shards ${seen.get(r.index)} and ${i} of ${n}`).toBe(false);
          seen.set(r.index, i);
        }
        // Every run with the right residue is picked, in sweep order.
        expect(picked.map((r) => r.index)).toEqual(runs.map((r) => r.index).filter((x) => x % n === i - 1));
      }
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(runs.map((r) => r.index));
    }
  });

  it('accepts spaces around the numbers and prints as i/n', () => {
    expect(parseShard(' 3 / 7 ')).toEqual({ index: 3, count: 7 });
    expect(formatShard({ index: 3, count: 7 })).toBe('3/7');
    expect(inShard(9, { index: 3, count: 7 })).toBe(true);
    expect(toShard(undefined)).toEqual({ index: 1, count: 1 });
    expect(toShard('2/2')).toEqual({ index: 2, count: 2 });
  });

  it.each(['', '1', '0/3', '4/3', '1/0', '-1/3', '1.5/3', '1/3/4', 'a/b', '2of4', '1/2000000'])('rejects %j, naming --shard and the form', (text) => {
    let err: unknown;
    try {
      parseShard(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect((err as Error).message).toMatch(/^invalid --shard: .*; expected i\/n: whole numbers with 1 ≤ i ≤ n/);
  });

  it('rejects a bad shard object from library callers', () => {
    expect(() => toShard({ index: 0, count: 2 })).toThrow(/invalid shard: /);
    expect(() => toShard({ index: 1.5, count: 2 })).toThrow(InvalidOptionError);
  });
});
