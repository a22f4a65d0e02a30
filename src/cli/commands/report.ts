import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { readManifest, manifestPath } from '../../batch/manifest.js';
import type { RunRecord } from '../../model/run-record.js';
import { LivemigError } from '../../errors/livemig-error.js';
import { loadExperiment } from '../../experiments/load.js';
import { checkTarget } from '../../report/exporter.js';
import { EXPORTERS } from '../../report/exporters.js';
import { resolveVega } from '../../report/chart-libs.js';
import type { Io } from '../io.js';
import { loadRecords, writeOut } from './export.js';
import { pointKey, sweepPoint } from '../../report/charts.js';

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
        'point and policy, each outcome (downtime, total time, data sent, guest CPU lost) against each swept axis with ' +
        'small multiples over the others, the downtime against guest CPU lost trade-off, and, at one point of the ' +
        'sweep, the remaining dirty data per round, the throttle and the dirty rate over time. Needs the optional ' +
        'packages vega and vega-lite (npm install vega vega-lite). Each chart is also written as SVG next to the page ' +
        '(report.html -> report-charts/<chart>.svg). RESULTS is a sweep directory or its results.ndjson file (several ' +
        'for the shards of one sweep).',
    )
    .argument('<results...>', 'sweep directories or results.ndjson files, of one experiment')
    .requiredOption('-o, --output <file>', 'the HTML file to write, e.g. report.html')
    .option('--point <run-id>', "show the rounds and timelines at this run's axis values and seed (default: the first run's)")
    .option('--experiment <file>', "the experiment file, for its description (default: the sweep directory's manifest)")
    .action(async (results: string[], flags: ReportFlags) => {
      checkTarget(EXPORTERS.html, flags.output);
      resolveVega(); // the optional chart libraries, before any work
      // Two passes keep the memory to the summaries: the first finds the point the round and timeline charts
      // show, the second keeps rounds and timelines for that point's runs only (issue 9: a 4 GB results file).
      const point = pointKey(sweepPoint(loadRecords(results, { detail: () => false }), flags.point).runs[0]!);
      const records = loadRecords(results, { detail: (r) => pointKey(r) === point });
      const description = experimentDescription(results, flags.experiment, records);
      const options = { ...(flags.point === undefined ? {} : { point: flags.point }), ...(description === undefined ? {} : { description }) };
      const files = await writeOut(flags.output, () => EXPORTERS.html.write(records, flags.output, options));
      io.err(`wrote ${files[0]} and ${files.length - 1} SVG charts\n`);
    });
}

/**
 * What the sweep was for: the description in `file` (an experiment file), else in the manifest of the first sweep
 * directory given. Either must be of the experiment the results came from.
 */
function experimentDescription(results: readonly string[], file: string | undefined, records: readonly RunRecord[]): string | undefined {
  const fingerprint = records[0]!.fingerprint;
  const check = (source: string, theirs: string): void => {
    if (theirs !== fingerprint) {
      throw new LivemigError(
        `${source}: this experiment (fingerprint ${theirs.slice(0, 12)}) is not the one the results came from (${fingerprint.slice(0, 12)})`,
      );
    }
  };
  if (file !== undefined) {
    const experiment = loadExperiment(file);
    check(file, experiment.fingerprint);
    return experiment.description || undefined;
  }
  const dir = results.find((p) => existsSync(manifestPath(p)) && statSync(p).isDirectory());
  if (dir === undefined) return undefined;
  const manifest = readManifest(dir);
  check(manifestPath(dir), manifest.fingerprint);
  return manifest.description || undefined;
}
