import { LivemigError } from './livemig-error.js';

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
    super(`invalid ${field}: ${describe(value)}; expected ${accepted}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
