/** Pre-copy algorithms livemig emulates; each lives in src/policies/precopy/. */
export const ALGORITHMS = ['qemu', 'xen', 'simgrid', 'stop-and-copy'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];
