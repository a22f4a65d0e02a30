import { LivemigError } from './livemig-error.js';

/** Thrown for a malformed experiment file: names the file, the JSON path, the value and what is accepted. */
export class ExperimentError extends LivemigError {
  override name = 'ExperimentError';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`${file}: invalid ${path}: ${show(value)}; expected ${accepted}`);
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}
