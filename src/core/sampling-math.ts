/**
 * The occupancy sampler's constants and elementary functions, as in assembly/index.ts, for the TypeScript
 * twin. Only +, −, ×, ÷, floor and sqrt are used: they round identically in V8 and in Wasm, so both stores
 * compute bit-identical doubles (Math.log and Math.exp differ between V8 and AssemblyScript in the last bit).
 * The constants come from src/core/sampling-constants.ts, which the core imports too; the functions repeat the
 * core's, operation for operation (test/core/wasm-vs-reference.test.ts compares the stores call for call).
 */

import { CACHED_REGION_BYTES, COST_TOUCH_CACHED, COST_TOUCH_DRAM, COST_TOUCH_LLC, LLC_REGION_BYTES } from './sampling-constants.js';

export * from './sampling-constants.js';

/** Cost of one per-write touch in a region of `count` pages, by where its three bitmaps' share fits. */
export function touchCost(count: number): number {
  const bytes = count * (3 / 8);
  return bytes <= CACHED_REGION_BYTES ? COST_TOUCH_CACHED : bytes <= LLC_REGION_BYTES ? COST_TOUCH_LLC : COST_TOUCH_DRAM;
}

const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const f = new Float64Array(1);
const u = new Uint32Array(f.buffer);

function atanh2(s: number): number {
  const z = s * s;
  return 2 * s * (1 + z * (1 / 3 + z * (1 / 5 + z * (1 / 7 + z * (1 / 9 + z * (1 / 11 + z * (1 / 13
    + z * (1 / 15 + z * (1 / 17 + z * (1 / 19))))))))));
}

/** ln x for a normal positive x. */
export function ln(x: number): number {
  f[0] = x;
  const hi = u[1]!;
  let e = ((hi >>> 20) & 0x7ff) - 1023;
  u[1] = (hi & 0xfffff) | 0x3ff00000;
  let m = f[0]!;
  if (m > 1.4142135623730951) { m *= 0.5; e += 1; }
  return e * LN2_HI + (atanh2((m - 1) / (m + 1)) + e * LN2_LO);
}

/** ln(1 − p) for 0 ≤ p < 1. */
export function ln1m(p: number): number {
  return p < 0.25 ? atanh2(-p / (2 - p)) : ln(1 - p);
}

function bitsOfPow2(biased: number): number {
  u[0] = 0;
  u[1] = biased << 20;
  return f[0]!;
}

/** 2^k for an integer −1074 ≤ k ≤ 1023. */
function pow2(k: number): number {
  if (k >= -1022) return bitsOfPow2(k + 1023);
  return bitsOfPow2(k + 1223) * bitsOfPow2(1023 - 200);
}

/** e^x − 1 for x ≤ 0. */
export function expm1(x: number): number {
  if (x > -0.5) {
    return x * (1 + x * (1 / 2 + x * (1 / 6 + x * (1 / 24 + x * (1 / 120 + x * (1 / 720 + x * (1 / 5040
      + x * (1 / 40320 + x * (1 / 362880 + x * (1 / 3628800 + x * (1 / 39916800 + x * (1 / 479001600
      + x * (1 / 6227020800 + x * (1 / 87178291200 + x * (1 / 1307674368000)))))))))))))));
  }
  return exp(x) - 1;
}

/** e^x for x ≤ 0. */
export function exp(x: number): number {
  if (x < -745) return 0;
  const k = Math.floor(x * 1.4426950408889634 + 0.5);
  const r = (x - k * LN2_HI) - k * LN2_LO;
  const em1 = r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040
    + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (1 / 39916800 + r * (1 / 479001600
    + r * (1 / 6227020800 + r * (1 / 87178291200))))))))))))));
  return (1 + em1) * pow2(k);
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * ln(p));
    return (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q - 2.549732539343734e+00) * q
      + 4.374664141464968e+00) * q + 2.938163982698783e+00) / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q
      + 2.445134137142996e+00) * q + 3.754408661907416e+00) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r
    - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r
    - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1);
}
