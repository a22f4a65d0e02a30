/**
 * A Markdown table of runs, as hyperfine's --export-markdown writes one: a row per run, a column per outcome,
 * the unit in the header so every cell is a bare number.
 */
import type { RunRecord } from '../model/run-record.js';
import { statusText } from './status.js';

/** Cell text safe in a Markdown table (a pipe would split the cell). */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function toMarkdown(records: readonly RunRecord[]): string {
  const header = ['Policy', 'Status', 'Total time [s]', 'Downtime [ms]', 'Sent [GiB]', 'Rounds', 'Guest CPU lost [%]', 'Max throttle [%]'];
  const rows = records.map((r) => {
    const s = r.summary;
    return [
      `\`${cell(r.policy)}\``,
      cell(statusText(s)),
      (s.totalTimeMs / 1000).toFixed(3),
      s.downtimeMs === null ? '–' : s.downtimeMs.toFixed(1),
      (s.transferredBytes / 1024 ** 3).toFixed(3),
      String(s.rounds),
      s.guestCpuLostPct.toFixed(1),
      s.maxThrottlePct.toFixed(1),
    ];
  });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i < 2 ? ':---' : '---:'));
  return [line(header), line(align), ...rows.map(line)].join('\n') + '\n';
}
