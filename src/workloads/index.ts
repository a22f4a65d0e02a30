import type { WorkloadSpec } from '../model/workloads.js';
import type { Workload } from './workload.js';
import { NonWritingWorkload } from './non-writing.js';
import { UniformWorkload } from './uniform.js';
import { HotColdWorkload } from './hot-cold.js';
import { SequentialWorkload } from './sequential.js';
import { regionPages } from './region.js';

/** Builds the workload a checked spec (every field filled in) describes, for a VM of `pages` pages, drawing from PRNG `stream`. */
export function createWorkload(spec: WorkloadSpec, pages: number, stream: number): Workload {
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
  }
}

export type { Workload, PageRange } from './workload.js';
