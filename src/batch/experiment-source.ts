import { readFileSync } from 'node:fs';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { loadExperiment } from '../experiments/load.js';
import type { Experiment } from '../experiments/types.js';

/** What a sweep runs: the checked experiment, the file's content (for the manifest) and its path. */
export interface ExperimentSource {
  experiment: Experiment;
  source: unknown;
  file: string | null;
}

/** An experiment given as a file path (loaded and checked) or as an Experiment from loadExperiment(). */
export function resolveExperiment(e: string | Experiment, source?: unknown): ExperimentSource {
  if (typeof e === 'string') {
    const experiment = loadExperiment(e);
    // loadExperiment has parsed it already, so this cannot fail short of the file changing in between.
    return { experiment, source: JSON.parse(readFileSync(e, 'utf8')) as unknown, file: e };
  }
  if (typeof e !== 'object' || e === null || !Array.isArray(e.runs) || typeof e.fingerprint !== 'string') {
    throw new InvalidOptionError('experiment', e, 'an experiment file path, or an Experiment from loadExperiment()');
  }
  return { experiment: e, source: source ?? null, file: null };
}
