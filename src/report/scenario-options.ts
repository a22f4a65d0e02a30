import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { MigrationOptions } from '../engine/options.js';
import { CONTROLLERS, type ControllerOption } from '../policies/controllers/registry.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import type { ResolvedScenario } from './types.js';

/**
 * The migrate() options that reproduce a report: `migrate(scenarioOptions(report.scenario))` gives the same
 * report, bit for bit. A run with your own Controller object cannot be rebuilt from its description; pass
 * the controller again with `{ ...scenarioOptions(s), controller }`.
 */
export function scenarioOptions(s: ResolvedScenario): MigrationOptions {
  const c = s.controller;
  let controller: ControllerOption | undefined;
  if (c !== null) {
    if (!CONTROLLERS.includes(c['name'] as (typeof CONTROLLERS)[number])) {
      throw new InvalidOptionError('scenario.controller', c, 'a built-in controller (pass your own Controller object again)');
    }
    controller = c as ControllerOption;
  }
  return {
    memoryBytes: s.memoryBytes,
    pageSize: s.pageSize,
    populatedFraction: s.populatedFraction,
    vcpus: s.vcpus,
    workload: s.workloads as unknown as WorkloadSpec[],
    bandwidthBytesPerSec: s.bandwidthBytesPerSec,
    algorithm: s.algorithm,
    downtimeLimitMs: s.downtimeLimitMs,
    maxBandwidthBytesPerSec: s.maxBandwidthBytesPerSec,
    setupTimeMs: s.setupTimeMs,
    deviceStateBytes: s.deviceStateBytes,
    resumeTimeMs: s.resumeTimeMs,
    maxTimeMs: s.maxTimeMs,
    ...(s.maxDataBytes === null ? {} : { maxDataBytes: s.maxDataBytes }),
    xenSkipRule: s.xenSkipRule,
    ...(controller === undefined ? {} : { controller }),
    seed: s.seed,
  };
}
