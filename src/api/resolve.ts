import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { checkField, type FieldSpec } from '../model/fields.js';
import { checkCapacity } from '../model/limits.js';
import { OPTION_NAMES, OPTION_ROWS, OPTION_TABLE, type ResolvedScenario } from '../model/option-table.js';
import type { MigrationOptions, ResolvedOptions } from '../model/options.js';
import { DEFAULT_WORKLOAD, checkWorkloadSpec, type WorkloadSpec } from '../model/workloads.js';
import { resolveController } from '../policies/controllers/registry.js';
import { linkCapacityOf } from './link-capacity.js';
import { resolveManagement } from '../policies/management/registry.js';
import type { ResolvedManagement } from '../model/management.js';

/** Every field migrate() accepts: the option table's options and the hooks. */
export const OPTION_FIELDS: ReadonlySet<string> = new Set([...OPTION_NAMES, 'hooks']);

/** Internal switches that are not scenario options. */
export interface ResolveInternals {
  /** Allocate per-page write/send stamps (livemig's own consistency tests). */
  trace?: boolean;
  /**
   * estimate()'s reduced VM: the scenario is the real one with memory, rates and bytes divided by this; a
   * management layer still sees the real memory and its bandwidth settings are divided too (src/api/estimate.ts).
   */
  scale?: number;
}

/**
 * Checks every option against the option table, naming the field and the accepted range on the first bad one,
 * and fills in the defaults. An absent field takes its default; null is refused like any other wrong type.
 * The cross-field rules (a power-of-two page size, a whole number of pages, what the Wasm core can hold, vcpus
 * vs a workload list) are checked here as each field is reached.
 */
export function resolveOptions(options: MigrationOptions = {}, internals: ResolveInternals = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError('options', options, 'an options object');
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_FIELDS.has(key)) throw new InvalidOptionError(key, given[key], `a known option (${[...OPTION_FIELDS].join(', ')})`);
  }
  const trace = internals.trace === true;
  // Built in table order, so the report's scenario echo keeps that order; derived fields are filled in later.
  const s: Record<string, unknown> = {};
  let workloads: WorkloadSpec[] = [];
  let controller = resolveController(undefined, 'controller');
  let management: ResolvedManagement | null = null;
  for (const [name, row] of OPTION_ROWS) {
    if ('derived' in row || name === 'vcpus') {
      if (!(name in s)) s[name] = undefined;
      continue;
    }
    if (row.kind === 'workload') {
      workloads = resolveWorkloads(given['workload'], given['vcpus']);
      s['vcpus'] = workloads.length;
      s[row.echoAs!] = workloads.map((w) => ({ ...w }));
      continue;
    }
    if (row.kind === 'controller') {
      controller = resolveController(given['controller'] as MigrationOptions['controller'], 'controller');
      s[name] = controller.description;
      continue;
    }
    s[name] = checkField(name, row as FieldSpec, given[name], s);
    if (name === 'pageSize') checkPages(s, trace);
    if (name === 'management') {
      management = resolveManagement(s[name] as string, 'management');
      if (management !== null) controller = withManagement(management, s, controller);
    }
  }
  const hooks = given['hooks'] ?? {};
  if (typeof hooks !== 'object' || hooks === null) throw new InvalidOptionError('hooks', hooks, 'an object of callbacks');
  for (const [k, v] of Object.entries(hooks)) {
    if (v !== undefined && typeof v !== 'function') throw new InvalidOptionError(`hooks.${k}`, v, 'a function');
  }
  const scenario = s as ResolvedScenario;
  const linkCapacity = linkCapacityOf(scenario);
  return { scenario, workloads, controller, management, trace, hooks: hooks as ResolvedOptions['hooks'], linkCapacity, ...(internals.scale === undefined ? {} : { scale: internals.scale }) };
}

/** Page size a power of two, memory a whole number of pages, and a VM the core can hold; sets `pages`. */
function checkPages(s: Record<string, unknown>, trace: boolean): void {
  const pageSize = s['pageSize'] as number;
  const memoryBytes = s['memoryBytes'] as number;
  if ((pageSize & (pageSize - 1)) !== 0) throw new InvalidOptionError('pageSize', pageSize, 'a power of two from 512 B to 1 GiB');
  if (memoryBytes % pageSize !== 0) throw new InvalidOptionError('memoryBytes', memoryBytes, `a whole number of ${pageSize} B pages`);
  const pages = memoryBytes / pageSize;
  checkCapacity('memoryBytes', pages, trace, pageSize);
  s['pages'] = pages;
}

/** One checked spec per vCPU: a list gives one each (vcpus, if given, must match), a single spec is repeated. */
function resolveWorkloads(option: unknown, vcpusOption: unknown): WorkloadSpec[] {
  const vcpusRow = OPTION_TABLE.vcpus as FieldSpec;
  const wl = option === undefined ? DEFAULT_WORKLOAD : option;
  if (Array.isArray(wl)) {
    const max = vcpusRow.rule!.max!;
    if (wl.length < 1 || wl.length > max) throw new InvalidOptionError('workload', wl, `a list of 1 to ${max} workload specs (one per vCPU)`);
    const vcpus = checkField('vcpus', { ...vcpusRow, default: wl.length }, vcpusOption, {}) as number;
    if (vcpus !== wl.length) throw new InvalidOptionError('vcpus', vcpus, `the length of the workload list (${wl.length})`);
    return wl.map((w, i) => checkWorkloadSpec(w, `workload[${i}]`));
  }
  const vcpus = checkField('vcpus', vcpusRow, vcpusOption, {}) as number;
  const one = checkWorkloadSpec(wl, 'workload');
  return Array.from({ length: vcpus }, () => one);
}

/**
 * What a management layer needs of the rest of the scenario: QEMU (nova, KubeVirt and virsh drive it through
 * libvirt); its postcopy flag turns on postcopy-ram (postcopyRam); its auto-converge flag turns on the
 * auto-converge controller (defaults) when no controller is given and may not be combined with another one.
 */
function withManagement(m: ResolvedManagement, s: Record<string, unknown>, controller: ResolvedOptions['controller']): ResolvedOptions['controller'] {
  const text = s['management'];
  if (s['algorithm'] !== 'qemu') {
    throw new InvalidOptionError('management', text, `no management layer with algorithm ${String(s['algorithm'])} (nova, KubeVirt and virsh drive QEMU: use algorithm qemu)`);
  }
  // The layer's postcopy flag (VIR_MIGRATE_POSTCOPY) is QEMU's postcopy-ram capability.
  if (m.postcopy) s['postcopyRam'] = true;
  if (!m.autoConverge) return controller;
  const name = controller.description === null ? 'none' : String(controller.description['name']);
  if (name === 'auto-converge') return controller;
  if (name !== 'none') {
    throw new InvalidOptionError('management', text, `no auto-converge flag with controller ${name}: the ${m.spec.name} setting turns on QEMU's auto-converge, and one controller throttles the guest (drop one)`);
  }
  const c = resolveController('auto-converge', 'controller');
  s['controller'] = c.description;
  return c;
}
