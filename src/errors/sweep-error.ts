import { LivemigError } from './livemig-error.js';

/** A sweep the user must fix: a used output directory, a resume that does not match, a missing build. */
export class SweepError extends LivemigError {
  override name = 'SweepError';
}
