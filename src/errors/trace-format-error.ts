import { LivemigError } from './livemig-error.js';

/**
 * Thrown for a trace file that cannot be read: truncated, corrupt, or not a livemig trace. `offset` is the
 * byte of the file where it breaks (for NDJSON, the start of the offending line), so the damage can be found
 * with `xxd -s OFFSET` or `tail -c +OFFSET`.
 */
export class TraceFormatError extends LivemigError {
  override name = 'TraceFormatError';
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`${file}: not a valid trace at byte offset ${offset}: ${problem}`);
  }
}
