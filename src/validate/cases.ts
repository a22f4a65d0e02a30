/**
 * A validation case: a folder holding `case.json` (what a user knows before migrating, and what QEMU reported)
 * and `query-migrate.ndjson` (every reply of the source QEMU), as in ../shared/validation/qemu-7.2/. This file
 * maps a case to livemig options; the mapping is documented in `livemig validate --help` and the README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationOptions } from '../model/options.js';
import { QmpLogError, parseQmpLog, type QmpReply } from './qmp-log.js';

/**
 * Link capacity of the public cases' testbed: source and destination on one host over loopback TCP, where the
 * final copy ran at "about 2 GB/s" (README of the cases). [REC] from that README, not measured by us.
 */
export const LOOPBACK_BYTES_PER_SEC = 2e9;

/** What QEMU reported, as case.json's `observed` gives it. */
export interface CaseObserved {
  outcome: 'completed' | 'cancelled';
  totalTimeMs: number | null;
  transferredBytes: number;
  dirtySyncCount: number;
  passTimesMs: number[];
  throttleStepsMs: [number, number][];
  finalThrottlePct: number;
}

/** A case ready to run: its options and what to compare with. */
export interface ValidationCase {
  id: string;
  /** Where it came from (a folder, or a QMP log and a scenario file). */
  source: string;
  options: MigrationOptions;
  observed: CaseObserved;
  /** The query-migrate replies (the remaining-data curve, the poll times). */
  replies: QmpReply[];
}

/** How to map a case: with or without the guest's write rates measured under each throttle level. */
export interface MappingOptions {
  /** Feed `observed.guestWritesPerSecByThrottlePct` in as the achieved write fraction per throttle level. */
  measuredThrottleRates?: boolean;
  /** Run under this QEMU release's rules instead of the case's own (`qemu.qemu.major.minor`). */
  qemuVersion?: string;
}

type Json = Record<string, unknown>;

function field(file: string, obj: Json, path: string, kind: 'number' | 'boolean' | 'string' | 'object'): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Json)[k] : undefined;
  const ok = kind === 'object' ? typeof v === 'object' && v !== null : typeof v === kind && (kind !== 'number' || Number.isFinite(v));
  if (!ok) throw new QmpLogError(file, null, `field "${path}" is ${v === undefined ? 'missing' : JSON.stringify(v)}; expected a ${kind}`);
  return v;
}

/**
 * case.json → livemig options (every rule here is also in `livemig validate --help` and the README):
 * - memoryBytes = guest.ramBytes, pageSize = guest.pageSize; algorithm qemu;
 * - qemuVersion = qemu.qemu.major.minor (or the mapping's own);
 * - populatedFraction = 1 − guest.zeroPagesAtStart / pages, zero pages spread through memory (zeroPageLayout);
 * - with measuredThrottleRates, throttledWriteFraction = a table of observed.guestWritesPerSecByThrottlePct /
 *   observed.guestWritesPerSecBeforeMigration (capped at 1);
 * - workload: one vCPU, `uniform` (guest.pattern uniform-random) or `sequential`, at
 *   observed.guestWritesPerSecBeforeMigration page writes/s (the rate measured before migrating; nothing
 *   measured during it), over a region of guest.workingSetBytes at the start of memory;
 * - maxBandwidthBytesPerSec, downtimeLimitMs from `migration`; maxTimeMs = migration.cancelAfterMs;
 * - controller auto-converge with cpuThrottleInitial/Increment, maxCpuThrottle, throttleTriggerThreshold and
 *   cpuThrottleTailslow when migration.autoConverge, else none;
 * - bandwidthBytesPerSec = 2 GB/s (the loopback link, LOOPBACK_BYTES_PER_SEC); resumeTimeMs = 0 (QEMU's
 *   total-time ends when the source completes); bytes are compared without livemig's device state (QEMU's
 *   ram.transferred counts RAM only).
 */
export function caseOptions(file: string, c: Json, mapping: MappingOptions = {}): MigrationOptions {
  const ram = field(file, c, 'guest.ramBytes', 'number') as number;
  const pageSize = field(file, c, 'guest.pageSize', 'number') as number;
  const zero = field(file, c, 'guest.zeroPagesAtStart', 'number') as number;
  const ws = field(file, c, 'guest.workingSetBytes', 'number') as number;
  const pattern = field(file, c, 'guest.pattern', 'string') as string;
  if (pattern !== 'uniform-random' && pattern !== 'sequential') throw new QmpLogError(file, null, `field "guest.pattern" is "${pattern}"; expected uniform-random or sequential`);
  const rate = field(file, c, 'observed.guestWritesPerSecBeforeMigration', 'number') as number;
  const m = (k: string, kind: 'number' | 'boolean') => field(file, c, `migration.${k}`, kind);
  const pages = ram / pageSize;
  const autoConverge = m('autoConverge', 'boolean') as boolean;
  const options: MigrationOptions = {
    memoryBytes: ram,
    pageSize,
    populatedFraction: 1 - zero / pages,
    zeroPageLayout: 'spread',
    workload: { kind: pattern === 'sequential' ? 'sequential' : 'uniform', writesPerSec: rate, regionStart: 0, regionSize: Math.min(1, ws / ram) },
    bandwidthBytesPerSec: LOOPBACK_BYTES_PER_SEC,
    algorithm: 'qemu',
    downtimeLimitMs: m('downtimeLimitMs', 'number') as number,
    maxBandwidthBytesPerSec: m('maxBandwidthBytesPerSec', 'number') as number,
    resumeTimeMs: 0,
    maxTimeMs: m('cancelAfterMs', 'number') as number,
    controller: autoConverge
      ? {
          name: 'auto-converge',
          initialPct: m('cpuThrottleInitial', 'number') as number,
          incrementPct: m('cpuThrottleIncrement', 'number') as number,
          maxPct: m('maxCpuThrottle', 'number') as number,
          triggerThresholdPct: m('throttleTriggerThreshold', 'number') as number,
          tailslow: m('cpuThrottleTailslow', 'boolean') as boolean,
        }
      : 'none',
  };
  const major = (c['qemu'] as Json | undefined)?.['qemu'] as Json | undefined;
  options.qemuVersion = (mapping.qemuVersion ?? (major !== undefined ? `${String(major["major"])}.${String(major["minor"])}` : undefined)) as MigrationOptions["qemuVersion"];
  if (mapping.measuredThrottleRates) {
    const byPct = field(file, c, 'observed.guestWritesPerSecByThrottlePct', 'object') as Record<string, unknown>;
    const points = Object.entries(byPct)
      .map(([p, r]) => {
        if (typeof r !== 'number' || !(r >= 0) || !/^[0-9]+$/.test(p)) throw new QmpLogError(file, null, `field "observed.guestWritesPerSecByThrottlePct.${p}" is ${JSON.stringify(r)}; expected a write rate >= 0 keyed by a whole throttle %`);
        return [Number(p), Math.min(1, r / rate)] as const;
      })
      .sort((a, b) => a[0] - b[0]);
    options.throttledWriteFraction = `table:${points.map(([p, f]) => `${p}=${f}`).join(',')}`;
  }
  return options;
}

function observedOf(file: string, c: Json): CaseObserved {
  const outcome = field(file, c, 'observed.outcome', 'string');
  if (outcome !== 'completed' && outcome !== 'cancelled') throw new QmpLogError(file, null, `field "observed.outcome" is ${JSON.stringify(outcome)}; expected completed or cancelled`);
  const o = (c['observed'] ?? {}) as Json;
  return {
    outcome,
    totalTimeMs: outcome === 'completed' ? (field(file, c, 'observed.totalTimeMs', 'number') as number) : null,
    transferredBytes: field(file, c, 'observed.transferredBytes', 'number') as number,
    dirtySyncCount: field(file, c, 'observed.dirtySyncCount', 'number') as number,
    passTimesMs: Array.isArray(o['passTimesMs']) ? (o['passTimesMs'] as number[]) : [],
    throttleStepsMs: Array.isArray(o['throttleStepsMs']) ? (o['throttleStepsMs'] as [number, number][]) : [],
    finalThrottlePct: typeof o['finalThrottlePct'] === 'number' ? o['finalThrottlePct'] : 0,
  };
}

/** Reads a case folder (case.json and query-migrate.ndjson). */
export function loadCase(dir: string, mapping: MappingOptions = {}): ValidationCase {
  const file = join(dir, 'case.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new QmpLogError(dir, null, `not a validation case folder: cannot read case.json (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let c: Json;
  try {
    c = JSON.parse(text) as Json;
  } catch (e) {
    throw new QmpLogError(file, null, `not JSON (${(e as Error).message})`);
  }
  const logFile = join(dir, 'query-migrate.ndjson');
  let logText: string;
  try {
    logText = readFileSync(logFile, 'utf8');
  } catch (e) {
    throw new QmpLogError(logFile, null, `cannot read the query-migrate log (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return {
    id: typeof c['id'] === 'string' ? c['id'] : dir,
    source: dir,
    options: caseOptions(file, c, mapping),
    observed: observedOf(file, c),
    replies: parseQmpLog(logText, logFile),
  };
}
