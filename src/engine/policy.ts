import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { CONTROLLERS, type ControllerName, type ControllerOption, resolveController } from '../policies/controllers/registry.js';
import { ALGORITHMS, type AlgorithmName } from './options.js';

/** A policy to compare: a pre-copy algorithm, optionally with a controller on top. */
export interface Policy {
  algorithm: AlgorithmName;
  /** A controller name, a name with parameters, or your own Controller. @default 'none' */
  controller?: ControllerOption;
  /** Shown in tables and results. @default "ALGORITHM" or "ALGORITHM+CONTROLLER" */
  label?: string;
}

/** The policy's label: its own, or "xen", "qemu+auto-converge". */
export function policyLabel(p: Policy): string {
  if (p.label !== undefined) return p.label;
  const c = p.controller;
  const name = c === undefined ? 'none' : typeof c === 'string' ? c : c.name;
  return name === 'none' ? p.algorithm : `${p.algorithm}+${name}`;
}

const ACCEPTED_POLICY =
  `ALGORITHM[+CONTROLLER[:key=value,...]] with ALGORITHM one of ${ALGORITHMS.join(', ')} and CONTROLLER one of ` +
  `${CONTROLLERS.join(', ')}, e.g. xen+cpu-scheduling:targetRound=4`;

/** Parses "algorithm[+controller[:key=value,...]]" (labelled with that text); `field` names it in errors. */
export function parsePolicy(text: string, field = 'policy'): Policy {
  if (typeof text !== 'string') throw new InvalidOptionError(field, text, ACCEPTED_POLICY);
  const trimmed = text.trim();
  const plus = trimmed.indexOf('+');
  const a = plus < 0 ? trimmed : trimmed.slice(0, plus);
  if (!ALGORITHMS.includes(a as AlgorithmName)) throw new InvalidOptionError(field, text, ACCEPTED_POLICY);
  if (plus < 0) return { algorithm: a as AlgorithmName, controller: 'none', label: trimmed };
  const controller = parseControllerSpec(trimmed.slice(plus + 1), field, ACCEPTED_POLICY);
  resolveController(controller, field);
  return { algorithm: a as AlgorithmName, controller, label: trimmed };
}

/** "name" or "name:key=value,key=value" (numbers and true/false converted) -> a controller option. */
export function parseControllerSpec(text: string, field = 'controller', accepted = ACCEPTED_CONTROLLER): ControllerOption {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!CONTROLLERS.includes(name as ControllerName)) throw new InvalidOptionError(field, text, accepted);
  if (colon < 0) return name as ControllerName;
  const spec: Record<string, unknown> = { name };
  for (const pair of text.slice(colon + 1).split(',')) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(pair.trim());
    if (!m) throw new InvalidOptionError(field, text, 'controller parameters as key=value separated by commas');
    const raw = m[2]!;
    spec[m[1]!] = raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return spec as ControllerOption;
}

const ACCEPTED_CONTROLLER = `one of ${CONTROLLERS.join(', ')}, optionally followed by :key=value,...`;
