/**
 * Policies: what `compare`, experiment files and presets put side by side. A policy is a pre-copy algorithm, the
 * scenario options it changes (XBZRLE, multifd, a downtime limit, ...) and optionally a controller on top; its
 * text form is ALGORITHM[{option=value,...}][+CONTROLLER[:key=value,...]][@MANAGER[:key=value,...]], the last part
 * setting the management option (a management layer driving QEMU: nova, kubevirt, libvirt-timeout).
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { ALGORITHMS, type AlgorithmName } from '../model/algorithms.js';
import { CONTROLLERS } from '../model/controllers.js';
import { OPTION_ROWS, type OptionSpec } from '../model/option-table.js';
import type { MigrationOptions } from '../model/options.js';
import { closest, didYouMean } from '../model/suggest.js';
import { resolveController } from '../policies/controllers/registry.js';
import { MANAGERS } from '../model/managers.js';
import { resolveManagement } from '../policies/management/registry.js';
import { parseControllerSpec } from './controller-spec.js';
import { formatOptionValue, parseOptionText } from './option-text.js';

export { parseControllerSpec } from './controller-spec.js';

/** Scenario options a policy may set: every scalar option but the algorithm, the controller and the seed. */
export type PolicyOptions = Omit<MigrationOptions, 'algorithm' | 'controller' | 'seed' | 'workload' | 'hooks'>;

/** A policy to compare: a pre-copy algorithm, the options it changes, optionally a controller on top. */
export interface Policy {
  algorithm: AlgorithmName;
  /** Scenario options this policy sets over the compared scenario's (the braces of the text form). @default {} */
  options?: PolicyOptions;
  /** A controller name, a name with parameters, or your own Controller. @default 'none' */
  controller?: MigrationOptions['controller'];
  /** Shown in tables and results. @default the text form: "qemu", "qemu{xbzrle}+auto-converge" */
  label?: string;
}

const NOT_IN_POLICY = new Set(['algorithm', 'controller', 'seed', 'workload']);

/** The option rows a policy's braces can set. */
const POLICY_ROWS: [string, OptionSpec][] = OPTION_ROWS.filter(([n, r]) => !NOT_IN_POLICY.has(n) && r.derived !== true);
/** A row's keys in braces: its policyKey, its CLI flag without the dashes, its migrate() name; the first is the label's. */
function keysOf(name: string, r: OptionSpec): string[] {
  return [...new Set([r.policyKey, r.flag?.replace(/^--/, ''), name].filter((k): k is string => k !== undefined))];
}
const BY_KEY = new Map<string, [string, OptionSpec]>(POLICY_ROWS.flatMap(([n, r]) => keysOf(n, r).map((k): [string, [string, OptionSpec]] => [k, [n, r]])));
/** A bare word inside braces: a boolean option's key (on), or a value of an enum row that allows it bare. */
const BARE = new Map<string, [string, OptionSpec, string | true]>([
  ...[...BY_KEY].filter(([, [, r]]) => r.kind === 'boolean').map(([k, [n, r]]) => [k, [n, r, true]] as [string, [string, OptionSpec, true]]),
  ...POLICY_ROWS.filter(([, r]) => r.bareValues === true).flatMap(([n, r]) => (r.values ?? []).map((v) => [v, [n, r, v]] as [string, [string, OptionSpec, string]])),
]);

export const POLICY_SYNTAX =
  `ALGORITHM[{option=value,...}][+CONTROLLER[:key=value,...]] with ALGORITHM one of ${ALGORITHMS.join(', ')}, options named ` +
  `by their flag without dashes or their migrate() name (a bare boolean turns it on) and CONTROLLER one of ${CONTROLLERS.join(', ')}, ` +
  `e.g. xen+cpu-scheduling:targetRound=4 or qemu{downtime-limit=500ms}+auto-converge, then optionally @MANAGER[:key=value,...] with MANAGER one of ${MANAGERS.join(', ')} ` +
  '(qemu+auto-converge@nova:live_migration_completion_timeout=400)';

/** The policy's label: its own, or its text form ("xen", "qemu{max-bandwidth=1Gbit/s}+auto-converge"). */
export function policyLabel(p: Policy): string {
  if (p.label !== undefined) return p.label;
  const c = p.controller;
  const name = c === undefined ? 'none' : typeof c === 'string' ? c : typeof c === 'function' ? 'custom' : c.name;
  const management = p.options?.management;
  const { management: _m, ...rest } = (p.options ?? {}) as PolicyOptions;
  const head = `${p.algorithm}${optionsText(p.options === undefined ? undefined : rest)}${name === 'none' ? '' : `+${name}`}`;
  return management === undefined || management === 'none' ? head : `${head}@${management}`;
}

/** "{key=value,...}" for a policy's options, in table order, each under its short key; "" for none. */
function optionsText(options: PolicyOptions | undefined): string {
  if (options === undefined) return '';
  const o = options as Record<string, unknown>;
  const parts = POLICY_ROWS.filter(([n]) => o[n] !== undefined).map(([n, r]) => {
    const v = o[n] as number | boolean | string;
    const key = keysOf(n, r)[0]!;
    if (v === true && r.kind === 'boolean') return key;
    if (r.bareValues === true && typeof v === 'string') return v;
    return `${key}=${formatOptionValue(r, v)}`;
  });
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/**
 * A policy as given to compare(), estimate() or the async jobs: its text form, or a Policy object (a non-null
 * object whose algorithm is a string; the algorithm itself is checked with the scenario). `field` names it in errors.
 */
export function toPolicy(p: unknown, field: string): Policy {
  if (typeof p === 'string') return parsePolicy(p, field);
  if (typeof p !== 'object' || p === null || Array.isArray(p) || typeof (p as { algorithm?: unknown }).algorithm !== 'string') {
    throw new InvalidOptionError(field, p, `${POLICY_SYNTAX}, or a Policy object { algorithm, controller?, options?, label? }`);
  }
  return p as Policy;
}

/** Parses the text form of a policy (labelled with that text); `field` names it in errors. */
export function parsePolicy(text: string, field = 'policy'): Policy {
  if (typeof text !== 'string') throw new InvalidOptionError(field, text, POLICY_SYNTAX);
  // The management layer comes last and its commas are its own: it sets the management option.
  const at = text.indexOf('@');
  if (at >= 0) {
    const management = text.slice(at + 1).trim();
    const head = parsePolicy(text.slice(0, at), field);
    resolveManagement(management, `${field} @${management.split(':')[0]}`);
    if (head.options?.management !== undefined) throw new InvalidOptionError(`${field} (management)`, text, 'a management layer once: in the braces or after @, not both');
    return { ...head, options: { ...head.options, management }, label: text.trim() };
  }
  const trimmed = text.trim();
  const m = /^([^{+]*)(\{[^}]*\})?(?:\+(.*))?$/s.exec(trimmed);
  if (m === null) throw new InvalidOptionError(field, text, `${POLICY_SYNTAX} (braces: one {...} right after the algorithm)`);
  const a = m[1]!.trim();
  if (!ALGORITHMS.includes(a as AlgorithmName)) {
    const fix = closest(a, ALGORITHMS);
    throw new InvalidOptionError(field, text, `${POLICY_SYNTAX}${fix === undefined ? '' : ` (did you mean ${fix}${trimmed.slice(m[1]!.length)}?)`}`);
  }
  const policy: Policy = { algorithm: a as AlgorithmName, controller: 'none', label: trimmed };
  if (m[2] !== undefined) policy.options = parseBraces(m[2].slice(1, -1), `${field} ${a}{…}`);
  if (m[3] !== undefined) {
    policy.controller = parseControllerSpec(m[3], field, POLICY_SYNTAX);
    resolveController(policy.controller, field);
  }
  return policy;
}

/** "multifd=4,zstd,xbzrle" -> options; each value read by its row's kind, each key named in errors. */
function parseBraces(body: string, field: string): PolicyOptions {
  const out: Record<string, unknown> = {};
  const pageSize = Number(OPTION_ROWS.find(([n]) => n === 'pageSize')![1].default);
  for (const raw of body.split(',')) {
    const part = raw.trim();
    if (part === '') throw new InvalidOptionError(field, `{${body}}`, 'option=value or a bare option name, separated by commas');
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    let name: string;
    let value: unknown;
    if (eq < 0) {
      const bare = BARE.get(key);
      if (bare === undefined) throw unknownKey(field, key, BY_KEY.has(key) ? `${key} needs a value: ${key}=...` : undefined);
      [name, , value] = bare;
    } else {
      const row = BY_KEY.get(key);
      if (row === undefined) throw unknownKey(field, key);
      name = row[0];
      value = parseOptionText(`${field} (${key})`, row[1], part.slice(eq + 1).trim(), pageSize);
    }
    if (Object.hasOwn(out, name)) throw new InvalidOptionError(`${field} (${key})`, part, `each option once (${name} is set twice)`);
    out[name] = value;
  }
  return out as PolicyOptions;
}

function unknownKey(field: string, key: string, why?: string): InvalidOptionError {
  const keys = [...BY_KEY.keys(), ...[...BARE.keys()].filter((k) => !BY_KEY.has(k))];
  return new InvalidOptionError(`${field} option`, key, why ?? `a scenario option (not algorithm, controller, seed or workload)${didYouMean(key, keys)}`);
}

/**
 * The scenario a policy runs: `base` with the policy's options, algorithm and controller on top. Options that
 * are not a policy's to set are refused here, naming `field`; their values are checked with the scenario's.
 */
export function policyScenario(base: MigrationOptions, p: Policy, field = 'policy'): MigrationOptions {
  const o = p.options;
  if (o !== undefined) {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InvalidOptionError(`${field}.options`, o, 'an object of scenario options');
    for (const k of Object.keys(o)) {
      if (!POLICY_ROWS.some(([n]) => n === k)) throw unknownKey(`${field}.options`, k, NOT_IN_POLICY.has(k) ? `not a policy option: ${k} is set ${k === 'seed' || k === 'workload' ? 'by the scenario' : 'by the policy itself'}` : undefined);
    }
  }
  return { ...base, ...o, algorithm: p.algorithm, controller: p.controller ?? 'none' };
}
