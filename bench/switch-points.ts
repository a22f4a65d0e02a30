import type { TouchMode } from '../src/core/page-store.js';
import { WasmPageStore } from '../src/core/wasm-page-store.js';
import { si, sig } from './format.js';
import type { BenchGroup, GroupResult, Row, TargetCheck } from './types.js';

/**
 * Where occupancy sampling starts to beat the per-write loop (issue 8: each switch point is measured). For a
 * region of H pages with a share already dirty, one touchUniform call of k writes is timed in 'loop' and in
 * 'sample' mode, and in 'auto' (the core's cost model, constants in assembly/index.ts). Each trial starts from
 * the same bitmaps (cleared, then the dirty share written in order, untimed). The crossover k/H is where
 * sampling gets cheaper; 'auto' should track the cheaper of the two.
 */

const REGIONS = [1 << 14, 1 << 20, 1 << 24];
const DIRTY = [0, 0.5, 0.9, 0.99];
const K_OVER_H = [0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const TRIALS = 5;

function timeCall(s: WasmPageStore, mode: TouchMode, H: number, dirty: number, k: number): number {
  s.setTouchMode(mode);
  let best = Infinity;
  for (let t = 0; t < TRIALS; t++) {
    s.syncDirtyLog(true);
    s.seedStream(0, 17 + t);
    if (dirty > 0) s.touchSequential(0, H, 0, Math.round(dirty * H));
    const t0 = performance.now();
    s.touchUniform(0, 0, H, k);
    best = Math.min(best, performance.now() - t0);
  }
  return best * 1e6; // ns
}

export const switchPoints: BenchGroup = {
  id: 'switch',
  title: 'Touch strategy switch points: per-write loop vs occupancy sampling',
  run(): GroupResult {
    const rows: Row[] = [];
    const targets: TargetCheck[] = [];
    let worstAuto = 1;
    for (const H of REGIONS) {
      const s = new WasmPageStore(H);
      for (const d of DIRTY) {
        let crossover: number | null = null;
        for (const kh of K_OVER_H) {
          const k = Math.round(kh * H);
          const loopNs = timeCall(s, 'loop', H, d, k);
          const sampleNs = timeCall(s, 'sample', H, d, k);
          const autoNs = timeCall(s, 'auto', H, d, k);
          if (crossover === null && sampleNs < loopNs) crossover = kh;
          const ratio = autoNs / Math.min(loopNs, sampleNs);
          worstAuto = Math.max(worstAuto, ratio);
          rows.push({ H, dirty: d, k, kOverH: kh, loopNsPerWrite: loopNs / k, sampleNsPerWrite: sampleNs / k, autoOverBest: ratio, faster: sampleNs < loopNs ? 'sample' : 'loop' });
        }
        rows.push({ H, dirty: d, k: null, kOverH: crossover, loopNsPerWrite: null, sampleNsPerWrite: null, autoOverBest: null, faster: 'crossover k/H' });
      }
    }
    targets.push({ name: "'auto' within 1.5x of the cheaper strategy, every cell", target: '<= 1.5x', measured: `${worstAuto.toFixed(2)}x`, value: worstAuto, met: worstAuto <= 1.5 });
    return {
      notes: [
        `One touchUniform call of k writes over H pages, best of ${TRIALS}; dirty = share of the region already dirty (and in the ring).`,
        "Rows 'crossover k/H' give the smallest k/H tried at which sampling beat the loop (null: never).",
      ],
      columns: [
        { key: 'H', label: 'H', format: (v) => si(v as number) },
        { key: 'dirty', label: 'dirty' },
        { key: 'kOverH', label: 'k/H' },
        { key: 'loopNsPerWrite', label: 'loop ns/write', format: (v) => (v === null ? '' : sig(v as number, 3)) },
        { key: 'sampleNsPerWrite', label: 'sample ns/write', format: (v) => (v === null ? '' : sig(v as number, 3)) },
        { key: 'autoOverBest', label: 'auto/best', format: (v) => (v === null ? '' : `${sig(v as number, 3)}x`) },
        { key: 'faster', label: 'faster' },
      ],
      rows,
      targets,
    };
  },
};
