import type { Command } from 'commander';
import { LivemigError } from '../../errors/livemig-error.js';
import { type ReadOptions, readResults } from '../../batch/results.js';
import type { RunRecord } from '../../model/run-record.js';
import { checkTarget } from '../../report/exporter.js';
import { EXPORTERS } from '../../report/exporters.js';
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
        `CSV: ${EXPORTERS.csv.writes} (totalTimeMs, transferredBytes, bandwidthBytesPerSec, ...), full precision; an empty cell is a null (the downtime of a cancelled run).\n` +
        `guestperf: ${EXPORTERS.guestperf.writes}.`,
    )
    .argument('<results...>', 'sweep directories or results.ndjson files, of one experiment')
    .option('--csv <file>', 'write the CSV here ("-" for stdout)')
    .option('--guestperf <dir>', 'write guestperf JSON reports under this directory')
    .action(async (results: string[], flags: ExportFlags) => {
      if (flags.csv === undefined && flags.guestperf === undefined) {
        throw new LivemigError('export: nothing to write: give --csv FILE, --guestperf DIR, or both');
      }
      // Every target is checked before the results are read.
      if (flags.csv !== undefined) checkTarget(EXPORTERS.csv, flags.csv);
      if (flags.guestperf !== undefined) checkTarget(EXPORTERS.guestperf, flags.guestperf);
      const records = loadRecords(results);
      if (flags.csv !== undefined) {
        const csv = flags.csv;
        await writeOut(csv, () => EXPORTERS.csv.write(records, csv, { stdout: io.out }));
        if (csv !== '-') io.err(`wrote ${records.length} runs to ${csv}\n`);
      }
      if (flags.guestperf !== undefined) {
        const dir = flags.guestperf;
        const files = await writeOut(dir, () => EXPORTERS.guestperf.write(records, dir));
        io.err(`wrote ${files.length} guestperf reports under ${dir}\n`);
      }
    });
}

/** The runs of one experiment, by index, from sweep directories or results files; refuses an empty set. */
export function loadRecords(results: readonly string[], options: ReadOptions = {}): RunRecord[] {
  const records = readResults(results, options);
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
