import { type CaseResult, type ValidationSummary } from './compare.js';

const s1 = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(2));
const sgn = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const mb = (b: number) => (b / 1e6).toFixed(1);

/**
 * The validation table: one column per case and one of medians; each cell is "QEMU / livemig (error)".
 * Times in s, bytes in MB (10^6 B), remaining RMS in MiB.
 */
export function formatValidation(results: readonly CaseResult[], sum: ValidationSummary): string {
  const rows: [string, string[], string][] = [
    ['outcome (QEMU / livemig)', results.map((r) => `${r.outcome.qemu} / ${r.outcome.livemig}${r.outcome.match ? '' : ' !'}`), `${sum.outcomesRight}/${sum.cases} right`],
    ['total time, s', results.map((r) => `${s1(r.totalTimeMs.qemu)} / ${s1(r.totalTimeMs.livemig)}${r.totalTimeMs.errPct === null ? '' : ` (${sgn(r.totalTimeMs.errPct, 1)} %)`}`),
      sum.totalTimeAbsErrPct === null ? '-' : `|err| ${sum.totalTimeAbsErrPct.toFixed(1)} %`],
    ['RAM bytes, MB', results.map((r) => `${mb(r.transferredBytes.qemu)} / ${mb(r.transferredBytes.livemig)} (${sgn(r.transferredBytes.errPct, 1)} %)`),
      sum.bytesAbsErrPct === null ? '-' : `|err| ${sum.bytesAbsErrPct.toFixed(1)} %`],
    ['dirty-sync-count', results.map((r) => `${r.dirtySyncCount.qemu} / ${r.dirtySyncCount.livemig} (${sgn(r.dirtySyncCount.diff, 0)})`), `|diff| ${sum.syncCountAbsDiff ?? '-'}`],
    ['first re-sync, s', results.map((r) => `${s1(r.firstResyncMs.qemu)} / ${s1(r.firstResyncMs.livemig)}${r.firstResyncMs.diffMs === null ? '' : ` (${sgn(r.firstResyncMs.diffMs / 1000, 2)})`}`),
      sum.firstResyncAbsDiffMs === null ? '-' : `|diff| ${s1(sum.firstResyncAbsDiffMs)} s`],
    ['sync times, median |diff| s', results.map((r) => s1(r.syncTimesMs.medianAbsDiffMs)), s1(sum.syncTimesAbsDiffMs)],
    ['throttle steps (n), median |diff| s', results.map((r) => `${r.throttleSteps.qemu.length} / ${r.throttleSteps.livemig.length}${r.throttleSteps.medianAbsDiffMs === null ? '' : `, ${s1(r.throttleSteps.medianAbsDiffMs)}`}`),
      sum.throttleStepAbsDiffMs === null ? '-' : `${s1(sum.throttleStepAbsDiffMs)} (all steps)`],
    ['final throttle, %', results.map((r) => `${r.finalThrottlePct.qemu} / ${r.finalThrottlePct.livemig}${r.finalThrottlePct.match ? '' : ' !'}`), `${sum.finalThrottleRight}/${sum.cases} right`],
    ['ram.remaining RMS err, MiB', results.map((r) => (r.remainingRmsBytes / 2 ** 20).toFixed(1)), sum.remainingRmsBytes === null ? '-' : (sum.remainingRmsBytes / 2 ** 20).toFixed(1)],
  ];
  const header = ['', ...results.map((r) => r.id), 'median'];
  const table = [header, ...rows.map(([k, v, m]) => [k, ...v, m])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
