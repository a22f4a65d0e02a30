/**
 * Independent PRNG streams the Wasm core holds (one per vCPU workload), so the most vCPUs a VM may have. One
 * source for both sides: the core (assembly/index.ts) imports this file, so core and host cannot disagree.
 */
export const MAX_STREAMS = 1024;
