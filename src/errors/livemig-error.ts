/** Base class of every error livemig throws on purpose; catch this to tell them from bugs. */
export class LivemigError extends Error {
  override name = 'LivemigError';
}
