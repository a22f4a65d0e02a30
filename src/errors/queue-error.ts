import { LivemigError } from './livemig-error.js';

/** A queue sweep the user must fix: Redis unreachable or refusing the password, a sweep collected elsewhere, failed runs. */
export class QueueError extends LivemigError {
  override name = 'QueueError';
}
