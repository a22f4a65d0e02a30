import { LivemigError } from './livemig-error.js';
import { previewValue } from './preview.js';

/**
 * Thrown when an option (library), flag (CLI) or experiment-file field is out of range or malformed.
 * `field` is the option's path (`bandwidthBytesPerSec`, `workload[1].hotFraction`, `--memory`), `accepted`
 * says what would be valid.
 */
export class InvalidOptionError extends LivemigError {
  override name = 'InvalidOptionError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`invalid ${field}: ${previewValue(value)}; expected ${accepted}`);
  }
}
