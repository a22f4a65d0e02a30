/**
 * livemig against the four real QEMU 7.2 migrations of ../shared/validation/qemu-7.2/ (issue 10, "What must
 * hold"), with qemuVersion 7.2 and only what a user knows before migrating; then with the guest's measured write
 * rates under throttle fed in. Skipped where the cases are not on disk.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CaseResult, loadCase, summarize, validateCase } from '../../src/validate/index.js';

const DIR = process.env['LIVEMIG_VALIDATION_DIR'] ?? '/work/shared/validation/qemu-7.2';
const present = existsSync(DIR);
const dirs = present ? readdirSync(DIR).filter((d) => existsSync(join(DIR, d, 'case.json'))).sort().map((d) => join(DIR, d)) : [];

describe.skipIf(!present)('validation against QEMU 7.2: what a user knows before migrating', () => {
  const results: CaseResult[] = dirs.map((d) => validateCase(loadCase(d)));
  const byId = (id: string) => results.find((r) => r.id === id)!;

  it('runs each case under 7.2 rules', () => {
    expect(results.length).toBe(4);
    for (const r of results) expect(r.report.scenario.qemuVersion).toBe('7.2');
  });
  it('every outcome right', () => {
    for (const r of results) expect(r.outcome.match, r.id).toBe(true);
  });
  it('total time and bytes within 5 % on each case', () => {
    for (const r of results) {
      if (r.totalTimeMs.errPct !== null) expect(Math.abs(r.totalTimeMs.errPct), r.id).toBeLessThanOrEqual(5);
      expect(Math.abs(r.transferredBytes.errPct), r.id).toBeLessThanOrEqual(5);
    }
  });
  it('dirty-sync-count within 1 on each case', () => {
    for (const r of results) expect(Math.abs(r.dirtySyncCount.diff), r.id).toBeLessThanOrEqual(1);
  });
  it('auto-converge steps within 0.3 s in the median', () => {
    const s = summarize(results);
    expect(s.throttleStepAbsDiffMs).not.toBeNull();
    expect(s.throttleStepAbsDiffMs!).toBeLessThanOrEqual(300);
  });
  it('the first re-sync within one window (100 ms) at 32 MiB/s and at 128 MiB/s', () => {
    expect(Math.abs(byId('r16384_bw32_acon_rand').firstResyncMs.diffMs!)).toBeLessThanOrEqual(100);
    for (const id of ['r16384_bw128_acon_rand', 'r4096_bw128_acoff_rand', 'r65536_bw128_acoff_rand']) {
      expect(Math.abs(byId(id).firstResyncMs.diffMs!), id).toBeLessThanOrEqual(100);
    }
  });
});

describe.skipIf(!present)('validation against QEMU 7.2: with the measured write rates under throttle', () => {
  const results: CaseResult[] = dirs.map((d) => validateCase(loadCase(d, { measuredThrottleRates: true })));
  it('the final throttle exact on every case', () => {
    for (const r of results) expect(r.finalThrottlePct.match, `${r.id}: ${r.finalThrottlePct.qemu} / ${r.finalThrottlePct.livemig}`).toBe(true);
  });
  it('total time within 3 % where the sources allow (r16384_bw128: within 5 %, see the README)', () => {
    for (const r of results) {
      if (r.totalTimeMs.errPct === null) continue;
      expect(Math.abs(r.totalTimeMs.errPct), r.id).toBeLessThanOrEqual(r.id === 'r16384_bw128_acon_rand' ? 5 : 3);
    }
  });
});
