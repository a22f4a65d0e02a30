import type { PageStore } from '../src/core/page-store.js';
import { ReferencePageStore } from '../src/core/reference-page-store.js';
import { WasmPageStore } from '../src/core/wasm-page-store.js';
import { WORKLOAD_TABLE } from '../src/model/workloads.js';
import { GiB } from '../src/units.js';

const DEFAULT_HOT_FRACTION = WORKLOAD_TABLE['hot-cold'].fields.hotFraction.default;
const DEFAULT_HOT_PROBABILITY = WORKLOAD_TABLE['hot-cold'].fields.hotProbability.default;
import { bytes, pct, si, sig } from './format.js';
import { newBench, taskStats } from './tiny.js';
import type { BenchGroup, GroupResult, Row, TargetCheck } from './types.js';

/**
 * Group 1: page touches per second, the Wasm core (WasmPageStore) against the same loop in plain TypeScript
 * (ReferencePageStore), on one store per VM size allocated once. Each task call is one core call performing
 * BATCH writes with PRNG stream 0, exactly what a workload does per emulated interval, only bigger.
 */

const BATCH = 1_000_000;
const PAGE = 4096;
const SIZES = [4 * GiB, 64 * GiB, 256 * GiB];
/** Sizes at which the Wasm/TS ratio must reach TARGET_RATIO. */
const TARGET_FROM_BYTES = 64 * GiB;
const TARGET_RATIO = 2;
const SEED = 0x5eed;

interface Pattern {
  id: 'uniform' | 'hot-cold';
  touch(store: PageStore, pages: number): number;
}

const PATTERNS: Pattern[] = [
  { id: 'uniform', touch: (s, pages) => s.touchUniform(0, 0, pages, BATCH) },
  {
    id: 'hot-cold',
    touch: (s, pages) => {
      const hot = Math.round(DEFAULT_HOT_FRACTION * pages);
      const threshold = Math.round(DEFAULT_HOT_PROBABILITY * 2 ** 32);
      return s.touchHotCold(0, 0, hot, hot, pages - hot, threshold, BATCH);
    },
  },
];

/** Both stores give the same writes from the same seed (a guard that the baseline does the same work). */
function checkSameWork(wasm: PageStore, ref: PageStore, pattern: Pattern): void {
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
  wasm.syncDirtyLog();
  ref.syncDirtyLog();
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
      for (const p of PATTERNS) checkSameWork(wasm, ref, p);
      const bench = newBench(`touches ${bytes(memoryBytes)}`, { time: 800, iterations: 10, warmupTime: 200, warmupIterations: 3 });
      for (const p of PATTERNS) {
        bench.add(`wasm ${p.id}`, () => { sink += p.touch(wasm, pages); });
        bench.add(`ts ${p.id}`, () => { sink += p.touch(ref, pages); });
      }
      bench.runSync();
      for (const p of PATTERNS) {
        const w = taskStats(bench.getTask(`wasm ${p.id}`));
        const t = taskStats(bench.getTask(`ts ${p.id}`));
        const wasmRate = BATCH / (w.medianMs / 1000);
        const tsRate = BATCH / (t.medianMs / 1000);
        const ratio = wasmRate / tsRate;
        rows.push({
          vm: bytes(memoryBytes), pages, pattern: p.id,
          wasmTouchesPerSec: wasmRate, wasmRmePct: w.rmePct, wasmMedianMs: w.medianMs, wasmSamples: w.samples,
          tsTouchesPerSec: tsRate, tsRmePct: t.rmePct, tsMedianMs: t.medianMs, tsSamples: t.samples,
          wasmOverTs: ratio,
        });
        if (memoryBytes >= TARGET_FROM_BYTES) {
          targets.push({
            name: `Wasm/TS touch rate, ${p.id}, ${bytes(memoryBytes)}`,
            target: `>= ${TARGET_RATIO}x`, measured: `${ratio.toFixed(2)}x`, value: ratio, met: ratio >= TARGET_RATIO,
          });
        }
      }
    }
    return {
      notes: [
        `4 KiB pages; each task call = one core call of ${BATCH.toLocaleString('en-US')} writes (PRNG stream 0).`,
        `hot-cold = hot set ${DEFAULT_HOT_FRACTION * 100}% of memory taking ${DEFAULT_HOT_PROBABILITY * 100}% of writes (the library defaults).`,
        'Rates from the median batch time; ± is the 95% relative margin of error of the mean. One store per size, allocated once.',
        'Before timing, both stores are checked to dirty the same pages from the same seed.',
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
      ],
      rows,
      targets,
      extra: { batch: BATCH, sink },
    };
  },
};
