/**
 * A host drain: several VMs migrating from one host over one shared link, a few at a time (nova's
 * max_concurrent_live_migrations, KubeVirt's parallelOutboundMigrationsPerNode). Its own fields are declared
 * once here (DRAIN_TABLE); the link's are the option table's rows (bandwidthBytesPerSec, linkTrace,
 * backgroundBytesPerSec, backgroundTrace, linkRttMs), and each VM is a migrate() options object.
 */
import { MAX_EXACT_BYTES } from './limits.js';
import type { FieldSpec } from './fields.js';
import type { MigrationOptions } from './options.js';
import { OPTION_TABLE, type ResolvedScenario } from './option-table.js';
import type { CancelReason, MigrationReport } from './report.js';
import type { RateSegment } from './piecewise-rate.js';

export const DRAIN_ORDERS = ['given', 'smallest-first', 'largest-first', 'least-dirty-first'] as const;
export type DrainOrder = (typeof DRAIN_ORDERS)[number];

/** Most VMs a drain holds (and most copies of one entry). */
export const MAX_DRAIN_VMS = 1024;

/** The drain's own fields, in echo order. */
export const DRAIN_TABLE = {
  concurrency: {
    kind: 'count', doc: 'migrations running at once (nova max_concurrent_live_migrations, KubeVirt parallelOutboundMigrationsPerNode); 0 is refused (nova reads it as unlimited: give the VM count)',
    rule: { min: 1, max: MAX_DRAIN_VMS, integer: true }, default: 1, source: 'nova/conf/compute.py max_concurrent_live_migrations (default 1)', flag: '--concurrency',
  },
  order: {
    kind: 'enum', doc: "which VM starts first: as 'given', 'smallest-first' / 'largest-first' by RAM, 'least-dirty-first' by full-speed write rate (ties keep the given order)",
    values: DRAIN_ORDERS, default: 'given', source: '[REC] as listed, as nova and KubeVirt start the migrations they are given', flag: '--order',
  },
  hostMemoryBytes: {
    kind: 'bytes', doc: "the source host's RAM for guests: the VMs' memory must fit in it (no check when absent)", rule: { min: 512, max: MAX_EXACT_BYTES, integer: true, unit: 'B' },
    default: null, defaultText: 'no check', source: '[REC] off', flag: '--host-memory',
  },
} as const satisfies Record<string, FieldSpec>;

/** Options of the link the drain's migrations share: the option table's rows of those names. */
export const DRAIN_LINK_FIELDS = ['bandwidthBytesPerSec', 'linkTrace', 'backgroundBytesPerSec', 'backgroundTrace', 'linkRttMs'] as const;
export type DrainLinkField = (typeof DRAIN_LINK_FIELDS)[number];

/** One VM of a drain: its migrate() options (not the link's: the drain has one), a name, and copies. */
export type DrainVm = Omit<MigrationOptions, DrainLinkField | 'hooks'> & {
  /** Shown in tables. @default `vm<N>` (N: its entry's place in the list, from 1) */
  name?: string;
  /** This many copies of the VM (named `<name>-1` …), seeds seed, seed + 1, …. @default 1 */
  count?: number;
  /**
   * The policy in its text form, `ALGORITHM[{option=value,...}][+CONTROLLER[:key=value,...]]`
   * (`qemu{downtime-limit=500ms}+auto-converge`): sets algorithm, controller and the brace options (not beside
   * an algorithm or controller of its own; no link options in the braces).
   */
  policy?: string;
};

/** What drain() takes. Sizes in bytes, rates in bytes per second, times in ms. */
export type DrainOptions = Partial<Pick<MigrationOptions, DrainLinkField>> & {
  /** The VMs on the host, in the given order. */
  vms: DrainVm[];
  /** Options every VM starts from (a VM's own fields win). */
  base?: DrainVm;
  concurrency?: number;
  order?: DrainOrder;
  hostMemoryBytes?: number | null;
};

/** One VM's part of a drain. */
export interface DrainVmResult {
  name: string;
  /** Position in the expanded VM list (0-based). */
  index: number;
  /** Position in the start order (1 = first to start). */
  startRank: number;
  memoryBytes: number;
  /** The policy: algorithm, with +controller when there is one. */
  policy: string;
  /** Drain time (ms from the drain's start) at which its migration started and ended. */
  startMs: number;
  endMs: number;
  status: 'completed' | 'cancelled';
  reason: CancelReason | null;
  totalTimeMs: number;
  downtimeMs: number | null;
  transferredBytes: number;
  /** Guest CPU lost to throttling and the pause, vCPU-ms, and as a share of what it demanded. */
  guestCpuLostMs: number;
  guestCpuLostPct: number;
  rounds: number;
  /** Times the engine ran this migration (again whenever its share of the link changed before it ended). */
  engineRuns: number;
  /** Its bytes over its time: the rate it averaged, B/s. */
  meanRateBytesPerSec: number;
  /** The capacity it saw, in drain time: its share of the link. */
  share: RateSegment[];
}

export interface DrainSummary {
  vms: number;
  completed: number;
  cancelled: number;
  /** From the first migration's start to the last one's end, ms. */
  makespanMs: number;
  transferredBytes: number;
  guestCpuLostMs: number;
  /** Largest and summed downtime of the completed migrations, ms (null when none completed). */
  maxDowntimeMs: number | null;
  totalDowntimeMs: number;
  /** Bytes sent / what the link could carry over the makespan (1 = the link was full all along). */
  linkUtilization: number;
  engineRuns: number;
}

/** The result of drain(). */
export interface DrainReport {
  format: 'livemig-drain/1';
  /** The drain's fields and its link's, resolved. */
  drain: { concurrency: number; order: DrainOrder; hostMemoryBytes: number | null } & Pick<ResolvedScenario, DrainLinkField>;
  summary: DrainSummary;
  /** One per VM, in the expanded given order. */
  vms: DrainVmResult[];
  /**
   * Each VM's full migration report, in the same order. Its scenario echo names the link it saw: a constant
   * share as bandwidthBytesPerSec, a share changing in steps as linkTrace (so the report replays alone); a share
   * changing linearly (a drain on a linear trace) is in vms[i].share only.
   */
  reports: MigrationReport[];
}

/** The link rows, for code that checks them. */
export const DRAIN_LINK_ROWS = DRAIN_LINK_FIELDS.map((k) => [k, OPTION_TABLE[k] as FieldSpec] as const);
