import { InvalidOptionError } from '../errors/invalid-option-error.js';

/**
 * A deterministic slice of a sweep: shard `index` of `count` (1-based) holds the runs whose
 * `index % count === index - 1`. The shards 1/n … n/n of one sweep are disjoint and together hold every run,
 * whatever machine or scheduler runs each.
 */
export interface Shard {
  /** 1-based: 1 ≤ index ≤ count. */
  index: number;
  count: number;
}

/** The whole sweep. */
export const WHOLE: Shard = Object.freeze({ index: 1, count: 1 });

/** Largest shard count accepted (a sweep has at most a million runs). */
export const MAX_SHARDS = 1_000_000;

const ACCEPTED = `i/n: whole numbers with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, e.g. 2/4 for the second of four shards`;

/** Parses "i/n" (e.g. "2/4"); `field` names the flag or option in the error. */
export function parseShard(text: string, field = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InvalidOptionError(field, text, ACCEPTED);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS || index < 1 || index > count) throw new InvalidOptionError(field, text, ACCEPTED);
  return { index, count };
}

/** Checks a shard given as an object (library callers) or as "i/n". */
export function toShard(shard: Shard | string | undefined, field = 'shard'): Shard {
  if (shard === undefined) return WHOLE;
  if (typeof shard === 'string') return parseShard(shard, field);
  const { index, count } = shard;
  const ok = Number.isInteger(index) && Number.isInteger(count) && count >= 1 && count <= MAX_SHARDS && index >= 1 && index <= count;
  if (!ok) throw new InvalidOptionError(field, shard, `{ index, count } with ${ACCEPTED}`);
  return { index, count };
}

/** "2/4". */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** Whether run `runIndex` (0-based, its place in the whole sweep) belongs to `shard`. */
export function inShard(runIndex: number, shard: Shard): boolean {
  return runIndex % shard.count === shard.index - 1;
}

/** The items of `shard`, in order; each item's `index` is its place in the whole sweep. */
export function selectShard<T extends { index: number }>(items: readonly T[], shard: Shard): T[] {
  return items.filter((r) => inShard(r.index, shard));
}

export function sameShard(a: Shard, b: Shard): boolean {
  return a.index === b.index && a.count === b.count;
}
