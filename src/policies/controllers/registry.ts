import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { NO_CONTROLLER, type Controller } from '../../model/controller.js';
import { CONTROLLERS, checkControllerParams, type BuiltInControllerName } from '../../model/controllers.js';
import type { ControllerOption, ResolvedController } from '../../model/options.js';
import { AutoConvergeController } from './auto-converge.js';
import { CpuSchedulingController } from './cpu-scheduling.js';
import { DirtyLimitController } from './dirty-limit.js';
import { SdpsController } from './sdps.js';

/** The built-in controllers' classes, by name (their parameters are declared in src/model/controllers.ts). */
const BUILT_IN: Record<BuiltInControllerName, (p: Record<string, unknown>) => Controller> = {
  'cpu-scheduling': (p) => new CpuSchedulingController(p),
  'auto-converge': (p) => new AutoConvergeController(p),
  'dirty-limit': (p) => new DirtyLimitController(p),
  sdps: (p) => new SdpsController(p),
};

const NONE: ResolvedController = { create: () => NO_CONTROLLER, description: null };

function isController(o: object): o is Controller {
  const c = o as Partial<Controller>;
  return typeof c.onSync === 'function' || typeof c.onWindow === 'function' || typeof c.shouldStopAndCopy === 'function';
}

/** Checks a controller option; `field` names it in errors. */
export function resolveController(option: ControllerOption | undefined, field: string): ResolvedController {
  if (option === undefined || option === 'none') return NONE;
  const accepted = `one of ${CONTROLLERS.join(', ')}, { name, ...parameters }, or an object with a name and onSync/onWindow/shouldStopAndCopy`;
  if (typeof option === 'string') return resolveController({ name: option } as ControllerOption, field);
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
    return NONE;
  }
  if (typeof name !== 'string' || !Object.hasOwn(BUILT_IN, name)) throw new InvalidOptionError(`${field}.name`, name, `one of ${CONTROLLERS.join(', ')}`);
  const builtIn = name as BuiltInControllerName;
  const checked = checkControllerParams(builtIn, params, field) as Record<string, unknown>;
  return { create: () => BUILT_IN[builtIn](checked), description: { name, ...checked } };
}
