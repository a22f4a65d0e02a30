import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { CONTROLLERS, type ControllerName } from '../policies/controllers/registry.js';
import { ALGORITHMS, type AlgorithmName } from './options.js';

/** A policy to compare: a pre-copy algorithm, optionally with a controller on top ("xen+cpu-scheduling"). */
export interface Policy {
  algorithm: AlgorithmName;
  controller: ControllerName;
}

/** The policy's label: "xen", "qemu+auto-converge". */
export function policyLabel(p: Policy): string {
  return p.controller === 'none' ? p.algorithm : `${p.algorithm}+${p.controller}`;
}

/** Parses "algorithm[+controller]"; `field` names it in errors. */
export function parsePolicy(text: string, field = 'policy'): Policy {
  const accepted = `ALGORITHM[+CONTROLLER] with ALGORITHM one of ${ALGORITHMS.join(', ')} and CONTROLLER one of ${CONTROLLERS.join(', ')}`;
  if (typeof text !== 'string') throw new InvalidOptionError(field, text, accepted);
  const [a, c = 'none', ...rest] = text.trim().split('+');
  if (rest.length > 0 || !ALGORITHMS.includes(a as AlgorithmName) || !CONTROLLERS.includes(c as ControllerName)) {
    throw new InvalidOptionError(field, text, accepted);
  }
  return { algorithm: a as AlgorithmName, controller: c as ControllerName };
}
