import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import type { Controller } from './controller.js';

/** Built-in controllers by name. */
export const CONTROLLERS = ['none'] as const;
export type ControllerName = (typeof CONTROLLERS)[number];

/** A controller given by name, by name with parameters, or as your own object. */
export type ControllerOption = ControllerName | ({ name: ControllerName } & Record<string, unknown>) | Controller;

/** A checked controller option: a factory (a fresh controller per run) and its JSON description. */
export interface ResolvedController {
  create(): Controller | null;
  description: Record<string, unknown> | null;
}

/** Checks a controller option; `field` names it in errors. */
export function resolveController(option: ControllerOption | undefined, field: string): ResolvedController {
  if (option === undefined || option === 'none') return { create: () => null, description: null };
  if (typeof option === 'object' && option !== null && typeof (option as Controller).name === 'string' &&
      (typeof (option as Controller).onSync === 'function' || typeof (option as Controller).onWindow === 'function')) {
    const c = option as Controller;
    return { create: () => c, description: { name: c.name, ...(c.describe?.() ?? {}) } };
  }
  throw new InvalidOptionError(field, option, `one of ${CONTROLLERS.join(', ')}, or an object with a name and onSync/onWindow`);
}
