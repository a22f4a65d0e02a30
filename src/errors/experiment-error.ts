import { LivemigError } from './livemig-error.js';
import { previewValue } from './preview.js';

/** Thrown for a malformed experiment file: names the file, the JSON path, the value and what is accepted. */
export class ExperimentError extends LivemigError {
  override name = 'ExperimentError';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`${file}: invalid ${path}: ${previewValue(value)}; expected ${accepted}`);
  }
}
