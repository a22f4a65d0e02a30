import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ExperimentError } from '../errors/experiment-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { LivemigError } from '../errors/livemig-error.js';
import { ALGORITHMS, type AlgorithmName } from '../model/algorithms.js';
import type { ControllerName } from '../model/controllers.js';
import { type MigrationOptions } from '../model/options.js';
import { type PolicyOptions, parsePolicy, policyLabel, policyScenario } from '../api/policy.js';
import { OPTION_FIELDS, resolveOptions } from '../api/resolve.js';
import { DEFAULT_WORKLOAD } from '../model/workloads.js';
import { resolveController } from '../policies/controllers/registry.js';
import { jsonPath } from './json-path.js';
import { OPTION_TABLE } from '../model/option-table.js';
import { checkedUnitValue, withUnitValues } from './unit-values.js';
import type { Experiment, ExperimentFile, ScenarioRun } from './types.js';

/** Most runs one experiment may expand to. */
export const MAX_RUNS = 1_000_000;
/** Fields an experiment sets elsewhere than in `base` or `axes`. */
const NOT_IN_BASE: Record<string, string> = {
  algorithm: 'policies', controller: 'policies', seed: 'seeds', hooks: 'nothing (library only)', trace: 'nothing (library only)',
};
const TOP_LEVEL = ['$schema', 'name', 'description', 'base', 'axes', 'seeds', 'policies'];

/** Largest experiment file read (a sweep of a million runs is a few kilobytes of JSON). */
export const MAX_EXPERIMENT_BYTES = 16 * 1024 * 1024;
/** Deepest nesting of arrays and objects an experiment file may have (real ones need 5 or so). */
export const MAX_EXPERIMENT_DEPTH = 64;
/** Names that are never an option path or a key: they would reach Object.prototype. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Reads and checks an experiment file. */
export function loadExperiment(file: string): Experiment {
  const text = readExperimentText(file);
  const depth = jsonDepth(text);
  if (depth > MAX_EXPERIMENT_DEPTH) {
    throw new LivemigError(`${file}: nested ${depth} levels deep; an experiment file may nest at most ${MAX_EXPERIMENT_DEPTH} levels of arrays and objects`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LivemigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return checkExperiment(json, file);
}

/**
 * The text of a regular file of at most MAX_EXPERIMENT_BYTES. Opened without blocking, so a FIFO is refused at
 * once rather than waited on, and checked before reading, so /dev/zero or a directory is never read.
 */
export function readExperimentText(file: string): string {
  const cannot = (why: string) => new LivemigError(`${file}: cannot read the experiment file (${why})`);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw cannot((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw cannot(`not a regular file: ${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a device' : 'a special file'}`);
    if (st.size > MAX_EXPERIMENT_BYTES) throw cannot(`${st.size} bytes; an experiment file may have at most ${MAX_EXPERIMENT_BYTES}`);
    // Read at most one byte past the cap, in case the file grows while being read.
    const buf = Buffer.alloc(Math.min(st.size, MAX_EXPERIMENT_BYTES) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    if (n > MAX_EXPERIMENT_BYTES) throw cannot(`more than ${MAX_EXPERIMENT_BYTES} bytes; an experiment file may have at most ${MAX_EXPERIMENT_BYTES}`);
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof LivemigError) throw e;
    throw cannot((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  } finally {
    closeSync(fd);
  }
}

/** Deepest nesting of [ and { in JSON text (brackets inside strings not counted), found without parsing it. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) { if (++depth > max) max = depth; }
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Checks a parsed experiment and expands it into runs; `file` names it in errors. */
export function checkExperiment(json: unknown, file = 'experiment'): Experiment {
  const fail = (path: (string | number)[], value: unknown, accepted: string): never => {
    throw new ExperimentError(file, jsonPath(path), value, accepted);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail([], json, 'a JSON object');
  const x = json as Record<string, unknown>;
  for (const k of Object.keys(x)) if (!TOP_LEVEL.includes(k)) fail([k], x[k], `no such field (fields: ${TOP_LEVEL.join(', ')})`);
  const e = x as unknown as ExperimentFile;
  if (typeof e.name !== 'string' || e.name.trim() === '') fail(['name'], e.name, 'a non-empty string');
  if (e.description !== undefined && typeof e.description !== 'string') fail(['description'], e.description, 'a string');

  // base: every field checked by the same rules as migrate()'s options.
  // An absent field takes its default; null is refused like any other wrong type.
  const given = (e.base === undefined ? {} : e.base) as Record<string, unknown>;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) fail(['base'], given, 'an object of scenario options');
  // Checked before the unit conversion copies the object: assigning "__proto__" there would set a prototype.
  for (const k of Object.keys(given)) {
    if (FORBIDDEN_KEYS.has(k)) fail(['base', k], given[k], 'a scenario option (never __proto__, constructor or prototype)');
  }
  // Unit strings ("1Gbit/s", "300ms") become base-unit numbers, as the CLI reads them.
  const base = withUnitValues(given, (path, v, accepted) => fail(['base', ...path], v, accepted));
  for (const k of Object.keys(base)) {
    if (Object.hasOwn(NOT_IN_BASE, k)) fail(['base', k], base[k], `not here: set it in ${NOT_IN_BASE[k]}`);
  }
  checkOptions(base, (field) => ['base', ...splitField(field)], fail);

  // axes: field path -> non-empty list; each value checked in place.
  const givenAxes = (e.axes === undefined ? {} : e.axes) as Record<string, unknown>;
  if (typeof givenAxes !== 'object' || givenAxes === null || Array.isArray(givenAxes)) fail(['axes'], givenAxes, 'an object mapping an option path to a list of values');
  const axes = Object.fromEntries(Object.entries(givenAxes).map(([name, values]) => [name, Array.isArray(values)
    ? values.map((v, i) => checkedUnitValue(name, v, typeof base['pageSize'] === 'number' ? base['pageSize'] : OPTION_TABLE.pageSize.default, (x, a) => fail(['axes', name, i], x, a)))
    : values]));
  const axisNames = Object.keys(axes);
  for (const name of axisNames) {
    const values = axes[name];
    const parts = name.split('.');
    const head = parts[0]!;
    if (parts.some((p) => FORBIDDEN_KEYS.has(p) || p === '')) {
      fail(['axes', name], values, 'an option path of dot-separated field names (never __proto__, constructor or prototype)');
    }
    if (!OPTION_FIELDS.has(head) || Object.hasOwn(NOT_IN_BASE, head)) {
      fail(['axes', name], values, `an option path such as bandwidthBytesPerSec or workload.writesPerSec (options: ${[...OPTION_FIELDS].filter((f) => !(f in NOT_IN_BASE)).join(', ')})`);
    }
    if (!Array.isArray(values) || values.length === 0) fail(['axes', name], values, 'a non-empty list of values');
    (values as unknown[]).forEach((v, i) => {
      // null would be recorded as the axis value while the run used some other one.
      if (v === null) fail(['axes', name, i], v, 'a value of the option (null is not one; leave a field out to take its default)');
      checkOptions(setPath(base, name, v), () => ['axes', name, i], fail);
    });
  }

  // seeds
  let seeds: number[] = [1];
  if (e.seeds !== undefined) {
    const isSeed = (s: unknown) => typeof s === 'number' && Number.isInteger(s) && s >= 0 && s <= 0xffffffff;
    if (Array.isArray(e.seeds)) {
      if (e.seeds.length === 0) fail(['seeds'], e.seeds, 'a non-empty list of seeds');
      e.seeds.forEach((s, i) => { if (!isSeed(s)) fail(['seeds', i], s, 'an integer from 0 to 4294967295'); });
      seeds = e.seeds;
    } else if (typeof e.seeds === 'object' && e.seeds !== null) {
      const given = e.seeds as Record<string, unknown>;
      for (const k of Object.keys(given)) if (k !== 'start' && k !== 'count') fail(['seeds', k], given[k], 'no such field (fields: start, count)');
      const { start, count } = given;
      if (!isSeed(start)) fail(['seeds', 'start'], start, 'an integer from 0 to 4294967295');
      // Seeds never wrap: the last one, start + count - 1, is a seed too.
      const maxCount = Math.min(MAX_RUNS, 0xffffffff - (start as number) + 1);
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > maxCount) {
        fail(['seeds', 'count'], count, `an integer from 1 to ${maxCount} (the last seed, start + count - 1, at most 4294967295)`);
      }
      seeds = Array.from({ length: count as number }, (_, i) => (start as number) + i);
    } else fail(['seeds'], e.seeds, 'a list of seeds or { "start": N, "count": N }');
  }

  // policies
  const policyEntries = e.policies === undefined ? ['qemu'] : e.policies;
  if (!Array.isArray(policyEntries) || policyEntries.length === 0) fail(['policies'], policyEntries, 'a non-empty list of policies');
  const policies = policyEntries.map((p, i) => checkPolicy(p, i, base, fail));
  const labels = new Set<string>();
  policies.forEach((p, i) => {
    if (labels.has(p.label)) fail(['policies', i], policyEntries[i], `a policy label not used before ("${p.label}" is; give a "label")`);
    labels.add(p.label);
  });

  // Expand: axes in file order (first outermost), then seeds, then policies innermost.
  const total = axisNames.reduce((n, name) => n * (axes[name] as unknown[]).length, 1) * seeds.length * policies.length;
  if (total > MAX_RUNS) fail(['axes'], `${total} runs`, `at most ${MAX_RUNS} runs (axes × seeds × policies)`);
  let points: Record<string, unknown>[] = [{}];
  for (const name of axisNames) {
    const next: Record<string, unknown>[] = [];
    for (const pt of points) for (const v of axes[name] as unknown[]) next.push({ ...pt, [name]: v });
    points = next;
  }
  // Each value was checked against the base alone; a combination can still be invalid (memory vs page size).
  const scenarios = points.map((params) => {
    let scenario: Record<string, unknown> = base;
    for (const [k, v] of Object.entries(params)) scenario = setPath(scenario, k, v);
    // A policy's options meet every combination too (a policy's downtime limit against an axis of page sizes).
    for (const p of [undefined, ...policies.filter((q) => q.options !== undefined)]) {
      try {
        resolveOptions({ ...(scenario as MigrationOptions), ...p?.options, ...(p ? { algorithm: p.algorithm } : {}) });
      } catch (err) {
        if (err instanceof InvalidOptionError || err instanceof LivemigError) {
          const why = err instanceof InvalidOptionError ? `${err.field} ${err.accepted}` : err.message;
          fail(['axes'], params, `axis values that work together${p ? ` with policy ${p.label}` : ''}; this combination fails: ${why}`);
        }
        throw err;
      }
    }
    return { params, scenario };
  });
  const runs: ScenarioRun[] = [];
  for (const { params, scenario } of scenarios) {
    for (const seed of seeds) {
      for (const p of policies) {
        const index = runs.length;
        runs.push({
          index,
          id: `p${index}`,
          params,
          seed,
          policy: p.label,
          options: { ...(scenario as MigrationOptions), ...p.options, algorithm: p.algorithm, controller: p.controller, seed },
        });
      }
    }
  }
  const canonical = JSON.stringify({ name: e.name, base: sortKeys(base), axes: axisNames.map((n) => [n, axes[n]]), seeds, policies });
  return {
    name: e.name,
    description: e.description ?? '',
    axisNames,
    runs,
    fingerprint: createHash('sha256').update(canonical).digest('hex'),
  };
}

type Fail = (path: (string | number)[], value: unknown, accepted: string) => never;

/** Runs migrate()'s option checks, turning an InvalidOptionError into an ExperimentError at `where(field)`. */
function checkOptions(options: Record<string, unknown>, where: (field: string) => (string | number)[], fail: Fail): void {
  try {
    resolveOptions(options as MigrationOptions);
  } catch (err) {
    if (err instanceof InvalidOptionError) fail(where(err.field), err.value, err.accepted);
    if (err instanceof LivemigError) fail(where('memoryBytes'), options['memoryBytes'], err.message);
    throw err;
  }
}

/** A policy entry checked: its label and what it sets in each run's options. */
interface CheckedPolicy { label: string; algorithm: MigrationOptions['algorithm']; controller: MigrationOptions['controller']; options?: PolicyOptions }

function checkPolicy(p: unknown, i: number, base: Record<string, unknown>, fail: Fail): CheckedPolicy {
  if (typeof p === 'string') {
    try {
      const parsed = parsePolicy(p);
      return { label: policyLabel(parsed), algorithm: parsed.algorithm, controller: parsed.controller, ...(parsed.options ? { options: parsed.options } : {}) };
    } catch (err) {
      if (err instanceof InvalidOptionError) fail(['policies', i], p, err.accepted);
      throw err;
    }
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) fail(['policies', i], p, 'a policy string like "xen+cpu-scheduling" or { "algorithm", "options", "controller", "label" }');
  const o = p as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['label', 'algorithm', 'options', 'controller'].includes(k)) fail(['policies', i, k], o[k], 'no such field (fields: label, algorithm, options, controller)');
  if (o['label'] !== undefined && (typeof o['label'] !== 'string' || o['label'] === '')) fail(['policies', i, 'label'], o['label'], 'a non-empty string');
  const algorithm = o['algorithm'];
  if (!ALGORITHMS.includes(algorithm as AlgorithmName)) fail(['policies', i, 'algorithm'], algorithm, `one of ${ALGORITHMS.join(', ')}`);
  let controllerName = 'none';
  try {
    const r = resolveController(o['controller'] as MigrationOptions['controller'], 'controller');
    controllerName = r.description === null ? 'none' : String(r.description['name']);
  } catch (err) {
    if (err instanceof InvalidOptionError) fail(['policies', i, ...splitField(err.field)], err.value, err.accepted);
    throw err;
  }
  const a = algorithm as AlgorithmName;
  const options = o['options'] as PolicyOptions | undefined;
  if (options !== undefined) {
    try {
      resolveOptions(policyScenario(base as MigrationOptions, { algorithm: a, options }, 'policy'));
    } catch (err) {
      if (err instanceof InvalidOptionError) {
        // A key that is not a policy's (the key is the value), or a value its row refuses.
        if (err.field === 'policy.options') fail(['policies', i, 'options'], err.value, err.accepted);
        if (err.field.startsWith('policy.options')) fail(['policies', i, 'options', String(err.value)], options[String(err.value) as keyof PolicyOptions], err.accepted);
        fail(['policies', i, 'options', ...splitField(err.field)], err.value, err.accepted);
      }
      throw err;
    }
  }
  const label = (o['label'] as string | undefined) ?? policyLabel({ algorithm: a, controller: controllerName as ControllerName, options });
  return { label, algorithm: a, controller: o['controller'] as MigrationOptions['controller'], ...(options ? { options } : {}) };
}

/** "workload[1].hotFraction" -> ["workload", 1, "hotFraction"]. */
function splitField(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[]+)((\[\d+\])*)$/.exec(part);
    if (!m) { out.push(part); continue; }
    out.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** A copy of `obj` with the dotted `path` set to `value`; a missing workload starts from the default one. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const out = { ...obj };
  if (rest.length === 0) {
    out[head!] = value;
    return out;
  }
  const inner = out[head!] ?? (head === 'workload' ? DEFAULT_WORKLOAD : {});
  out[head!] = Array.isArray(inner)
    ? inner.map((w) => setPath(w as Record<string, unknown>, rest.join('.'), value))
    : setPath(inner as Record<string, unknown>, rest.join('.'), value);
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}
