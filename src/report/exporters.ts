/** Every exporter, registered once; the CLI's `export` and `report` commands take them from here. */
import { writeFileSync } from 'node:fs';
import type { Exporter } from './exporter.js';
import { toCsv } from './csv.js';
import { writeGuestperf } from './guestperf.js';
import { type ReportOptions, writeReport } from './html.js';
import { toMarkdown } from './markdown.js';

/** Text to a file, or to standard output for '-'. */
function writeText(text: string, target: string, stdout?: (text: string) => void): string[] {
  if (target === '-') {
    (stdout ?? ((t: string) => process.stdout.write(t)))(text);
    return [];
  }
  writeFileSync(target, text);
  return [target];
}

/** A Markdown table, one row per run (report/markdown.ts), like hyperfine's --export-markdown. */
export const markdownExporter: Exporter<{ stdout?: (text: string) => void }> = {
  id: 'markdown',
  writes: 'a Markdown table, one row per run: policy, status, total time, downtime, data sent, rounds, guest CPU lost',
  target: 'file',
  async write(records, target, options) {
    return writeText(toMarkdown(records), target, options?.stdout);
  },
};

/** Every run record (scenario, summary, rounds, timeline) as one JSON document: {"format", "runs": [...]}. */
export const jsonExporter: Exporter<{ stdout?: (text: string) => void }> = {
  id: 'json',
  writes: 'every run record (scenario, summary, rounds, timeline) as one JSON document',
  target: 'file',
  async write(records, target, options) {
    return writeText(`${JSON.stringify({ format: 'livemig-runs/1', runs: records }, null, 2)}\n`, target, options?.stdout);
  },
};

/** CSV, one row per run (report/csv.ts); '-' writes to standard output. */
export const csvExporter: Exporter<{ stdout?: (text: string) => void }> = {
  id: 'csv',
  writes: 'one CSV row per run, base units named by the column, one param_<axis> column per sweep axis',
  target: 'file',
  async write(records, target, options) {
    const text = toCsv(records);
    if (target === '-') {
      (options?.stdout ?? ((t: string) => process.stdout.write(t)))(text);
      return [];
    }
    writeFileSync(target, text);
    return [target];
  },
};

/** One QEMU guestperf JSON report per run (report/guestperf.ts). */
export const guestperfExporter: Exporter = {
  id: 'guestperf',
  writes: "one QEMU guestperf JSON report per run, one folder per sweep point (a guestperf comparison): DIR/<experiment>/<point>/<policy>_<point>_seed<N>.json, readable by guestperf's plot script",
  target: 'directory',
  async write(records, target) {
    return writeGuestperf(records, target);
  },
};

/** The self-contained HTML report with one SVG per chart (report/html.ts). */
export const htmlExporter: Exporter<ReportOptions> = {
  id: 'html',
  writes: 'one self-contained HTML page (no network needed) and report-charts/<chart>.svg beside it',
  target: 'file',
  createsFolders: true,
  write(records, target, options) {
    return writeReport(records, target, options);
  },
};

export const EXPORTERS = { csv: csvExporter, guestperf: guestperfExporter, html: htmlExporter, markdown: markdownExporter, json: jsonExporter } as const;
