import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import type { Controller } from './controller.js';
import { AutoConvergeController, type AutoConvergeParams, checkAutoConvergeParams } from './auto-converge.js';
import { CpuSchedulingController, type CpuSchedulingParams, checkCpuSchedulingParams } from './cpu-scheduling.js';
import { DirtyLimitController, type DirtyLimitParams, checkDirtyLimitParams } from './dirty-limit.js';
import { SdpsController, type SdpsParams, checkSdpsParams } from './sdps.js';

/** Built-in controllers by name. */
export const CONTROLLERS = ['none', 'cpu-scheduling', 'auto-converge', 'dirty-limit', 'sdps'] as const;
export type ControllerName = (typeof CONTROLLERS)[number];

/** A built-in controller with its parameters. */
export type ControllerSpec =
  | { name: 'none' }
  | ({ name: 'cpu-scheduling' } & CpuSchedulingParams)
  | ({ name: 'auto-converge' } & AutoConvergeParams)
  | ({ name: 'dirty-limit' } & DirtyLimitParams)
  | ({ name: 'sdps' } & SdpsParams);

/**
 * A controller given by name (defaults), by name with parameters, or as your own: an object (its state carries
 * over if you reuse it for another run) or a factory called once per run.
 */
export type ControllerOption = ControllerName | ControllerSpec | Controller | (() => Controller);

/** A checked controller option: a factory (a fresh controller per run) and its JSON description. */
export interface ResolvedController {
  create(): Controller | null;
  description: Record<string, unknown> | null;
}

const BUILT_IN: Record<Exclude<ControllerName, 'none'>, {
  check(p: Record<string, unknown>, field: string): Record<string, unknown>;
  create(p: Record<string, unknown>): Controller;
}> = {
  'cpu-scheduling': { check: checkCpuSchedulingParams, create: (p) => new CpuSchedulingController(p) },
  'auto-converge': { check: checkAutoConvergeParams, create: (p) => new AutoConvergeController(p) },
  'dirty-limit': { check: checkDirtyLimitParams, create: (p) => new DirtyLimitController(p) },
  sdps: { check: checkSdpsParams, create: (p) => new SdpsController(p) },
};

function isController(o: object): o is Controller {
  const c = o as Partial<Controller>;
  return typeof c.onSync === 'function' || typeof c.onWindow === 'function' || typeof c.shouldStopAndCopy === 'function';
}

/** Checks a controller option; `field` names it in errors. */
export function resolveController(option: ControllerOption | undefined, field: string): ResolvedController {
  if (option === undefined || option === 'none') return { create: () => null, description: null };
  const accepted = `one of ${CONTROLLERS.join(', ')}, { name, ...parameters }, or an object with a name and onSync/onWindow/shouldStopAndCopy`;
  if (typeof option === 'string') return resolveController({ name: option } as ControllerSpec, field);
  if (typeof option === 'function') {
    const probe: unknown = option();
    if (typeof probe !== 'object' || probe === null || !isController(probe) || typeof probe.name !== 'string') {
      throw new InvalidOptionError(field, probe, 'a factory returning a Controller (a name and onSync/onWindow/shouldStopAndCopy)');
    }
    return { create: option, description: { name: probe.name, ...(probe.describe?.() ?? {}) } };
  }
  if (typeof option !== 'object' || option === null) throw new InvalidOptionError(field, option, accepted);
  if (isController(option)) {
    const userName: unknown = (option as { name?: unknown }).name;
    if (typeof userName !== 'string') throw new InvalidOptionError(`${field}.name`, userName, 'a string');
    return { create: () => option, description: { name: option.name, ...(option.describe?.() ?? {}) } };
  }
  const { name, ...params } = option as { name: unknown } & Record<string, unknown>;
  if (name === 'none') {
    if (Object.keys(params).length > 0) throw new InvalidOptionError(`${field}.${Object.keys(params)[0]}`, params, 'no parameters for none');
    return { create: () => null, description: null };
  }
  const entry = BUILT_IN[name as Exclude<ControllerName, 'none'>];
  if (entry === undefined) throw new InvalidOptionError(`${field}.name`, name, `one of ${CONTROLLERS.join(', ')}`);
  const checked = entry.check(params, field);
  const known = Object.keys(checked);
  for (const k of Object.keys(params)) {
    if (!known.includes(k)) throw new InvalidOptionError(`${field}.${k}`, params[k], `a parameter of ${String(name)} (${known.join(', ')})`);
  }
  return { create: () => entry.create(checked), description: { name, ...checked } };
}
