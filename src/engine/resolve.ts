import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { CapacityError } from '../errors/capacity-error.js';
import { checkBoolean, checkNumber, checkOneOf } from './check.js';
import * as D from './defaults.js';
import { NUMERIC_OPTIONS, type NumericOption, type NumericOptionName } from './option-rules.js';
import { ALGORITHMS, type MigrationOptions } from './options.js';
import { checkWorkloadSpec, type WorkloadSpec } from '../workloads/spec.js';
import { MAX_PAGES, MAX_STREAMS, WASM_MEMORY_LIMIT_BYTES, WASM_RESERVED_BYTES, bytesPerPage } from '../core/page-store.js';
import type { ResolvedScenario } from '../report/types.js';
import { resolveController, type ResolvedController } from '../policies/controllers/registry.js';

/** Every field of MigrationOptions. */
export const OPTION_FIELDS: ReadonlySet<string> = new Set([
  'memoryBytes', 'pageSize', 'populatedFraction', 'vcpus', 'workload', 'bandwidthBytesPerSec', 'algorithm',
  'downtimeLimitMs', 'maxBandwidthBytesPerSec', 'setupTimeMs', 'deviceStateBytes', 'resumeTimeMs', 'maxTimeMs',
  'maxDataBytes', 'xenSkipRule', 'controller', 'seed', 'trace', 'hooks',
]);

/** The workload when none is given: one hot/cold writer per vCPU. */
export const DEFAULT_WORKLOAD: WorkloadSpec = { kind: D.DEFAULT_WORKLOAD_KIND, writesPerSec: D.DEFAULT_WRITES_PER_SEC };

/** Options checked, defaults filled in: what the engine runs on. */
export interface ResolvedOptions {
  scenario: ResolvedScenario;
  workloads: WorkloadSpec[];
  controller: ResolvedController;
  trace: boolean;
  hooks: NonNullable<MigrationOptions['hooks']>;
}

/** Checks every option, naming the field and the accepted range on the first bad one. */
export function resolveOptions(options: MigrationOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError('options', options, 'an options object');
  for (const key of Object.keys(options)) {
    if (!OPTION_FIELDS.has(key)) throw new InvalidOptionError(key, (options as Record<string, unknown>)[key], `a known option (${[...OPTION_FIELDS].join(', ')})`);
  }
  const o = options;
  const given = o as Record<string, unknown>;
  const num = (field: NumericOptionName): number => {
    const spec: NumericOption = NUMERIC_OPTIONS[field];
    return checkNumber(field, given[field] ?? spec.default, spec.rule);
  };
  const pageSize = num('pageSize');
  if ((pageSize & (pageSize - 1)) !== 0) throw new InvalidOptionError('pageSize', pageSize, 'a power of two from 512 B to 1 GiB');
  const memoryBytes = num('memoryBytes');
  if (memoryBytes % pageSize !== 0) {
    throw new InvalidOptionError('memoryBytes', memoryBytes, `a whole number of ${pageSize} B pages`);
  }
  const pages = memoryBytes / pageSize;
  const trace = checkBoolean('trace', o.trace ?? false);
  const need = Math.ceil(pages * bytesPerPage(trace)) + WASM_RESERVED_BYTES;
  if (need > WASM_MEMORY_LIMIT_BYTES) {
    throw new CapacityError('memoryBytes', need, WASM_MEMORY_LIMIT_BYTES, trace
      ? `the VM needs ${need} bytes of Wasm memory for its page bitmaps and per-page traces (8 B per page), more than ` +
        `the core can address (${WASM_MEMORY_LIMIT_BYTES} bytes); turn tracing off or use fewer pages`
      : undefined);
  }
  if (pages > MAX_PAGES) {
    throw new CapacityError('memoryBytes', need, WASM_MEMORY_LIMIT_BYTES,
      `${pages} pages of ${pageSize} B; the core indexes at most ${MAX_PAGES} pages (32-bit page numbers): use a larger page size`);
  }

  const populatedFraction = num('populatedFraction');
  const wl = o.workload ?? DEFAULT_WORKLOAD;
  const defaults = { hotFraction: D.DEFAULT_HOT_FRACTION, hotProbability: D.DEFAULT_HOT_PROBABILITY };
  let workloads: WorkloadSpec[];
  let vcpus: number;
  if (Array.isArray(wl)) {
    if (wl.length < 1 || wl.length > MAX_STREAMS) throw new InvalidOptionError('workload', wl, `a list of 1 to ${MAX_STREAMS} workload specs (one per vCPU)`);
    vcpus = checkNumber('vcpus', o.vcpus ?? wl.length, NUMERIC_OPTIONS.vcpus.rule);
    if (vcpus !== wl.length) throw new InvalidOptionError('vcpus', vcpus, `the length of the workload list (${wl.length})`);
    workloads = wl.map((w, i) => checkWorkloadSpec(w, `workload[${i}]`, defaults));
  } else {
    vcpus = num('vcpus');
    const one = checkWorkloadSpec(wl, 'workload', defaults);
    workloads = Array.from({ length: vcpus }, () => one);
  }

  const bandwidthBytesPerSec = num('bandwidthBytesPerSec');
  const algorithm = checkOneOf('algorithm', o.algorithm ?? D.DEFAULT_ALGORITHM, ALGORITHMS);
  const downtimeLimitMs = num('downtimeLimitMs');
  const maxBandwidthBytesPerSec = num('maxBandwidthBytesPerSec');
  const setupTimeMs = num('setupTimeMs');
  const deviceStateBytes = num('deviceStateBytes');
  const resumeTimeMs = num('resumeTimeMs');
  const maxTimeMs = num('maxTimeMs');
  const maxDataBytes = o.maxDataBytes === undefined ? null : num('maxDataBytes');
  const xenSkipRule = checkBoolean('xenSkipRule', o.xenSkipRule ?? true);
  const seed = num('seed');
  const hooks = o.hooks ?? {};
  if (typeof hooks !== 'object' || hooks === null) throw new InvalidOptionError('hooks', hooks, 'an object of callbacks');
  for (const [k, v] of Object.entries(hooks)) {
    if (v !== undefined && typeof v !== 'function') throw new InvalidOptionError(`hooks.${k}`, v, 'a function');
  }
  const controller = resolveController(o.controller, 'controller');

  return {
    scenario: {
      memoryBytes, pageSize, pages, populatedFraction, vcpus,
      workloads: workloads.map((w) => ({ ...w })),
      bandwidthBytesPerSec, algorithm, downtimeLimitMs, maxBandwidthBytesPerSec, setupTimeMs, deviceStateBytes,
      resumeTimeMs, maxTimeMs, maxDataBytes, xenSkipRule, controller: controller.description, seed,
    },
    workloads,
    controller,
    trace,
    hooks,
  };
}
