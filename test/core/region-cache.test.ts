import { describe, expect, it } from 'vitest';
import type { PageStore, TouchMode } from '../../src/core/page-store.js';
import { ReferencePageStore } from '../../src/core/reference-page-store.js';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { offsetMap } from '../../src/core/page-map.js';
import { bit, counters, mulberry32, storeMismatches } from '../helpers/stores.js';

// The core keeps the clean count of the regions its writers use (assembly/index.ts, "Region cache") and a
// summary of the words with clean pages; the twin keeps the same slots. Both must take the same decisions
// (state equal after every call) and every kept count must equal a count of the clean pages made from the
// bitmaps (a page is clean when it is not in all of ring, log and populated), whatever the call order:
// writers reusing a few regions (some overlapping), syncs that keep the rings, ring resets, sequential and
// listed writes, populating.

/** Clean pages of [start, start + count), counted from the store's bitmaps. */
function naiveClean(s: PageStore, start: number, count: number): number {
  let n = 0;
  for (let p = start; p < start + count; p++) if (!(bit(s.ringLog, p) && bit(s.dirtyLog, p) && bit(s.populated, p))) n++;
  return n;
}

function run(pages: number, seed: number, mode: TouchMode, steps: number): number {
  const wasm = new WasmPageStore(pages);
  const ref = new ReferencePageStore(pages);
  wasm.setTouchMode(mode);
  ref.setTouchMode(mode);
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  // A few fixed regions, reused: a hot/cold pair, the whole memory (overlaps both), and a middle slice.
  const hot = { start: 0, count: Math.floor(pages / 20) };
  const cold = { start: hot.count, count: pages - hot.count };
  const all = { start: 0, count: pages };
  const mid = { start: Math.floor(pages / 3), count: Math.floor(pages / 3) };
  const regions = [hot, cold, all, mid];
  let checked = 0;
  const both = <T>(label: string, op: (s: PageStore) => T): T => {
    const got = op(wasm);
    expect(got, label).toStrictEqual(op(ref));
    expect(counters(wasm), label).toStrictEqual(counters(ref));
    expect(storeMismatches(wasm, ref), label).toStrictEqual([]);
    for (const r of regions) {
      const kept = wasm.keptClean(r.start, r.count);
      expect(ref.keptClean(r.start, r.count), `${label}: twin's kept count`).toBe(kept);
      if (kept >= 0) {
        expect(kept, `${label}: kept count of [${r.start}, +${r.count})`).toBe(naiveClean(ref, r.start, r.count));
        checked++;
      }
    }
    return got;
  };
  both('seed', (s) => s.seedStream(0, seed));
  both('populate', (s) => s.populateSpread(0, pages, Math.floor(pages / 2), pages, 0));
  both('mark', (s) => s.markAllToSend());
  let cursor = 0;
  for (let step = 0; step < steps; step++) {
    const op = int(12);
    const k = [1, 10, 200, 5 * pages, int(2 * pages)][int(5)]!;
    if (op < 5) both(`#${step} hot/cold ${k}`, (s) => s.touchHotCold(0, hot.start, hot.count, cold.start, cold.count, 0xe6666666, k));
    else if (op < 7) {
      const r = regions[int(4)]!;
      both(`#${step} uniform ${k}`, (s) => s.touchUniform(0, r.start, r.count, k));
    } else if (op === 7) both(`#${step} sync`, (s) => s.syncDirtyLog(true));
    else if (op === 8) both(`#${step} sync keeping the rings`, (s) => s.syncDirtyLog(false));
    else if (op === 9) both(`#${step} ring reset`, (s) => s.resetRing());
    else if (op === 10) {
      const from = cursor;
      const n = int(pages);
      cursor = both(`#${step} sequential`, (s) => s.touchSequential(mid.start, mid.count, from, n));
    } else {
      const list = Uint32Array.from({ length: 1 + int(50) }, () => int(pages));
      both(`#${step} listed writes`, (s) => s.touchPages(list, offsetMap(0, pages)));
    }
  }
  return checked;
}

describe('region cache: kept clean counts are exact and both stores decide alike', () => {
  for (const mode of ['auto', 'sample'] as const) {
    for (const [pages, seed] of [[3000, 1], [20_000, 2], [70_001, 3]] as const) {
      it(`${pages} pages, seed ${seed}, touch mode ${mode}`, () => {
        expect(run(pages, seed, mode, 150)).toBeGreaterThan(50);
      });
    }
  }
});

describe('populateSpread: the word-at-a-time core sets the bits of the per-page rule', () => {
  // Periodic masks (k/n = 1/2, 3/8, 1/64 give periods of 1, 1 and 1 word), a long period (k/n near 1/3 of a
  // prime-sized n) and the degenerate k = n, k = 1, over ranges cut at random offsets.
  const rnd = mulberry32(9);
  for (const [pages, kOf] of [
    [300_000, (n: number) => n / 2], [300_000, (n: number) => (3 * n) / 8], [262_144, (n: number) => n / 64],
    [299_993, (n: number) => Math.floor(n / 3)], [100_003, (n: number) => n], [100_003, () => 1], [50_000, (n: number) => n - 1],
  ] as const) {
    it(`${pages} pages, k = ${kOf(pages)} of ${pages}`, () => {
      const n = pages;
      const k = Math.floor(kOf(n));
      const wasm = new WasmPageStore(pages);
      const ref = new ReferencePageStore(pages);
      let a = 0;
      let b = 0;
      for (let p = 0; p < pages;) {
        const q = Math.min(pages, p + 1 + Math.floor(rnd() * pages * 0.4));
        a = wasm.populateSpread(p, q, k, n, a);
        b = ref.populateSpread(p, q, k, n, b);
        expect(a).toBe(b);
        p = q;
      }
      expect(storeMismatches(wasm, ref)).toStrictEqual([]);
      expect(ref.countBits('populated')).toBe(k);
    });
  }
});
