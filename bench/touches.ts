import type { PageStore } from '../src/core/page-store.js';
import { ReferencePageStore } from '../src/core/reference-page-store.js';
import { WasmPageStore } from '../src/core/wasm-page-store.js';
import { WORKLOAD_TABLE } from '../src/model/workloads.js';
import { GiB } from '../src/units.js';

const DEFAULT_HOT_FRACTION = WORKLOAD_TABLE['hot-cold'].fields.hotFraction.default;
const DEFAULT_HOT_PROBABILITY = WORKLOAD_TABLE['hot-cold'].fields.hotProbability.default;
import { bytes, pct, si, sig } from './format.js';
import { compilerVersion, nativeTool, nativeTouch } from './native.js';
import type { BenchGroup, GroupResult, Row, TargetCheck } from './types.js';

/**
 * Group 1: page touches per second of the per-write loop, the Wasm core (WasmPageStore) against the same loop
 * in plain TypeScript (ReferencePageStore) and in C (bench/native/touch.c, `cc -O3`), on one store per VM size
 * allocated once. Each task call is one core call performing BATCH writes with PRNG stream 0. Both stores are
 * held to the 'loop' touch mode: this group measures the loop itself (occupancy sampling would skip most of
 * these writes once the bitmaps saturate; the switch and end-to-end groups measure that).
 */

const BATCH = 1_000_000;
const PAGE = 4096;
const SIZES = [4 * GiB, 64 * GiB, 256 * GiB];
/** Sizes at which the Wasm/TS ratio must reach TARGET_RATIO. */
const TARGET_FROM_BYTES = 64 * GiB;
const TARGET_RATIO = 3;
const TARGET_NATIVE = 0.9;
const NATIVE_CALLS = 3;
const ROUNDS = 9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}
/** Half the interquartile range over the median, percent: the spread of the paired samples. */
function spreadPct(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return (50 * (s[Math.floor(s.length * 0.75)]! - s[Math.floor(s.length * 0.25)]!)) / median(xs);
}
const SEED = 0x5eed;

interface Pattern {
  id: 'uniform' | 'hot-cold';
  touch(store: PageStore, pages: number): number;
}

const hotPages = (pages: number): number => Math.round(DEFAULT_HOT_FRACTION * pages);
const HOT_THRESHOLD = Math.round(DEFAULT_HOT_PROBABILITY * 2 ** 32);

const PATTERNS: Pattern[] = [
  { id: 'uniform', touch: (s, pages) => s.touchUniform(0, 0, pages, BATCH) },
  {
    id: 'hot-cold',
    touch: (s, pages) => {
      const hot = hotPages(pages);
      return s.touchHotCold(0, 0, hot, hot, pages - hot, HOT_THRESHOLD, BATCH);
    },
  },
];

/** Both stores give the same writes from the same seed (a guard that the baseline does the same work). */
function checkSameWork(wasm: PageStore, ref: PageStore, pattern: Pattern): number {
  wasm.seedStream(0, SEED);
  ref.seedStream(0, SEED);
  const a = pattern.touch(wasm, wasm.pages);
  const b = pattern.touch(ref, ref.pages);
  if (a !== b) throw new Error(`bench/touches: ${pattern.id} at ${wasm.pages} pages: Wasm dirtied ${a} pages, TS ${b}`);
  const x = wasm.dirtyLog;
  const y = ref.dirtyLog;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) throw new Error(`bench/touches: ${pattern.id}: dirty logs differ at word ${i}`);
  }
  wasm.syncDirtyLog(true);
  ref.syncDirtyLog(true);
  return a;
}

let sink = 0;

export const touches: BenchGroup = {
  id: 'touches',
  title: 'Page touches per second: Wasm core vs plain-TypeScript reference',
  run(): GroupResult {
    const rows: Row[] = [];
    const targets: TargetCheck[] = [];
    for (const memoryBytes of SIZES) {
      const pages = memoryBytes / PAGE;
      const wasm = new WasmPageStore(pages);
      const ref = new ReferencePageStore(pages);
      wasm.setTouchMode('loop');
      ref.setTouchMode('loop');
      const native = new Map<string, number | null>();
      for (const p of PATTERNS) {
        const fresh = checkSameWork(wasm, ref, p);
        if (nativeTool() === null) { native.set(p.id, null); continue; }
        const n = nativeTouch(p.id, pages, BATCH, NATIVE_CALLS, SEED, hotPages(pages), HOT_THRESHOLD);
        if (n.fresh !== fresh) throw new Error(`bench/touches: ${p.id} at ${pages} pages: C dirtied ${n.fresh} pages, Wasm ${fresh}`);
        native.set(p.id, n.nsPerTouch);
      }
      // Paired rounds: each round times one Wasm call, one TS call and one C child (NATIVE_CALLS calls) in turn,
      // so load from other processes on the machine hits all three alike; rates come from the medians.
      const times = new Map<string, { wasm: number[]; ts: number[]; c: number[] }>();
      for (const p of PATTERNS) times.set(p.id, { wasm: [], ts: [], c: [] });
      for (let round = 0; round < ROUNDS; round++) {
        for (const p of PATTERNS) {
          const t = times.get(p.id)!;
          // Each timed call follows an untimed one on the same store, so it finds the bitmap in the caches as
          // the C figure does (a median of calls in one process); otherwise it would pay for the other store's
          // call having evicted it.
          sink += p.touch(wasm, pages);
          let t0 = performance.now();
          sink += p.touch(wasm, pages);
          t.wasm.push(performance.now() - t0);
          sink += p.touch(ref, pages);
          t0 = performance.now();
          sink += p.touch(ref, pages);
          t.ts.push(performance.now() - t0);
          if (native.get(p.id) !== null) t.c.push((nativeTouch(p.id, pages, BATCH, NATIVE_CALLS, SEED, hotPages(pages), HOT_THRESHOLD).nsPerTouch * BATCH) / 1e6);
        }
      }
      for (const p of PATTERNS) {
        const t = times.get(p.id)!;
        const w = { medianMs: median(t.wasm), rmePct: spreadPct(t.wasm), samples: t.wasm.length };
        const r = { medianMs: median(t.ts), rmePct: spreadPct(t.ts), samples: t.ts.length };
        const wasmRate = BATCH / (w.medianMs / 1000);
        const tsRate = BATCH / (r.medianMs / 1000);
        const ratio = wasmRate / tsRate;
        const cRate = t.c.length === 0 ? null : BATCH / (median(t.c) / 1000);
        const overC = cRate === null ? null : wasmRate / cRate;
        rows.push({
          vm: bytes(memoryBytes), pages, pattern: p.id,
          wasmTouchesPerSec: wasmRate, wasmRmePct: w.rmePct, wasmMedianMs: w.medianMs, wasmSamples: w.samples,
          tsTouchesPerSec: tsRate, tsRmePct: r.rmePct, tsMedianMs: r.medianMs, tsSamples: r.samples,
          wasmOverTs: ratio, cTouchesPerSec: cRate, wasmOverC: overC,
        });
        if (memoryBytes >= TARGET_FROM_BYTES) {
          targets.push({
            name: `Wasm/TS touch rate, ${p.id}, ${bytes(memoryBytes)}`,
            target: `>= ${TARGET_RATIO}x`, measured: `${ratio.toFixed(2)}x`, value: ratio, met: ratio >= TARGET_RATIO,
          });
          if (overC !== null) {
            targets.push({
              name: `Wasm/C touch rate, ${p.id}, ${bytes(memoryBytes)}`,
              target: `>= ${TARGET_NATIVE}x`, measured: `${overC.toFixed(2)}x`, value: overC, met: overC >= TARGET_NATIVE,
            });
          }
        }
      }
    }
    return {
      notes: [
        `4 KiB pages; each task call = one core call of ${BATCH.toLocaleString('en-US')} writes (PRNG stream 0).`,
        `hot-cold = hot set ${DEFAULT_HOT_FRACTION * 100}% of memory taking ${DEFAULT_HOT_PROBABILITY * 100}% of writes (the library defaults).`,
        `Paired rounds (${ROUNDS}): Wasm, TS and C timed in turn, each warm (Wasm and TS: a timed call right after an untimed one on the same store; C: the median call of one process); rates from the median batch time; ± = half the interquartile range / median. One store per size, allocated once.`,
        'Before timing, both stores are checked to dirty the same pages from the same seed, and the C loop to dirty as many.',
        nativeTool() === null ? 'C: skipped: no C compiler.' : `C: bench/native/touch.c, cc -O3 (${compilerVersion()}), median call of ${NATIVE_CALLS} per round, in a child process continuing the same PRNG-free pattern.`,
      ],
      columns: [
        { key: 'vm', label: 'VM' },
        { key: 'pages', label: 'pages', format: (v) => si(v as number) },
        { key: 'pattern', label: 'pattern' },
        { key: 'wasmTouchesPerSec', label: 'Wasm touches/s', format: (v) => si(v as number) },
        { key: 'wasmRmePct', label: '±', format: (v) => pct(v as number) },
        { key: 'tsTouchesPerSec', label: 'TS touches/s', format: (v) => si(v as number) },
        { key: 'tsRmePct', label: '±', format: (v) => pct(v as number) },
        { key: 'wasmOverTs', label: 'Wasm/TS', format: (v) => `${sig(v as number, 3)}x` },
        { key: 'cTouchesPerSec', label: 'C touches/s', format: (v) => (v === null ? 'skipped' : si(v as number)) },
        { key: 'wasmOverC', label: 'Wasm/C', format: (v) => (v === null ? 'skipped' : `${sig(v as number, 3)}x`) },
      ],
      rows,
      targets,
      extra: { batch: BATCH, sink },
    };
  },
};
