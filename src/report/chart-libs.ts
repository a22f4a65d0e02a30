/**
 * Vega and Vega-Lite, loaded only when a report is drawn. They are optional peer dependencies (11 of livemig's
 * 27 MB installed), so `migrate()` users never install them; `livemig report` says how to get them when missing.
 */
import { createRequire } from 'node:module';
import { LivemigError } from '../errors/livemig-error.js';

export const CHART_LIBS_MISSING =
  'livemig report draws its charts with vega and vega-lite, which are not installed (they are optional: the library ' +
  'does not need them). Install them next to livemig: npm install vega vega-lite (or npm install -g vega vega-lite ' +
  'for a global livemig)';

/** A module-not-found error for vega or vega-lite as the message above; anything else unchanged. */
export function chartLibraryError(err: unknown): unknown {
  const e = err as { code?: string; message?: string } | null;
  const missing = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND';
  return missing && /vega/.test(e?.message ?? '') ? new LivemigError(CHART_LIBS_MISSING) : err;
}

export async function loadVegaLite(): Promise<typeof import('vega-lite')> {
  try {
    return await import('vega-lite');
  } catch (err) {
    throw chartLibraryError(err);
  }
}

export async function loadVega(): Promise<typeof import('vega')> {
  try {
    return await import('vega');
  } catch (err) {
    throw chartLibraryError(err);
  }
}

/** The path of vega's package entry (for its browser build and license), or the message above. */
export function resolveVega(): string {
  try {
    return createRequire(import.meta.url).resolve('vega');
  } catch (err) {
    throw chartLibraryError(err);
  }
}
