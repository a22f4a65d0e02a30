import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { ALGORITHMS, type AlgorithmName } from '../model/algorithms.js';
import { CONTROLLERS, CONTROLLER_TABLE, type BuiltInControllerName, type ControllerName } from '../model/controllers.js';
import type { FieldSpec, FieldTable } from '../model/fields.js';
import { parseDuration } from '../units.js';
import { closest, didYouMean } from '../model/suggest.js';
import type { ControllerOption, MigrationOptions } from '../model/options.js';
import { resolveController } from '../policies/controllers/registry.js';
import { MANAGERS } from '../model/managers.js';
import { resolveManagement } from '../policies/management/registry.js';

/** A policy to compare: a pre-copy algorithm, optionally with a controller on top. */
export interface Policy {
  algorithm: AlgorithmName;
  /** A controller name, a name with parameters, or your own Controller. @default 'none' */
  controller?: ControllerOption;
  /** A management layer driving QEMU, as the management option's text ("nova:live_migration_downtime=400"). @default 'none' */
  management?: string;
  /** Shown in tables and results. @default "ALGORITHM" or "ALGORITHM+CONTROLLER", then "@MANAGER..." */
  label?: string;
}

/** The migrate() options a policy sets on top of a scenario: the algorithm, the controller, the management layer. */
export function policyOptions(p: Policy): Pick<MigrationOptions, 'algorithm' | 'controller' | 'management'> {
  return { algorithm: p.algorithm, controller: p.controller ?? 'none', ...(p.management === undefined ? {} : { management: p.management }) };
}

/** The policy's label: its own, or "xen", "qemu+auto-converge". */
export function policyLabel(p: Policy): string {
  if (p.label !== undefined) return p.label;
  const c = p.controller;
  const name = c === undefined ? 'none' : typeof c === 'string' ? c : c.name;
  const head = name === 'none' ? p.algorithm : `${p.algorithm}+${name}`;
  return p.management === undefined || p.management === 'none' ? head : `${head}@${p.management}`;
}

const ACCEPTED_POLICY =
  `ALGORITHM[+CONTROLLER[:key=value,...]][@MANAGER[:key=value,...]] with ALGORITHM one of ${ALGORITHMS.join(', ')}, CONTROLLER one of ` +
  `${CONTROLLERS.join(', ')} and MANAGER one of ${MANAGERS.join(', ')}, e.g. xen+cpu-scheduling:targetRound=4 or qemu+auto-converge@nova:live_migration_completion_timeout=400`;

/**
 * Parses "algorithm[+controller[:key=value,...]][@manager[:key=value,...]]" (labelled with that text); `field`
 * names it in errors. The management layer comes last, so its commas are its own.
 */
export function parsePolicy(text: string, field = 'policy'): Policy {
  if (typeof text !== 'string') throw new InvalidOptionError(field, text, ACCEPTED_POLICY);
  const at = text.indexOf('@');
  if (at >= 0) {
    const management = text.slice(at + 1).trim();
    const head = parsePolicy(text.slice(0, at), field);
    resolveManagement(management, `${field} @${management.split(':')[0]}`);
    return { ...head, management, label: text.trim() };
  }
  const trimmed = text.trim();
  const plus = trimmed.indexOf('+');
  const a = plus < 0 ? trimmed : trimmed.slice(0, plus);
  if (!ALGORITHMS.includes(a as AlgorithmName)) {
    const fix = closest(a, ALGORITHMS);
    throw new InvalidOptionError(field, text, `${ACCEPTED_POLICY}${fix === undefined ? '' : ` (did you mean ${fix}${trimmed.slice(a.length)}?)`}`);
  }
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
  if (!CONTROLLERS.includes(name as ControllerName)) throw new InvalidOptionError(field, text, `${accepted}${didYouMean(name, CONTROLLERS)}`);
  if (colon < 0) return name as ControllerName;
  const table: FieldTable = name === 'none' ? {} : CONTROLLER_TABLE[name as BuiltInControllerName].params;
  const spec: Record<string, unknown> = { name };
  for (const pair of text.slice(colon + 1).split(',')) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(pair.trim());
    if (!m) throw new InvalidOptionError(field, text, 'controller parameters as key=value separated by commas');
    const key = m[1]!;
    // A misspelt key is the key's fault, not the value's: name the key and the ones that exist.
    if (!Object.hasOwn(table, key)) {
      const keys = Object.keys(table);
      throw new InvalidOptionError(`${field} parameter`, key, `a parameter of ${name}${didYouMean(key, keys)}: ${keys.length > 0 ? keys.join(', ') : 'it takes none'}`);
    }
    spec[key] = paramValue(`${field} (${key})`, table[key], m[2]!);
  }
  return spec as ControllerOption;
}

/** A parameter's text as its kind reads it; an unknown key keeps its text, for the controller's own check to name. */
function paramValue(field: string, f: FieldSpec | undefined, raw: string): unknown {
  // The parameter's name carries its unit (periodMs), so a bare number is read in it.
  if (f?.kind === 'duration') return parseDuration(field, raw, { bare: true });
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

const ACCEPTED_CONTROLLER = `one of ${CONTROLLERS.join(', ')}, optionally followed by :key=value,...`;
