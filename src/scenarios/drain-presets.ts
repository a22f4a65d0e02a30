/**
 * Built-in drains (livemig drain --preset NAME): hosts an operator would evacuate.
 */
import { GiB } from '../units.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { DrainOptions } from '../model/drain.js';
import { didYouMean } from '../model/suggest.js';

export interface DrainPreset {
  name: string;
  description: string;
  drain: DrainOptions;
  /** The concurrencies the preset is meant to compare. */
  concurrencies: number[];
}

/**
 * A 128 GiB host running 8 VMs (96 GiB in all) of three kinds, drained over one 10 Gbit/s link: two busy
 * databases (16 GiB, 40,000 pages/s into a 10 % hot set), three web servers (8 GiB, 8,000 pages/s), two caches
 * (4 GiB, uniform 3,000 pages/s over half their RAM) and one 32 GiB batch VM that writes little. Every
 * migration may use the whole link (max-bandwidth = the link: libvirt lifts QEMU's 128 MiB/s default unless a
 * bandwidth is given [REC]), QEMU 10.1 pre-copy, 300 ms downtime limit. With more at a time, each migration
 * gets a smaller share, so the databases take longer to converge: the makespan falls less than the
 * concurrency rises, and downtimes grow.
 */
export const HOST_8: DrainPreset = {
  name: 'host-8',
  description: '8 VMs (96 GiB) off a 128 GiB host over 10 Gbit/s: 2 busy databases, 3 web servers, 2 caches, 1 batch VM',
  drain: {
    bandwidthBytesPerSec: 1_250_000_000,
    hostMemoryBytes: 128 * GiB,
    concurrency: 1,
    base: { maxBandwidthBytesPerSec: 1_250_000_000, maxTimeMs: 600_000, populatedFraction: 0.6 },
    vms: [
      { name: 'db', count: 2, memoryBytes: 16 * GiB, workload: { kind: 'hot-cold', writesPerSec: 40_000, hotFraction: 0.1, hotProbability: 0.9 }, seed: 1 },
      { name: 'web', count: 3, memoryBytes: 8 * GiB, workload: { kind: 'hot-cold', writesPerSec: 8_000, hotFraction: 0.05, hotProbability: 0.9 }, seed: 11 },
      { name: 'cache', count: 2, memoryBytes: 4 * GiB, workload: { kind: 'uniform', writesPerSec: 3_000, regionSize: 0.5 }, seed: 21 },
      { name: 'batch', memoryBytes: 32 * GiB, workload: { kind: 'hot-cold', writesPerSec: 1_000, hotFraction: 0.01 }, seed: 31 },
    ],
  },
  concurrencies: [1, 2, 4],
};

export const DRAIN_PRESETS: Readonly<Record<string, DrainPreset>> = { 'host-8': HOST_8 };

export function getDrainPreset(name: string, field = 'preset'): DrainPreset {
  const p = Object.hasOwn(DRAIN_PRESETS, name) ? DRAIN_PRESETS[name] : undefined;
  if (p === undefined) throw new InvalidOptionError(field, name, `one of ${Object.keys(DRAIN_PRESETS).join(', ')}${didYouMean(name, Object.keys(DRAIN_PRESETS))}`);
  return p;
}
