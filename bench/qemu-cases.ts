import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationOptions } from '../src/model/options.js';

/** The fields of a ../shared/validation/qemu-7.2 case.json that livemig's inputs come from. */
export interface QemuCase {
  id: string;
  guest: {
    ramBytes: number;
    pageSize: number;
    zeroPagesAtStart: number;
    workingSetBytes: number;
    pattern: 'uniform-random' | 'sequential';
    writesPerSec: number;
  };
  migration: {
    maxBandwidthBytesPerSec: number;
    downtimeLimitMs: number;
    autoConverge: boolean;
    cpuThrottleInitial: number;
    cpuThrottleIncrement: number;
    maxCpuThrottle: number;
    throttleTriggerThreshold: number;
    cpuThrottleTailslow: boolean;
    cancelAfterMs: number;
  };
  observed: { outcome: 'completed' | 'cancelled'; totalTimeMs: number; transferredBytes: number };
}

/** Where the shared validation cases live (LIVEMIG_QEMU_CASES overrides). */
export const QEMU_CASES_DIR = process.env['LIVEMIG_QEMU_CASES'] ?? '/work/shared/validation/qemu-7.2';

/** The cases found in `dir`, sorted by id; none when the folder is absent. */
export function loadQemuCases(dir = QEMU_CASES_DIR): QemuCase[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'case.json')))
    .sort()
    .map((d) => JSON.parse(readFileSync(join(dir, d, 'case.json'), 'utf8')) as QemuCase);
}

/**
 * migrate() options for a case (its README): all of ram.total as memory, the zero pages QEMU counted at start
 * as the unpopulated share, one vCPU writing `writesPerSec` pages/s uniformly or in order over the working set
 * (placed at the start of memory, inside the populated part, as the guest fills it before migrating),
 * max-bandwidth and downtime-limit as set, auto-converge with the case's throttle parameters, and the cancel
 * deadline as the max time. The link is the testbed's loopback, about 2 GB/s (the README's final-copy rate).
 */
export function qemuCaseOptions(c: QemuCase, seed: number): MigrationOptions {
  const g = c.guest;
  const m = c.migration;
  const pages = g.ramBytes / g.pageSize;
  const kind = g.pattern === 'sequential' ? 'sequential' : 'uniform';
  return {
    memoryBytes: g.ramBytes,
    pageSize: g.pageSize,
    populatedFraction: 1 - g.zeroPagesAtStart / pages,
    workload: { kind, writesPerSec: g.writesPerSec, regionStart: 0, regionSize: g.workingSetBytes / g.ramBytes },
    bandwidthBytesPerSec: 2e9,
    maxBandwidthBytesPerSec: m.maxBandwidthBytesPerSec,
    downtimeLimitMs: m.downtimeLimitMs,
    maxTimeMs: m.cancelAfterMs,
    algorithm: 'qemu',
    controller: m.autoConverge
      ? {
          name: 'auto-converge',
          triggerThresholdPct: m.throttleTriggerThreshold,
          initialPct: m.cpuThrottleInitial,
          incrementPct: m.cpuThrottleIncrement,
          maxPct: m.maxCpuThrottle,
          tailslow: m.cpuThrottleTailslow,
        }
      : 'none',
    seed,
  };
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
