/** Every exporter, registered once; the CLI's `export` and `report` commands take them from here. */
import { writeFileSync } from 'node:fs';
import type { Exporter } from './exporter.js';
import { toCsv } from './csv.js';
import { writeGuestperf } from './guestperf.js';
import { type ReportOptions, writeReport } from './html.js';

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
  writes: "one QEMU guestperf JSON report per run, DIR/<experiment>/<id>-<policy>.json, readable by guestperf's plot script",
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

export const EXPORTERS = { csv: csvExporter, guestperf: guestperfExporter, html: htmlExporter } as const;
