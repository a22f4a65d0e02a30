/** The experiment argument of `sweep`: a file path, or `-` for an experiment read from standard input. */
import { readFileSync } from 'node:fs';
import { LivemigError } from '../errors/livemig-error.js';
import { checkExperiment } from '../experiments/load.js';
import type { Experiment } from '../experiments/types.js';

/** What runSweep() takes for `arg`: the path itself, or the experiment parsed from stdin with its source. */
export function experimentInput(arg: string, readStdin: () => string = () => readFileSync(0, 'utf8')): { experiment: string | Experiment; source?: unknown } {
  if (arg !== '-') return { experiment: arg };
  let json: unknown;
  try {
    json = JSON.parse(readStdin());
  } catch (e) {
    throw new LivemigError(`<stdin>: not a valid JSON experiment: ${(e as Error).message}`);
  }
  return { experiment: checkExperiment(json, '<stdin>'), source: json };
}
