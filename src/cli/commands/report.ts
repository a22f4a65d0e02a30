import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LivemigError } from '../../errors/livemig-error.js';
import { loadExperiment } from '../../experiments/load.js';
import { checkOneExperiment, readRunRecords } from '../../report/records.js';
import type { RunRecord } from '../../batch/record.js';
import type { Io } from '../io.js';
import { writeOut } from './export.js';

/** The experiment file a sweep directory may hold, read for its description. */
const SWEEP_EXPERIMENT_FILE = 'experiment.json';

interface ReportFlags {
  output: string;
  point?: string;
  experiment?: string;
}

/** `livemig report`: one self-contained HTML page of a sweep's results, with an SVG file per chart. */
export function registerReport(program: Command, io: Io): void {
  program
    .command('report')
    .summary("write an HTML report of a sweep's results")
    .description(
      "Write one self-contained HTML page of a sweep's results (it opens from disk, with no network): a table per " +
        'policy, downtime and total time against bandwidth, and, at one point of the sweep, the remaining dirty data per ' +
        'round, the throttle and the dirty rate over time. Each chart is also written as SVG next to the page ' +
        '(report.html -> report-charts/<chart>.svg). RESULTS is a sweep directory or its results NDJSON file.',
    )
    .argument('<results>', 'sweep directory or results .ndjson file')
    .requiredOption('-o, --output <file>', 'the HTML file to write, e.g. report.html')
    .option('--point <run-id>', "show the rounds and timelines at this run's axis values and seed (default: the first run's)")
    .option('--experiment <file>', `the experiment file, for its description (default: ${SWEEP_EXPERIMENT_FILE} in a sweep directory, if there)`)
    .action(async (results: string, flags: ReportFlags) => {
      const records = readRunRecords(results);
      checkOneExperiment(records, results);
      const description = experimentDescription(results, flags.experiment, records);
      // Vega is loaded only for this command, so the others start fast.
      const { writeReport } = await import('../../report/html.js');
      const options = { ...(flags.point === undefined ? {} : { point: flags.point }), ...(description === undefined ? {} : { description }) };
      const files = await writeOut(flags.output, () => writeReport(records, flags.output, options));
      io.err(`wrote ${files[0]} and ${files.length - 1} SVG charts\n`);
    });
}

/** The description of the experiment the results came from, checked against their fingerprint. */
function experimentDescription(results: string, file: string | undefined, records: RunRecord[]): string | undefined {
  let path = file;
  if (path === undefined) {
    const candidate = join(results, SWEEP_EXPERIMENT_FILE);
    if (!statSync(results).isDirectory() || !existsSync(candidate)) return undefined;
    path = candidate;
  }
  const experiment = loadExperiment(path);
  const fingerprint = records[0]!.fingerprint;
  if (experiment.fingerprint !== fingerprint) {
    throw new LivemigError(
      `${path}: this experiment (fingerprint ${experiment.fingerprint.slice(0, 12)}) is not the one the results came from (${fingerprint.slice(0, 12)})`,
    );
  }
  return experiment.description || undefined;
}
