import { describe, expect, it } from 'vitest';
import type { TouchMode } from '../../src/core/page-store.js';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { runMigration } from '../../src/api/migrate.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { resolveOptions } from '../../src/api/resolve.js';

// Issue 8: occupancy sampling (a count drawn from the occupancy distribution, then that many clean pages picked
// uniformly) must be faithful to the per-write loop. Over many seeds, the newly dirtied pages per step and the
// dirtied pages per round of whole migrations must match the loop's: mean within 0.5 %, standard deviation
// within 5 %. Per step, both are also held to the closed form: with C clean of H pages and k uniform writes,
//   E = C(1 − q^k),  Var = C(C−1)(1 − 2/H)^k + C q^k − C² q^2k,  q = 1 − 1/H.
// The seeds are fixed, so each comparison is deterministic; the sample sizes keep the standard error of the
// sd ratio near 1.6 % (1/√(2N) per side), a third of the tolerance.

function stats(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, sd: Math.sqrt(v) };
}

function closedForm(C: number, H: number, k: number): { mean: number; sd: number } {
  const q = 1 - 1 / H;
  const qk = q ** k;
  const v = C * (C - 1) * (1 - 2 / H) ** k + C * qk - C * C * qk * qk;
  return { mean: C * (1 - qk), sd: Math.sqrt(Math.max(0, v)) };
}

function expectClose(label: string, a: { mean: number; sd: number }, b: { mean: number; sd: number }): void {
  expect(Math.abs(a.mean / b.mean - 1), `${label}: mean ${a.mean.toFixed(2)} vs ${b.mean.toFixed(2)}`).toBeLessThan(0.005);
  expect(Math.abs(a.sd / b.sd - 1), `${label}: sd ${a.sd.toFixed(3)} vs ${b.sd.toFixed(3)}`).toBeLessThan(0.05);
}

const H = 10_000;
const SEEDS = 4000;

/**
 * One step per seed on a fresh store: `dirty` pages of the region already dirty (written, in the ring), then
 * the step's k writes; returns the newly dirtied pages of the step.
 */
function steps(mode: TouchMode, dirty: number, step: (s: WasmPageStore) => number): number[] {
  const s = new WasmPageStore(H + 64);
  s.setTouchMode(mode);
  const out: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    s.syncDirtyLog(true);
    s.seedStream(0, seed);
    if (dirty > 0) s.touchSequential(32, H, 0, dirty);
    out.push(step(s));
  }
  return out;
}

describe('occupancy sampling matches the per-write loop and the closed form, per step', () => {
  // [already dirty, k]: mostly clean (exact jumps), λ = 1 (normal count), λ = 6 (Poisson count of ≈ 25 missed),
  // half dirty (normal), nearly saturated (jumps over few clean pages), and a long step on a nearly saturated region.
  for (const [dirty, k] of [[0, 2_000], [0, 10_000], [0, 60_000], [5_000, 20_000], [9_000, 5_000], [9_950, 30_000]] as const) {
    it(`uniform: H = ${H}, ${dirty} already dirty, k = ${k}`, () => {
      const touch = (s: WasmPageStore): number => s.touchUniform(0, 32, H, k);
      const loop = stats(steps('loop', dirty, touch));
      const sample = stats(steps('sample', dirty, touch));
      const exact = closedForm(H - dirty, H, k);
      expectClose('sample vs loop', sample, loop);
      expectClose('sample vs closed form', sample, exact);
      expectClose('loop vs closed form', loop, exact);
    });
  }
  // Hot/cold: the hot share is a binomial (normal when p·k is large, exact waiting times when small).
  for (const [hotProb, k] of [[0.9, 5_000], [0.9, 40_000], [0.001, 30_000]] as const) {
    it(`hot/cold: 5 % hot taking ${hotProb * 100} % of k = ${k}`, () => {
      const hot = H / 20;
      const threshold = Math.round(hotProb * 2 ** 32);
      const touch = (s: WasmPageStore): number => s.touchHotCold(0, 32, hot, 32 + hot, H - hot, threshold, k);
      const loop = stats(steps('loop', 0, touch));
      const sample = stats(steps('sample', 0, touch));
      expectClose('sample vs loop', sample, loop);
    });
  }
});

describe('occupancy sampling matches the per-write loop over whole migrations, per round', () => {
  // A 32 MiB guest with a heavy hot/cold writer on 1 Gbit/s: several live rounds of which the writer saturates
  // the hot set. Round r's dirtied pages over the seeds, sampling against the loop.
  const RUNS = 2000;
  const ROUNDS = 3;
  const options = (seed: number): MigrationOptions => ({
    memoryBytes: 32 * 1024 ** 2,
    workload: { kind: 'hot-cold', writesPerSec: 200_000, hotFraction: 0.05, hotProbability: 0.9 },
    bandwidthBytesPerSec: 125e6,
    maxBandwidthBytesPerSec: 125e6,
    downtimeLimitMs: 30,
    maxTimeMs: 600,
    seed,
  });
  function perRound(mode: TouchMode): number[][] {
    const rounds: number[][] = Array.from({ length: ROUNDS }, () => []);
    for (let seed = 1; seed <= RUNS; seed++) {
      const resolved = resolveOptions(options(seed));
      const store = new WasmPageStore(resolved.scenario.pages);
      store.setTouchMode(mode);
      const live = runMigration(resolved, store).rounds.filter((r) => r.phase === 'live');
      for (let r = 0; r < ROUNDS; r++) rounds[r]!.push(live[r + 1]!.dirtiedPages);
    }
    return rounds;
  }
  it(`qemu, hot/cold at 200 000 writes/s, rounds 2–${ROUNDS + 1}, ${RUNS} seeds`, () => {
    const loop = perRound('loop');
    const sample = perRound('sample');
    for (let r = 0; r < ROUNDS; r++) expectClose(`round ${r + 2}`, stats(sample[r]!), stats(loop[r]!));
  });
});
