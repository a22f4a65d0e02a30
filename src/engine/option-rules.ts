import type { NumberRule } from './check.js';
import * as D from './defaults.js';
import { MAX_STREAMS } from '../core/page-store.js';

/** A numeric option: its accepted range, default and meaning. Read by resolveOptions and the JSON Schema. */
export interface NumericOption {
  rule: NumberRule;
  /** Default value; null when the option is off unless given. */
  default: number | null;
  description: string;
}

/**
 * The numeric MigrationOptions fields, in one place. Cross-field rules (memoryBytes a whole number of pages,
 * pageSize a power of two, the Wasm capacity, vcpus vs a workload list) live in resolveOptions.
 */
export const NUMERIC_OPTIONS = {
  memoryBytes: { rule: { min: 512, integer: true, unit: 'B' }, default: D.DEFAULT_MEMORY_BYTES, description: 'Guest RAM, bytes (a whole number of pages)' },
  pageSize: { rule: { min: 512, max: D.GiB, integer: true, unit: 'B' }, default: D.DEFAULT_PAGE_SIZE, description: 'Page size, bytes (a power of two)' },
  populatedFraction: { rule: { min: 0, max: 1 }, default: D.DEFAULT_POPULATED_FRACTION, description: 'Fraction of pages written since boot when migration starts; the rest are zero pages' },
  vcpus: { rule: { min: 1, max: MAX_STREAMS, integer: true }, default: D.DEFAULT_VCPUS, description: 'Number of vCPUs' },
  bandwidthBytesPerSec: { rule: { min: 0, minExclusive: true, max: 1e13, unit: 'B/s' }, default: D.DEFAULT_LINK_BYTES_PER_SEC, description: 'Link capacity, bytes per second (1 Gbit/s = 125000000)' },
  downtimeLimitMs: { rule: { min: 0, minExclusive: true, max: 2_000_000, unit: 'ms' }, default: D.DEFAULT_DOWNTIME_LIMIT_MS, description: 'QEMU downtime-limit (also SimGrid max downtime), ms' },
  maxBandwidthBytesPerSec: { rule: { min: 0, minExclusive: true, max: 1e13, unit: 'B/s' }, default: D.DEFAULT_MAX_BANDWIDTH_BYTES_PER_SEC, description: 'QEMU max-bandwidth: pre-copy rate limit, bytes per second' },
  setupTimeMs: { rule: { min: 0, max: 3_600_000, unit: 'ms' }, default: D.DEFAULT_SETUP_TIME_MS, description: 'Setup phase before the first page is sent, ms' },
  deviceStateBytes: { rule: { min: 0, max: 1e12, unit: 'B' }, default: D.DEFAULT_DEVICE_STATE_BYTES, description: 'Device state sent during stop-and-copy, bytes' },
  resumeTimeMs: { rule: { min: 0, max: 3_600_000, unit: 'ms' }, default: D.DEFAULT_RESUME_TIME_MS, description: 'Fixed time from the last byte to the guest running at the destination, ms' },
  maxTimeMs: { rule: { min: 0, minExclusive: true, max: 1e9, unit: 'ms' }, default: D.DEFAULT_MAX_TIME_MS, description: 'Cancel the migration after this much emulated time, ms' },
  maxDataBytes: { rule: { min: 0, minExclusive: true, unit: 'B' }, default: null, description: 'Cancel the migration once this many bytes are sent (default: unlimited)' },
  seed: { rule: { min: 0, max: 0xffffffff, integer: true }, default: D.DEFAULT_SEED, description: 'Seed of the workload PRNG streams' },
} as const satisfies Record<string, NumericOption>;

export type NumericOptionName = keyof typeof NUMERIC_OPTIONS;
