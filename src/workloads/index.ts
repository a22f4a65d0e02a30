import type { WorkloadSpec } from './spec.js';
import type { Workload } from './workload.js';
import { IdleWorkload } from './idle.js';
import { ComputeWorkload } from './compute.js';
import { UniformWorkload } from './uniform.js';
import { HotColdWorkload } from './hot-cold.js';
import { SequentialWorkload } from './sequential.js';
import { regionPages } from './region.js';
import { DEFAULT_HOT_FRACTION, DEFAULT_HOT_PROBABILITY } from '../engine/defaults.js';

/** Builds the workload a checked spec describes, for a VM of `pages` pages, drawing from PRNG `stream`. */
export function createWorkload(spec: WorkloadSpec, pages: number, stream: number): Workload {
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
  }
}

export type { Workload, PageRange } from './workload.js';
export * from './spec.js';
