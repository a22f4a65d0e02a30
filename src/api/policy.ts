import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { ALGORITHMS, type AlgorithmName } from '../model/algorithms.js';
import { CONTROLLERS, CONTROLLER_TABLE, type BuiltInControllerName, type ControllerName } from '../model/controllers.js';
import type { FieldSpec, FieldTable } from '../model/fields.js';
import { parseDuration } from '../units.js';
import type { ControllerOption } from '../model/options.js';
import { resolveController } from '../policies/controllers/registry.js';

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

/**
 * "name" or "name:key=value,key=value" -> a controller option. Each value is read by its parameter's kind in the
 * controller table: true/false, an enum word, a duration with a unit (2ms) or a plain number.
 */
export function parseControllerSpec(text: string, field = 'controller', accepted = ACCEPTED_CONTROLLER): ControllerOption {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!CONTROLLERS.includes(name as ControllerName)) throw new InvalidOptionError(field, text, accepted);
  if (colon < 0) return name as ControllerName;
  const table: FieldTable = name === 'none' ? {} : CONTROLLER_TABLE[name as BuiltInControllerName].params;
  const spec: Record<string, unknown> = { name };
  for (const pair of text.slice(colon + 1).split(',')) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(pair.trim());
    if (!m) throw new InvalidOptionError(field, text, 'controller parameters as key=value separated by commas');
    spec[m[1]!] = paramValue(`${field} (${m[1]!})`, table[m[1]!], m[2]!);
  }
  return spec as ControllerOption;
}

/** A parameter's text as its kind reads it; an unknown key keeps its text, for the controller's own check to name. */
function paramValue(field: string, f: FieldSpec | undefined, raw: string): unknown {
  if (f?.kind === 'duration') return parseDuration(field, raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

const ACCEPTED_CONTROLLER = `one of ${CONTROLLERS.join(', ')}, optionally followed by :key=value,...`;
