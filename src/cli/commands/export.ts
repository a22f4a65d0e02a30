import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { LivemigError } from '../../errors/livemig-error.js';
import { toCsv } from '../../report/csv.js';
import { writeGuestperf } from '../../report/guestperf.js';
import { readResults } from '../../batch/results.js';
import type { RunRecord } from '../../batch/record.js';
import type { Io } from '../io.js';

interface ExportFlags {
  csv?: string;
  guestperf?: string;
}

/** `livemig export`: a sweep's results as CSV and/or guestperf JSON reports. */
export function registerExport(program: Command, io: Io): void {
  program
    .command('export')
    .summary("write a sweep's results as CSV or guestperf reports")
    .description(
      "Write a sweep's results in other formats. RESULTS is a sweep directory or its results NDJSON file.\n" +
        'CSV: one row per run, one param_<axis> column per sweep axis, quantities in base units named by the column ' +
        '(totalTimeMs, transferredBytes, bandwidthBytesPerSec, ...), full precision; an empty cell is a null (the downtime of a cancelled run).\n' +
        'guestperf: one QEMU guestperf JSON report per run, DIR/<experiment>/<id>-<policy>.json, readable by guestperf-plot.py.',
    )
    .argument('<results...>', 'sweep directories or results.ndjson files, of one experiment')
    .option('--csv <file>', 'write the CSV here ("-" for stdout)')
    .option('--guestperf <dir>', 'write guestperf JSON reports under this directory')
    .action((results: string[], flags: ExportFlags) => {
      if (flags.csv === undefined && flags.guestperf === undefined) {
        throw new LivemigError('export: nothing to write: give --csv FILE, --guestperf DIR, or both');
      }
      const records = loadRecords(results);
      if (flags.csv !== undefined) {
        const csv = toCsv(records);
        if (flags.csv === '-') io.out(csv);
        else {
          writeOut(flags.csv, () => writeFileSync(flags.csv!, csv));
          io.err(`wrote ${records.length} runs to ${flags.csv}\n`);
        }
      }
      if (flags.guestperf !== undefined) {
        const dir = flags.guestperf;
        const files = writeOut(dir, () => writeGuestperf(records, dir));
        io.err(`wrote ${files.length} guestperf reports under ${dir}\n`);
      }
    });
}

/** The runs of one experiment, by index, from sweep directories or results files; refuses an empty set. */
export function loadRecords(results: readonly string[]): RunRecord[] {
  const records = readResults(results);
  if (records.length === 0) throw new LivemigError(`${results.join(', ')}: no runs in the results`);
  return records;
}

/** Runs a write (sync or async), turning a file-system failure into an error naming the path. */
export function writeOut<T>(path: string, write: () => T): T {
  const fail = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException | null)?.code;
    if (typeof code !== 'string') throw e;
    throw new LivemigError(`${path}: cannot write (${code})`);
  };
  try {
    const out = write();
    return (out instanceof Promise ? out.catch(fail) : out) as T;
  } catch (e) {
    return fail(e);
  }
}
