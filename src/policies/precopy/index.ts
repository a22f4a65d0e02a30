import type { AlgorithmName } from '../../model/algorithms.js';
import type { PrecopyAlgorithm } from './algorithm.js';
import { qemu } from './qemu.js';
import { xen } from './xen.js';
import { simgrid } from './simgrid.js';
import { stopAndCopy } from './stop-and-copy.js';

/** The built-in pre-copy algorithms by name. */
export const PRECOPY_ALGORITHMS: Readonly<Record<AlgorithmName, PrecopyAlgorithm>> = {
  qemu,
  xen,
  simgrid,
  'stop-and-copy': stopAndCopy,
};

export type { PrecopyAlgorithm, PrecopyOutcome } from './algorithm.js';
