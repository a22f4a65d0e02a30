import { describe, expect, it } from 'vitest';
import type { PageStore, TouchMode } from '../../src/core/page-store.js';
import { MAX_STREAMS } from '../../src/core/page-store.js';
import { ReferencePageStore } from '../../src/core/reference-page-store.js';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { runMigration } from '../../src/api/migrate.js';
import { ALGORITHMS } from '../../src/model/algorithms.js';
import type { WorkloadSpec } from '../../src/model/workloads.js';
import { bit, counters, MiB, mulberry32, resolveTest, storeMismatches, type TestOptions } from '../helpers/stores.js';

// The Wasm core (assembly/index.ts) and the plain-TS ReferencePageStore claim the exact same semantics, call for
// call. Both are driven through identical call sequences; after every call the return value, every counter, every
// bitmap and (with tracing) every stamp array must agree.

const NC = 4104; // QEMU wire cost of a 4 KiB page (8 B header + 4096 B)
const ZC = 9; // QEMU zero page

/** Both stores side by side; `call` runs one operation on each and checks that nothing observable differs. */
class Twin {
  readonly wasm: WasmPageStore;
  readonly ref: ReferencePageStore;
  ops = 0;
  constructor(readonly pages: number, readonly trace: boolean, mode: TouchMode = 'auto') {
    this.wasm = new WasmPageStore(pages, trace);
    this.ref = new ReferencePageStore(pages, trace);
    this.wasm.setTouchMode(mode);
    this.ref.setTouchMode(mode);
  }
  /** Pages sent so far (normal + zero), as both stores reported them. */
  sends = 0;
  call<T>(label: string, op: (s: PageStore) => T): T {
    this.ops++;
    const a = op(this.wasm);
    const b = op(this.ref);
    expect(a, `${label}: return value`).toStrictEqual(b);
    expect(counters(this.wasm), `${label}: counters`).toStrictEqual(counters(this.ref));
    expect(storeMismatches(this.wasm, this.ref), `${label}: state`).toStrictEqual([]);
    if (label.includes('scan') || label.includes('burst')) this.sends += this.ref.lastNormal() + this.ref.lastZero();
    return a;
  }
}

const SIZES = [1000, 4096 + 37, 64];
const SEEDS = [1, 0xdeadbeef, 20250101];

/** The scripted sequence: every export, with the edge cases named in the brief. */
function scripted(t: Twin, seed: number): void {
  const N = t.pages;
  t.call('seed stream 0', (s) => s.seedStream(0, seed));
  t.call('seed stream 1', (s) => s.seedStream(1, (seed ^ 0x5bd1e995) >>> 0));
  t.call('seed last stream', (s) => s.seedStream(MAX_STREAMS - 1, (seed + 7) >>> 0));
  t.call('seed stream 2 with 0', (s) => s.seedStream(2, 0));
  t.call('populate prefix (not word-aligned)', (s) => s.populatePrefix(Math.floor(N * 0.6) + 3));
  t.call('mark all to send', (s) => s.markAllToSend());

  // Sends before any write: zero and populated pages, budgets that run out mid-word.
  let cursor = 0;
  for (const budget of [NC * 5 + 1, NC * 3, 1, ZC * 40 + 2, NC * 64 + 17]) {
    cursor = t.call(`scan from ${cursor} budget ${budget}`, (s) => s.scanSend(cursor, N, budget, NC, ZC, false));
  }
  t.call('scan with zero budget', (s) => s.scanSend(cursor, N, 0, NC, ZC, false));
  t.call('scan with cursor == end', (s) => s.scanSend(17, 17, 1e9, NC, ZC, false));
  t.call('scan with cursor > end', (s) => s.scanSend(40, 20, 1e9, NC, ZC, false));
  t.call('scan an unaligned window', (s) => s.scanSend(Math.min(N - 1, 70), Math.min(N, 131), NC * 7 + 5, NC, ZC, false));

  // Writes of every kind.
  t.call('uniform over all', (s) => s.touchUniform(0, 0, N, Math.floor(N / 2)));
  t.call('uniform over a sub-range', (s) => s.touchUniform(1, 3, Math.max(1, N - 10), 97));
  t.call('uniform k = 0', (s) => s.touchUniform(0, 0, N, 0));
  t.call('uniform on the last stream', (s) => s.touchUniform(MAX_STREAMS - 1, N - 1, 1, 5));
  const hot = Math.max(1, Math.floor(N / 20));
  for (const hp of [0, 1, 0x80000000, 0xe6666666, 0xfffffffe, 0xffffffff]) {
    t.call(`hot-cold hotProb ${hp}`, (s) => s.touchHotCold(1, 0, hot, hot, N - hot, hp, 211));
  }
  t.call('hot-cold with an empty cold range', (s) => s.touchHotCold(2, N - hot, hot, N - 1, 0, 0x40000000, 50));
  t.call('hot-cold k = 0', (s) => s.touchHotCold(2, 0, hot, hot, N - hot, 0x40000000, 0));
  // Sequential: wrap-around (twice), from the region's last page, and k = 0.
  const seqCount = Math.max(1, N - 10);
  let c = t.call('sequential wrapping twice', (s) => s.touchSequential(5, seqCount, seqCount - 3, 2 * seqCount + 5));
  expect(c).toBe((seqCount - 3 + 2 * seqCount + 5) % seqCount);
  c = t.call('sequential from the cursor', (s) => s.touchSequential(5, seqCount, c, 33));
  t.call('sequential k = 0', (s) => s.touchSequential(5, seqCount, c, 0));
  t.call('sequential over one page', (s) => s.touchSequential(N - 1, 1, 0, 4));

  // Skip rule while the log is full, then a sync, then the skip rule again with a partly-set log.
  cursor = 0;
  for (const budget of [NC * 2 + 1, NC * 9, NC * 63 + 1, ZC]) {
    cursor = t.call(`skipDirty scan from ${cursor} budget ${budget}`, (s) => s.scanSend(cursor, N, budget, NC, ZC, true));
  }
  t.call('sync', (s) => s.syncDirtyLog());
  t.call('sync again (empty log)', (s) => s.syncDirtyLog());
  t.call('dirty a few pages', (s) => s.touchUniform(0, 0, N, Math.max(3, Math.floor(N / 8))));
  cursor = 0;
  while (cursor < N) {
    cursor = t.call(`skipDirty pass from ${cursor}`, (s) => s.scanSend(cursor, N, NC * 13 + 1, NC, ZC, true));
  }
  t.call('sync after the skipping pass', (s) => s.syncDirtyLog());
  // A full pass in small bursts without the skip rule, with writes between bursts.
  cursor = 0;
  let i = 0;
  while (cursor < N) {
    cursor = t.call(`burst ${i}`, (s) => s.scanSend(cursor, N, NC * 20 + 3, NC, ZC, false));
    t.call(`writes after burst ${i}`, (s) => s.touchHotCold(0, 0, hot, hot, N - hot, 0xcccccccc, 17));
    i++;
  }
  t.call('sync', (s) => s.syncDirtyLog());
  t.call('final unbounded scan', (s) => s.scanSend(0, N, Number.POSITIVE_INFINITY, NC, ZC, false));
  expect(t.wasm.countBits('toSend')).toBe(0);
}

/** A random call sequence drawn from an independent PRNG. */
function fuzz(t: Twin, seed: number, steps: number): void {
  const N = t.pages;
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  for (let s = 0; s < 4; s++) t.call(`seed ${s}`, (st) => st.seedStream(s, (seed * 31 + s) >>> 0));
  const populated = int(N + 1);
  t.call('populate', (st) => st.populatePrefix(populated));
  t.call('mark', (st) => st.markAllToSend());
  const seqCursor = [0, 0];
  let scanCursor = 0;
  for (let step = 0; step < steps; step++) {
    const op = int(7);
    if (op === 0) {
      const start = int(N);
      const count = 1 + int(N - start);
      const k = int(3 * N);
      const stream = int(4);
      t.call(`#${step} uniform`, (st) => st.touchUniform(stream, start, count, k));
    } else if (op === 1) {
      const hs = int(N);
      const hc = 1 + int(N - hs);
      const cs = int(N);
      const cc = int(N - cs + 1);
      const hp = [0, 0xffffffff, (rnd() * 2 ** 32) >>> 0][int(3)]!;
      const k = int(2 * N);
      const stream = int(4);
      t.call(`#${step} hot-cold`, (st) => st.touchHotCold(stream, hs, hc, cs, cc, hp, k));
    } else if (op === 2) {
      const which = int(2);
      const start = which === 0 ? 0 : Math.floor(N / 3);
      const count = N - start;
      const k = int(3 * N);
      seqCursor[which] = t.call(`#${step} sequential`, (st) => st.touchSequential(start, count, seqCursor[which]!, k));
    } else if (op === 3) {
      if (rnd() < 0.5) t.call(`#${step} sync`, (st) => st.syncDirtyLog());
      else t.call(`#${step} ring reset`, (st) => st.resetRing());
    } else {
      // scans dominate: continue from the last cursor, or restart, with a varied end and budget
      if (scanCursor >= N || rnd() < 0.2) scanCursor = int(N);
      const end = rnd() < 0.7 ? N : scanCursor + int(N - scanCursor + 1);
      const budget = [0, 1, NC * (1 + int(100)) + int(NC), ZC * int(200), Number.POSITIVE_INFINITY][int(5)]!;
      const skip = rnd() < 0.5;
      const from = scanCursor;
      scanCursor = t.call(`#${step} scan [${from}, ${end}) budget ${budget} skip ${skip}`, (st) =>
        st.scanSend(from, end, budget, NC, ZC, skip));
    }
  }
}

describe('WasmPageStore matches ReferencePageStore call for call', () => {
  for (const pages of SIZES) {
    for (const seed of SEEDS) {
      for (const trace of [true, false]) {
        it(`scripted sequence: ${pages} pages, seed ${seed}, trace ${trace}`, () => {
          const t = new Twin(pages, trace);
          scripted(t, seed);
          expect(t.ops).toBeGreaterThan(40);
        });
      }
      // Both with and without tracing: the core may take different paths when it has no stamps to write; and
      // with each touch strategy forced, so that occupancy sampling is compared draw for draw too.
      for (const [trace, mode] of [[true, 'auto'], [false, 'auto'], [false, 'loop'], [false, 'sample']] as const) {
        it(`random sequence: ${pages} pages, seed ${seed}, trace ${trace}, touch mode ${mode}`, () => {
          const t = new Twin(pages, trace, mode);
          fuzz(t, seed, 400);
          // the sequence must have actually moved pages around for the comparison to mean anything
          expect(t.sends).toBeGreaterThan(0);
          expect(t.ref.countBits('populated')).toBeGreaterThan(0);
        });
      }
    }
  }

  it('populatePrefix after writes leaves already-written pages populated in both stores', () => {
    // The PageStore contract gives both implementations the same semantics. A write marks its page populated
    // (written since boot); marking a prefix populated must not unmark pages written before.
    const t = new Twin(200, false);
    t.call('seed', (s) => s.seedStream(0, 5));
    t.call('writes', (s) => s.touchUniform(0, 0, 200, 50));
    const written = t.ref.countBits('populated');
    expect(written).toBeGreaterThan(10);
    t.call('populate a prefix shorter than the written pages', (s) => s.populatePrefix(10));
    expect(t.wasm.countBits('populated')).toBeGreaterThanOrEqual(written);
  });
});

describe('scanSend over windows the whole-group path takes (budgets of 256 pages or more)', () => {
  // The core sends groups of four words at a time while a group surely fits; a group must never reach past the
  // window's end, wherever the window starts and ends within a group, and pages after it must stay to send.
  for (const seed of SEEDS) {
    it(`seed ${seed}: 300 windows of a 4133-page store, unbounded and large budgets, integer and fractional costs`, () => {
      const N = 4096 + 37;
      const t = new Twin(N, false);
      const rnd = mulberry32(seed);
      const int = (n: number): number => Math.floor(rnd() * n);
      t.call('seed', (s) => s.seedStream(0, seed));
      t.call('populate', (s) => s.populatePrefix(N >>> 1));
      for (let i = 0; i < 300; i++) {
        if (i % 10 === 0) {
          t.call(`#${i} mark all`, (s) => s.markAllToSend());
          t.call(`#${i} writes`, (s) => s.touchUniform(0, 0, N, 2000));
        }
        const from = int(N);
        const end = from + int(N - from + 1);
        const budget = [Number.POSITIVE_INFINITY, NC * (256 + int(1024)) + int(NC)][int(2)]!;
        const [nc, zc] = i % 3 === 0 ? [NC + 0.25, ZC + 0.5] : [NC, ZC];
        t.call(`#${i} scan [${from}, ${end}) budget ${budget} cost ${nc}`, (s) => s.scanSend(from, end, budget, nc, zc, false));
      }
      expect(t.sends).toBeGreaterThan(N);
    });
  }
});

describe('edge calls the engine never makes still agree and finish', () => {
  it('hot/cold writes with an empty range all go to the other range; an empty region takes no writes', () => {
    for (const mode of ['auto', 'loop', 'sample'] as const) {
      const t = new Twin(64, false, mode);
      t.call('seed', (s) => s.seedStream(0, 1));
      t.call('one page written', (s) => s.touchUniform(0, 0, 1, 1));
      t.call('sync', (s) => s.syncDirtyLog(true));
      // (this sequence used to leave page 0 written behind its region's kept count: the next sampled write never ended)
      expect(t.call('hot/cold, cold range empty', (s) => s.touchHotCold(0, 0, 1, 0, 0, 1, 7))).toBe(1);
      expect(t.call('again, nothing left to change', (s) => s.touchUniform(0, 0, 1, 1))).toBe(0);
      expect(t.call('hot/cold, hot range empty', (s) => s.touchHotCold(0, 5, 0, 10, 20, 0x80000000, 40))).toBeGreaterThan(0);
      expect(bit(t.wasm.dirtyLog, 5)).toBe(false);
      expect(t.call('an empty region', (s) => s.touchUniform(0, 30, 0, 100))).toBe(0);
      expect(bit(t.wasm.dirtyLog, 30)).toBe(false);
    }
  });

  it('a budget of 2^53 or more pages of the dearest cost ends (the page count capped before stepping down)', () => {
    const s = new WasmPageStore(8192);
    s.populatePrefix(8192);
    s.markAllToSend();
    expect(s.scanSend(1857, 5632, 1e300, 2 ** 53, 1, false)).toBe(5632);
    expect(s.lastNormal()).toBe(5632 - 1857);
  });
});

describe('occupancy sampling: every branch of the count draw agrees call for call', () => {
  // H = 20 000 clean pages: k = 500 takes exact jumps; k = H a normal count (≈ 7 358 pages missed); k = 6.5·H
  // a Poisson count of the ≈ 30 missed; then the same on a half-dirty region, and hot/cold splits with an exact
  // and a normal binomial. Each call runs after a ring reset or not, so clean sets of every density occur.
  const H = 20_000;
  for (const seed of SEEDS) {
    it(`seed ${seed}`, () => {
      const t = new Twin(H + 100, false, 'sample');
      t.call('seed', (s) => s.seedStream(0, seed));
      t.call('populate', (s) => s.populatePrefix(H / 2));
      for (const k of [500, H, 6.5 * H, 3 * H, 20, Math.round(H / 3)]) {
        t.call(`uniform k = ${k}`, (s) => s.touchUniform(0, 50, H, k));
        t.call(`hot/cold k = ${k}`, (s) => s.touchHotCold(0, 50, H / 10, 50 + H / 10, H - H / 10, 0xe6666666, k));
        t.call(`hot/cold rare hot k = ${k}`, (s) => s.touchHotCold(0, 50, H / 10, 50 + H / 10, H - H / 10, 20_000, k));
        if (k % 2 === 0) t.call('sync and reset', (s) => s.syncDirtyLog(true));
        else t.call('ring reset', (s) => s.resetRing());
      }
    });
  }
});

describe('the draw buffer: writes and rejection picks at its chunk edges agree call for call', () => {
  // The lean loops and the rejection picker draw up to 2048 pages into a buffer, then write them; the picker's
  // chunks never exceed the pages still to pick, so it makes exactly the draws of a one-at-a-time loop. Counts
  // on either side of one and two chunks, with the rings following the log and parted from it (after a reset).
  const H = 1 << 16;
  for (const ringsParted of [false, true]) {
    it(`loops and picks of 2047 to 4097 pages, rings ${ringsParted ? 'parted from' : 'following'} the log`, () => {
      for (const mode of ['loop', 'sample'] as const) {
        const t = new Twin(H, false, mode);
        t.call('seed', (s) => s.seedStream(0, 0x5eed));
        for (const k of [2047, 2048, 2049, 4095, 4096, 4097, 1]) {
          t.call(`sync k = ${k}`, (s) => s.syncDirtyLog(true));
          if (ringsParted) {
            t.call('dirty a share first', (s) => s.touchUniform(0, 0, H, H / 8));
            t.call('part the rings', (s) => s.resetRing());
          }
          t.call(`${mode} uniform k = ${k}`, (s) => s.touchUniform(0, 0, H, k));
          t.call(`${mode} hot/cold k = ${k}`, (s) => s.touchHotCold(0, 0, H / 16, H / 16, H - H / 16, 0xe6666666, k));
          // The next call draws from where the last left the stream: a draw too many or too few shows here.
          t.call(`${mode} after k = ${k}`, (s) => s.touchUniform(0, 7, 300, 5));
        }
      }
    });
  }
});

describe('scanSend budget rule, checked on both stores against the documented rule', () => {
  for (const kind of ['wasm', 'reference'] as const) {
    it(`${kind}: the page that crosses the budget is still sent, and the scan resumes at the next page to send`, () => {
      const s: PageStore = kind === 'wasm' ? new WasmPageStore(300) : new ReferencePageStore(300);
      s.populatePrefix(300);
      s.markAllToSend();
      // budget 5 pages + 1 byte: the 6th page crosses it
      let p = s.scanSend(10, 300, NC * 5 + 1, NC, ZC, false);
      expect([s.lastNormal(), s.lastBytes(), p]).toStrictEqual([6, 6 * NC, 16]);
      // a budget of exactly 3 pages sends 3 pages
      p = s.scanSend(p, 300, NC * 3, NC, ZC, false);
      expect([s.lastNormal(), p]).toStrictEqual([3, 19]);
      // budget runs out on the last page of a word: the cursor goes to the next word
      p = s.scanSend(60, 300, NC * 4, NC, ZC, false);
      expect([s.lastNormal(), p]).toStrictEqual([4, 64]);
      // from 0: pages 0..9 go, then the already-sent 10..18 are passed over for free; the cursor lands on 19
      p = s.scanSend(0, 300, NC * 10, NC, ZC, false);
      expect([s.lastNormal(), p]).toStrictEqual([10, 19]);
      expect(bit(s.toSend, 9)).toBe(false);
      expect(bit(s.toSend, 19)).toBe(true);
      // an unbounded scan of the rest sends every page still to send, once
      const left = s.countBits('toSend');
      p = s.scanSend(0, 300, Number.POSITIVE_INFINITY, NC, ZC, false);
      expect([s.lastNormal(), s.lastZero(), p, s.countBits('toSend')]).toStrictEqual([left, 0, 300, 0]);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// The whole engine on both stores: every algorithm, several workloads; the JSON reports must be identical.

const WORKLOADS: Record<string, WorkloadSpec | WorkloadSpec[]> = {
  idle: { kind: 'idle' },
  uniform: { kind: 'uniform', writesPerSec: 30_000 },
  'hot-cold': { kind: 'hot-cold', writesPerSec: 40_000, hotFraction: 0.1, hotProbability: 0.8 },
  sequential: { kind: 'sequential', writesPerSec: 20_000, regionStart: 0.25, regionSize: 0.5 },
  'three vcpus': [
    { kind: 'uniform', writesPerSec: 15_000, regionSize: 0.5 },
    { kind: 'compute' },
    { kind: 'hot-cold', writesPerSec: 25_000, regionStart: 0.5 },
  ],
};

function bothReports(options: TestOptions): { wasm: string; ref: string; w: WasmPageStore; r: ReferencePageStore } {
  const resolved = resolveTest(options);
  const w = new WasmPageStore(resolved.scenario.pages, resolved.trace);
  const r = new ReferencePageStore(resolved.scenario.pages, resolved.trace);
  const wasm = JSON.stringify(runMigration(resolveTest(options), w));
  const ref = JSON.stringify(runMigration(resolveTest(options), r));
  return { wasm, ref, w, r };
}

describe('runMigration gives the same report on the Wasm core and the TS reference', () => {
  const memories = [8 * MiB, (4096 + 37) * 4096];
  for (const algorithm of ALGORITHMS) {
    for (const [name, workload] of Object.entries(WORKLOADS)) {
      for (const [memoryBytes, trace] of [[memories[0]!, true], [memories[1]!, false]] as const) {
        it(`${algorithm}, ${name}, ${memoryBytes / 4096} pages, trace ${trace}`, () => {
          const { wasm, ref, w, r } = bothReports({
            algorithm, workload, memoryBytes, seed: 7, trace, maxTimeMs: 20_000,
            bandwidthBytesPerSec: 100e6,
          });
          expect(wasm).toBe(ref);
          expect(storeMismatches(w, r)).toStrictEqual([]);
          expect(JSON.parse(wasm).rounds.length).toBeGreaterThan(0);
        });
      }
    }
  }
  it('xen without the skip rule, a data-capped (cancelled) run and a different seed', () => {
    for (const extra of [
      { algorithm: 'xen', xenSkipRule: false, seed: 99 },
      { algorithm: 'qemu', maxDataBytes: 5 * MiB, seed: 3 },
      { algorithm: 'simgrid', seed: 0xffffffff, populatedFraction: 0.3 },
    ] as const) {
      for (const trace of [true, false]) {
        const { wasm, ref } = bothReports({ memoryBytes: 8 * MiB, workload: WORKLOADS['hot-cold']!, trace, ...extra });
        expect(wasm).toBe(ref);
      }
    }
  });
});

describe('dirty-ring entries', () => {
  it('a page written again counts again only after a ring reset, and the reset leaves the dirty log alone', () => {
    for (const store of [new Twin(256, false).wasm, new Twin(256, false).ref]) {
      store.seedStream(0, 7);
      expect(store.touchSequential(0, 100, 0, 100)).toBe(0);
      expect(store.lastFresh()).toBe(100);
      store.touchSequential(0, 100, 0, 100);
      expect(store.lastFresh()).toBe(0);
      store.resetRing();
      expect(store.countBits('ringLog')).toBe(0);
      expect(store.countBits('dirtyLog')).toBe(100);
      store.touchSequential(0, 100, 0, 40);
      expect(store.lastFresh()).toBe(40);
      expect(store.countBits('ringLog')).toBe(40);
    }
  });
});
