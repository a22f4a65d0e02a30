import { describe, expect, it } from 'vitest';
import { ReferencePageStore } from '../../src/core/reference-page-store.js';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { WIRE_COUNTER_SLOTS, type PageStore } from '../../src/core/page-store.js';

// The core's scanSendWire (word-at-a-time fast path, per-page XBZRLE path) against its page-by-page TypeScript
// twin: the same cursor, counters, bitmaps and cache after every call of a random sequence.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('scanSendWire: Wasm core vs TypeScript twin', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random sequence, seed ${seed}`, () => {
      const pages = 3000 + seed * 17;
      const stores: PageStore[] = [new WasmPageStore(pages, seed % 2 === 0), new ReferencePageStore(pages, seed % 2 === 0)];
      const r = rng(seed);
      for (const s of stores) {
        s.seedStream(0, seed);
        s.populateSpread(0, pages, Math.floor(pages * 0.6), pages, 0);
        s.initXbzrle(256);
        s.setContent(0.4, seed * 99);
        s.markAllToSend();
      }
      let cursor = [0, 0];
      for (let step = 0; step < 60; step++) {
        const xb = step > 10 && r() < 0.7;
        const multifd = r() < 0.5;
        const costs = multifd ? [0, 4106.5, 1034.5, 10.5, 4106.5, 1034.5, 0, 4096, 4096] : [9, 4104, 4104, 9, 4104, 4104, 0, 0, 0];
        const budget = r() < 0.2 ? Infinity : 1 + r() * 400_000;
        const wireBudget = r() < 0.3 ? Infinity : 1 + r() * 400_000;
        const workBudget = r() < 0.5 ? Infinity : 1 + r() * 400_000;
        const changed = [0, 1, 64, 4096][Math.floor(r() * 4)]!;
        const writes = Math.floor(r() * 800);
        const gen = 2 + Math.floor(step / 5);
        const last = r() < 0.1;
        const outs = stores.map((s, i) => {
          s.touchUniform(0, 0, pages, writes);
          if (step % 7 === 6) s.syncDirtyLog(true);
          s.setWireCosts(costs);
          s.setXbzrle(xb, gen, last, changed, 4096, 11, 4096);
          let c = cursor[i]!;
          if (c >= pages) c = 0;
          c = s.scanSendWire(c, pages, budget, wireBudget, workBudget, step % 3 === 0);
          cursor[i] = c;
          return { c, counters: Array.from(s.wireCounters()).slice(0, WIRE_COUNTER_SLOTS).filter((_, k) => k !== 4 && k !== 5) };
        });
        expect(outs[0]).toStrictEqual(outs[1]);
        expect(Array.from(stores[0]!.toSend)).toStrictEqual(Array.from(stores[1]!.toSend));
        expect(Array.from(stores[0]!.xbzrleCache()!.addrs)).toStrictEqual(Array.from(stores[1]!.xbzrleCache()!.addrs));
        expect(Array.from(stores[0]!.xbzrleCache()!.ages)).toStrictEqual(Array.from(stores[1]!.xbzrleCache()!.ages));
        if (stores[0]!.lastSend) expect(Array.from(stores[0]!.lastSend!)).toStrictEqual(Array.from(stores[1]!.lastSend!));
      }
    });
  }
});
