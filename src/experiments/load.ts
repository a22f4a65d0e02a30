import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExperimentError } from '../errors/experiment-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { LivemigError } from '../errors/livemig-error.js';
import { ALGORITHMS, type AlgorithmName } from '../model/algorithms.js';
import { type MigrationOptions } from '../model/options.js';
import { parsePolicy, policyLabel } from '../api/policy.js';
import { OPTION_FIELDS, resolveOptions } from '../api/resolve.js';
import { DEFAULT_WORKLOAD } from '../model/workloads.js';
import { resolveController } from '../policies/controllers/registry.js';
import { jsonPath } from './json-path.js';
import type { Experiment, ExperimentFile, ScenarioRun } from './types.js';

/** Most runs one experiment may expand to. */
export const MAX_RUNS = 1_000_000;
/** Fields an experiment sets elsewhere than in `base` or `axes`. */
const NOT_IN_BASE: Record<string, string> = {
  algorithm: 'policies', controller: 'policies', seed: 'seeds', hooks: 'nothing (library only)', trace: 'nothing (library only)',
};
const TOP_LEVEL = ['$schema', 'name', 'description', 'base', 'axes', 'seeds', 'policies'];

/** Reads and checks an experiment file. */
export function loadExperiment(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LivemigError(`${file}: cannot read the experiment file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LivemigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return checkExperiment(json, file);
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
  const base = (e.base ?? {}) as Record<string, unknown>;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) fail(['base'], base, 'an object of scenario options');
  for (const k of Object.keys(base)) {
    if (k in NOT_IN_BASE) fail(['base', k], base[k], `not here: set it in ${NOT_IN_BASE[k]}`);
  }
  checkOptions(base, (field) => ['base', ...splitField(field)], fail);

  // axes: field path -> non-empty list; each value checked in place.
  const axes = (e.axes ?? {}) as Record<string, unknown>;
  if (typeof axes !== 'object' || axes === null || Array.isArray(axes)) fail(['axes'], axes, 'an object mapping an option path to a list of values');
  const axisNames = Object.keys(axes);
  for (const name of axisNames) {
    const values = axes[name];
    const head = name.split('.')[0]!;
    if (!OPTION_FIELDS.has(head) || head in NOT_IN_BASE) {
      fail(['axes', name], values, `an option path such as bandwidthBytesPerSec or workload.writesPerSec (options: ${[...OPTION_FIELDS].filter((f) => !(f in NOT_IN_BASE)).join(', ')})`);
    }
    if (!Array.isArray(values) || values.length === 0) fail(['axes', name], values, 'a non-empty list of values');
    (values as unknown[]).forEach((v, i) => checkOptions(setPath(base, name, v), () => ['axes', name, i], fail));
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
      const { start, count } = e.seeds as { start: unknown; count: unknown };
      if (!isSeed(start)) fail(['seeds', 'start'], start, 'an integer from 0 to 4294967295');
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_RUNS) fail(['seeds', 'count'], count, `an integer from 1 to ${MAX_RUNS}`);
      seeds = Array.from({ length: count as number }, (_, i) => ((start as number) + i) >>> 0);
    } else fail(['seeds'], e.seeds, 'a list of seeds or { "start": N, "count": N }');
  }

  // policies
  const policyEntries = e.policies ?? ['qemu'];
  if (!Array.isArray(policyEntries) || policyEntries.length === 0) fail(['policies'], policyEntries, 'a non-empty list of policies');
  const policies = policyEntries.map((p, i) => checkPolicy(p, i, fail));
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
    try {
      resolveOptions(scenario as MigrationOptions);
    } catch (err) {
      if (err instanceof InvalidOptionError || err instanceof LivemigError) {
        const why = err instanceof InvalidOptionError ? `${err.field} ${err.accepted}` : err.message;
        fail(['axes'], params, `axis values that work together; this combination fails: ${why}`);
      }
      throw err;
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
          options: { ...(scenario as MigrationOptions), algorithm: p.algorithm, controller: p.controller, seed },
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

function checkPolicy(p: unknown, i: number, fail: Fail): { label: string; algorithm: MigrationOptions['algorithm']; controller: MigrationOptions['controller'] } {
  if (typeof p === 'string') {
    try {
      const parsed = parsePolicy(p);
      return { label: policyLabel(parsed), algorithm: parsed.algorithm, controller: parsed.controller };
    } catch (err) {
      if (err instanceof InvalidOptionError) fail(['policies', i], p, err.accepted);
      throw err;
    }
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) fail(['policies', i], p, 'a policy string like "xen+cpu-scheduling" or { "algorithm", "controller", "label" }');
  const o = p as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['label', 'algorithm', 'controller'].includes(k)) fail(['policies', i, k], o[k], 'no such field (fields: label, algorithm, controller)');
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
  const label = (o['label'] as string | undefined) ?? (controllerName === 'none' ? a : `${a}+${controllerName}`);
  return { label, algorithm: a, controller: o['controller'] as MigrationOptions['controller'] };
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
