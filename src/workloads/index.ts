import type { PhaseSpec, WorkloadSpec } from '../model/workloads.js';
import { OPTION_TABLE } from '../model/option-table.js';
import type { Workload } from './workload.js';
import { NonWritingWorkload } from './non-writing.js';
import { UniformWorkload } from './uniform.js';
import { HotColdWorkload } from './hot-cold.js';
import { SequentialWorkload } from './sequential.js';
import { regionPages } from './region.js';
import { ZipfWorkload } from './zipf.js';
import { DriftingHotSetWorkload } from './drifting-hot-set.js';
import { PhasesWorkload } from './phases.js';
import { TraceReplayWorkload } from './trace-replay.js';

/**
 * Builds the workload a checked spec (every field filled in) describes, for a VM of `pages` pages of
 * `pageSizeBytes`, drawing from PRNG `stream`; `field` names the spec in errors (a trace that does not fit).
 */
export function createWorkload(
  spec: WorkloadSpec, pages: number, stream: number, pageSizeBytes = OPTION_TABLE.pageSize.default as number, field = 'workload',
): Workload {
  switch (spec.kind) {
    case 'idle':
    case 'compute':
      return new NonWritingWorkload(spec.kind);
    case 'uniform':
      return new UniformWorkload(spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize), stream);
    case 'hot-cold':
      return new HotColdWorkload(spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize), spec.hotFraction!, spec.hotProbability!, stream);
    case 'sequential':
      return new SequentialWorkload(spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize));
    case 'zipf':
      return new ZipfWorkload(spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize), spec.exponent!, spec.scatter!, stream);
    case 'drifting-hot-set':
      return new DriftingHotSetWorkload(
        spec.writesPerSec, regionPages(pages, spec.regionStart, spec.regionSize), spec.hotFraction!, spec.hotProbability!, spec.driftPerSec!, stream,
      );
    case 'phases':
      // Every phase draws from the vCPU's one stream, in turn.
      return new PhasesWorkload((spec.phases as PhaseSpec[]).map((p, i) => ({
        durationMs: p.durationMs, workload: createWorkload(p.workload, pages, stream, pageSizeBytes, `${field}.phases[${i}].workload`),
      })), spec.loop!);
    case 'trace':
      return new TraceReplayWorkload(spec.file, regionPages(pages, spec.regionStart, spec.regionSize), {
        placement: spec.placement as 'offset' | 'scatter', loop: spec.loop!, speed: spec.speed!, vmPageSizeBytes: pageSizeBytes, field,
      });
  }
}

export type { Workload, PageRange } from './workload.js';
