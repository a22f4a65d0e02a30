/**
 * Reading a sweep's run records for the exporters and the HTML report.
 *
 * Stop-gap: the sweep runner (src/batch/) provides readResults(dirOrFile); once it lands, the commands use it
 * and this file goes. Until then this reads `<dir>/results.ndjson` or an NDJSON file, one RunRecord per line.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../batch/record.js';
import { LivemigError } from '../errors/livemig-error.js';

/** The results file in a sweep directory. */
export const RESULTS_FILE = 'results.ndjson';

/** Reads the run records of a sweep directory or NDJSON file, sorted by index. */
export function readRunRecords(dirOrFile: string): RunRecord[] {
  let file = dirOrFile;
  try {
    if (statSync(dirOrFile).isDirectory()) file = join(dirOrFile, RESULTS_FILE);
  } catch (e) {
    throw new LivemigError(`${dirOrFile}: cannot read the results (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LivemigError(`${file}: cannot read the results (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const records: RunRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new LivemigError(`${file}:${i + 1}: not valid JSON: ${(e as Error).message}`);
    }
    const r = json as Partial<RunRecord> | null;
    if (typeof r !== 'object' || r === null || r.format !== 'livemig-run/1') {
      throw new LivemigError(`${file}:${i + 1}: not a livemig run record (expected "format": "livemig-run/1")`);
    }
    records.push(r as RunRecord);
  });
  return records.sort((a, b) => a.index - b.index);
}

/** Refuses an empty result set or one that mixes experiments; `source` names it in errors. */
export function checkOneExperiment(records: readonly RunRecord[], source: string): void {
  const first = records[0];
  if (first === undefined) throw new LivemigError(`${source}: no runs in the results`);
  const other = records.find((r) => r.fingerprint !== first.fingerprint);
  if (other !== undefined) {
    throw new LivemigError(
      `${source}: runs of different experiments are mixed (${first.id} is from "${first.experiment}" ${first.fingerprint.slice(0, 12)}, ` +
        `${other.id} from "${other.experiment}" ${other.fingerprint.slice(0, 12)})`,
    );
  }
}
