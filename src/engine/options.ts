import type { MigrationHooks } from './hooks.js';
import type { WorkloadSpec } from '../workloads/spec.js';
import type { ControllerOption } from '../policies/controllers/registry.js';

/** Pre-copy algorithms livemig emulates; each lives in src/policies/precopy/. */
export const ALGORITHMS = ['qemu', 'xen', 'simgrid', 'stop-and-copy'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

/**
 * Options of one emulated migration. Every field is optional; its default is the named constant in
 * src/engine/defaults.ts given with `@default`. Sizes are bytes, rates bytes per second unless the
 * name says otherwise, times milliseconds.
 */
export interface MigrationOptions {
  /** Guest RAM in bytes; a whole number of pages. @default DEFAULT_MEMORY_BYTES (4 GiB) */
  memoryBytes?: number;
  /** Page size in bytes, a power of two from 512 B to 1 GiB. @default DEFAULT_PAGE_SIZE (4096) */
  pageSize?: number;
  /** Fraction of pages written since boot when migration starts (0 to 1). @default DEFAULT_POPULATED_FRACTION (0.5) */
  populatedFraction?: number;
  /** Number of vCPUs (1 to 1024). @default DEFAULT_VCPUS (1), or the length of `workload` when it is a list */
  vcpus?: number;
  /**
   * What each vCPU runs at full speed: one spec for all vCPUs, or one per vCPU.
   * @default hot-cold, DEFAULT_WRITES_PER_SEC writes/s, DEFAULT_HOT_FRACTION hot, DEFAULT_HOT_PROBABILITY
   */
  workload?: WorkloadSpec | WorkloadSpec[];
  /** Link capacity in bytes per second (1 Gbit/s = 125e6). @default DEFAULT_LINK_BYTES_PER_SEC */
  bandwidthBytesPerSec?: number;
  /** Pre-copy algorithm. @default 'qemu' */
  algorithm?: AlgorithmName;
  /** QEMU downtime-limit; also the SimGrid loop's max downtime. @default DEFAULT_DOWNTIME_LIMIT_MS (300) */
  downtimeLimitMs?: number;
  /** QEMU max-bandwidth: the pre-copy rate limit (stop-and-copy runs at link capacity). @default 128 MiB/s */
  maxBandwidthBytesPerSec?: number;
  /** Setup phase before the first page is sent. @default DEFAULT_SETUP_TIME_MS */
  setupTimeMs?: number;
  /** Device state sent during stop-and-copy. @default DEFAULT_DEVICE_STATE_BYTES (256 KiB) */
  deviceStateBytes?: number;
  /** Fixed time from the last byte to the guest running at the destination. @default DEFAULT_RESUME_TIME_MS (9) */
  resumeTimeMs?: number;
  /** Cancel the migration after this much emulated time. @default DEFAULT_MAX_TIME_MS (600 s) */
  maxTimeMs?: number;
  /** Cancel the migration once this many bytes have been sent. @default unlimited */
  maxDataBytes?: number;
  /** Xen: skip pages re-dirtied during the current round (the peek rule). @default true */
  xenSkipRule?: boolean;
  /** CPU-scheduling controller throttling the guest during pre-copy. @default none */
  controller?: ControllerOption;
  /** Seed of the workloads' PRNG streams (an unsigned 32-bit integer). @default DEFAULT_SEED (1) */
  seed?: number;
  /**
   * Allocate per-page stamps of the last write and last send (8 extra bytes per page). They live in the page
   * store: livemig's own tests read them through the internal runMigration() to check that the destination
   * holds the source's memory; migrate() returns only the report. @default false
   */
  trace?: boolean;
  /** Callbacks to watch a run as it goes. */
  hooks?: MigrationHooks;
}
