import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { CapacityError } from '../errors/capacity-error.js';
import { checkBoolean, checkNumber, checkOneOf } from './check.js';
import * as D from './defaults.js';
import { ALGORITHMS, type MigrationOptions } from './options.js';
import { checkWorkloadSpec, type WorkloadSpec } from '../workloads/spec.js';
import { MAX_STREAMS, WASM_MEMORY_LIMIT_BYTES, WASM_RESERVED_BYTES, bytesPerPage } from '../core/page-store.js';
import type { ResolvedScenario } from '../report/types.js';
import { resolveController, type ResolvedController } from '../policies/controllers/registry.js';

const KNOWN_FIELDS = new Set([
  'memoryBytes', 'pageSize', 'populatedFraction', 'vcpus', 'workload', 'bandwidthBytesPerSec', 'algorithm',
  'downtimeLimitMs', 'maxBandwidthBytesPerSec', 'setupTimeMs', 'deviceStateBytes', 'resumeTimeMs', 'maxTimeMs',
  'maxDataBytes', 'xenSkipRule', 'controller', 'seed', 'trace', 'hooks',
]);

/** Largest page count the core can hold without tracing. */
export const MAX_PAGES = Math.floor((WASM_MEMORY_LIMIT_BYTES - WASM_RESERVED_BYTES) / bytesPerPage(false));

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
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', options, 'an options object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_FIELDS.has(key)) throw new InvalidOptionError(key, (options as Record<string, unknown>)[key], `a known option (${[...KNOWN_FIELDS].join(', ')})`);
  }
  const o = options;
  const pageSize = checkNumber('pageSize', o.pageSize ?? D.DEFAULT_PAGE_SIZE, { min: 512, max: D.GiB, integer: true, unit: 'B' });
  if ((pageSize & (pageSize - 1)) !== 0) throw new InvalidOptionError('pageSize', pageSize, 'a power of two from 512 B to 1 GiB');
  const memoryBytes = checkNumber('memoryBytes', o.memoryBytes ?? D.DEFAULT_MEMORY_BYTES, { min: pageSize, integer: true, unit: 'B' });
  if (memoryBytes % pageSize !== 0) {
    throw new InvalidOptionError('memoryBytes', memoryBytes, `a whole number of ${pageSize} B pages`);
  }
  const pages = memoryBytes / pageSize;
  const trace = checkBoolean('trace', o.trace ?? false);
  const need = Math.ceil(pages * bytesPerPage(trace)) + WASM_RESERVED_BYTES;
  if (pages > 0xffffffff || need > WASM_MEMORY_LIMIT_BYTES) throw new CapacityError('memoryBytes', need, WASM_MEMORY_LIMIT_BYTES);

  const populatedFraction = checkNumber('populatedFraction', o.populatedFraction ?? D.DEFAULT_POPULATED_FRACTION, { min: 0, max: 1 });
  const wl = o.workload ?? { kind: 'hot-cold', writesPerSec: D.DEFAULT_WRITES_PER_SEC };
  const defaults = { hotFraction: D.DEFAULT_HOT_FRACTION, hotProbability: D.DEFAULT_HOT_PROBABILITY };
  let workloads: WorkloadSpec[];
  let vcpus: number;
  if (Array.isArray(wl)) {
    if (wl.length < 1 || wl.length > MAX_STREAMS) throw new InvalidOptionError('workload', wl, `a list of 1 to ${MAX_STREAMS} workload specs (one per vCPU)`);
    vcpus = checkNumber('vcpus', o.vcpus ?? wl.length, { min: 1, max: MAX_STREAMS, integer: true });
    if (vcpus !== wl.length) throw new InvalidOptionError('vcpus', vcpus, `the length of the workload list (${wl.length})`);
    workloads = wl.map((w, i) => checkWorkloadSpec(w, `workload[${i}]`, defaults));
  } else {
    vcpus = checkNumber('vcpus', o.vcpus ?? D.DEFAULT_VCPUS, { min: 1, max: MAX_STREAMS, integer: true });
    const one = checkWorkloadSpec(wl, 'workload', defaults);
    workloads = Array.from({ length: vcpus }, () => one);
  }

  const bandwidthBytesPerSec = checkNumber('bandwidthBytesPerSec', o.bandwidthBytesPerSec ?? D.DEFAULT_LINK_BYTES_PER_SEC, {
    min: 0, minExclusive: true, max: 1e13, unit: 'B/s',
  });
  const algorithm = checkOneOf('algorithm', o.algorithm ?? 'qemu', ALGORITHMS);
  const downtimeLimitMs = checkNumber('downtimeLimitMs', o.downtimeLimitMs ?? D.DEFAULT_DOWNTIME_LIMIT_MS, {
    min: 0, minExclusive: true, max: 2_000_000, unit: 'ms',
  });
  const maxBandwidthBytesPerSec = checkNumber('maxBandwidthBytesPerSec', o.maxBandwidthBytesPerSec ?? D.DEFAULT_MAX_BANDWIDTH_BYTES_PER_SEC, {
    min: 0, minExclusive: true, max: 1e13, unit: 'B/s',
  });
  const setupTimeMs = checkNumber('setupTimeMs', o.setupTimeMs ?? D.DEFAULT_SETUP_TIME_MS, { min: 0, max: 3_600_000, unit: 'ms' });
  const deviceStateBytes = checkNumber('deviceStateBytes', o.deviceStateBytes ?? D.DEFAULT_DEVICE_STATE_BYTES, { min: 0, max: 1e12, unit: 'B' });
  const resumeTimeMs = checkNumber('resumeTimeMs', o.resumeTimeMs ?? D.DEFAULT_RESUME_TIME_MS, { min: 0, max: 3_600_000, unit: 'ms' });
  const maxTimeMs = checkNumber('maxTimeMs', o.maxTimeMs ?? D.DEFAULT_MAX_TIME_MS, { min: 0, minExclusive: true, max: 1e9, unit: 'ms' });
  const maxDataBytes = o.maxDataBytes === undefined ? null
    : checkNumber('maxDataBytes', o.maxDataBytes, { min: 0, minExclusive: true, unit: 'B' });
  const xenSkipRule = checkBoolean('xenSkipRule', o.xenSkipRule ?? true);
  const seed = checkNumber('seed', o.seed ?? D.DEFAULT_SEED, { min: 0, max: 0xffffffff, integer: true });
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
