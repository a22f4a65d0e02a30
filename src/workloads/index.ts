import type { WorkloadSpec } from './spec.js';
import type { Workload } from './workload.js';
import { IdleWorkload } from './idle.js';
import { ComputeWorkload } from './compute.js';
import { UniformWorkload } from './uniform.js';
import { HotColdWorkload } from './hot-cold.js';
import { SequentialWorkload } from './sequential.js';
import { regionPages } from './region.js';
import { ZipfWorkload } from './zipf.js';
import { DriftingHotSetWorkload } from './drifting-hot-set.js';
import { PhasesWorkload } from './phases.js';
import { TraceReplayWorkload } from './trace-replay.js';
import { DEFAULT_DRIFT_PER_SEC, DEFAULT_ZIPF_EXPONENT } from './spec.js';
import { DEFAULT_HOT_FRACTION, DEFAULT_HOT_PROBABILITY, DEFAULT_PAGE_SIZE } from '../engine/defaults.js';

/**
 * Builds the workload a checked spec describes, for a VM of `pages` pages of `pageSizeBytes`, drawing from
 * PRNG `stream`; `field` names the spec in errors (a trace that does not fit).
 */
export function createWorkload(spec: WorkloadSpec, pages: number, stream: number, pageSizeBytes = DEFAULT_PAGE_SIZE, field = `workload[${stream}]`): Workload {
  switch (spec.kind) {
    case 'idle':
      return new IdleWorkload();
    case 'compute':
      return new ComputeWorkload();
    case 'uniform':
      return new UniformWorkload(spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize), stream);
    case 'hot-cold':
      return new HotColdWorkload(
        spec.writesPerSec,
        regionPages(pages, spec.regionStart, spec.regionSize),
        spec.hotFraction ?? DEFAULT_HOT_FRACTION,
        spec.hotProbability ?? DEFAULT_HOT_PROBABILITY,
        stream,
      );
    case 'sequential':
      return new SequentialWorkload(spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize));
    case 'zipf':
      return new ZipfWorkload(spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize), spec.exponent ?? DEFAULT_ZIPF_EXPONENT, spec.scatter ?? true, stream);
    case 'drifting-hot-set':
      return new DriftingHotSetWorkload(
        spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize), spec.hotFraction ?? DEFAULT_HOT_FRACTION,
        spec.hotProbability ?? DEFAULT_HOT_PROBABILITY, spec.driftPerSec ?? DEFAULT_DRIFT_PER_SEC, stream,
      );
    case 'phases':
      // Every phase draws from the vCPU's one stream, in turn.
      return new PhasesWorkload(spec.phases.map((p, i) => ({
        durationMs: p.durationMs, workload: createWorkload(p.workload, pages, stream, pageSizeBytes, `${field}.phases[${i}].workload`),
      })), spec.loop ?? false);
    case 'trace':
      return new TraceReplayWorkload(spec.file, regionPages(pages, spec.regionStart, spec.regionSize), {
        placement: spec.placement ?? 'offset', loop: spec.loop ?? true, speed: spec.speed ?? 1, vmPageSizeBytes: pageSizeBytes, field,
      });
  }
}

export type { Workload, PageRange } from './workload.js';
export * from './spec.js';
