import type { AlgorithmName } from './algorithms.js';
import type { ResolvedScenario } from './option-table.js';
import type { ManagementRecord } from './management-events.js';

export type { ResolvedScenario };

/** One pre-copy round: from the dirty-log sync that starts it to the one that ends it. */
export interface RoundRecord {
  /** 1-based; for QEMU this is dirty-sync-count at the round's start (the setup sync starts round 1). */
  index: number;
  /**
   * `stop-and-copy` for the final round, sent with the guest paused; `postcopy` for the final round of a run that
   * switched to postcopy (from the source's stop to the last page received: the switch, then the push and faults).
   */
  phase: 'live' | 'stop-and-copy' | 'postcopy';
  startMs: number;
  endMs: number;
  /** Populated pages sent (4104 B each on the wire for 4 KiB pages). */
  normalPages: number;
  /** Zero pages sent (9 B each for QEMU). */
  zeroPages: number;
  /** Pages passed over because they were re-dirtied in this round (Xen's skip rule). */
  skippedPages: number;
  /** Bytes put on the wire during the round, markers and device state included. */
  bytes: number;
  /** Distinct pages the guest dirtied during the round (the dirty log at the sync that ended it). */
  dirtiedPages: number;
  /** Pages still to send right after the sync that started the round. */
  remainingPages: number;
  /** Link throughput measured over the round (bytes / duration). */
  bandwidthBytesPerSec: number;
  /** QEMU's expected downtime at the round's start: remaining bytes / measured bandwidth. */
  expectedDowntimeMs: number;
  /** CPU throttle applied at the round's end, in percent (mean over vCPUs). */
  throttlePct: number;
  /** XBZRLE during the round (with the xbzrle option). */
  xbzrle?: XbzrleStats;
  /** Multifd during the round (with multifdChannels). */
  multifd?: MultifdStats;
}

/**
 * XBZRLE statistics as QEMU's query-migrate `xbzrle-cache` reports them (migration/ram.c xbzrle_counters and
 * migration_update_rates), over a round or the whole run.
 */
export interface XbzrleStats {
  /** Pages sent XBZRLE-encoded (`pages`). */
  pages: number;
  /** Encoded bytes without the 8 B page headers (flag, length, data), plus the page size per overflow (`bytes`). */
  bytes: number;
  /** Pages looked up and not found in the cache (`cache-miss`). */
  cacheMiss: number;
  /** cacheMiss / pages sent of any kind (`cache-miss-rate`; QEMU takes it per 1 s period). */
  cacheMissRate: number;
  /** Page bytes of the encoded pages / their encoded bytes (`encoding-rate`; 0 when none). */
  encodingRate: number;
  /** Encodings larger than a page, sent as normal pages (`overflow`). */
  overflow: number;
  /** Cache hits whose page had not changed: nothing sent (save_xbzrle_page's encoded_len 0). */
  unchangedPages: number;
  /** Migration-thread CPU spent encoding, ms. */
  encodeCpuMs: number;
}

/** Multifd channels over a round or the whole run (QEMU migration/multifd.c, migration/multifd-*.c). */
export interface MultifdStats {
  channels: number;
  /** Normal pages sent through the channels. */
  pages: number;
  /** Zero pages sent as offsets only in the channels' packets (9.0+, zero-page-detection=multifd). */
  zeroPages: number;
  /** Data packets (128 pages at most each, 1 344 B header). */
  packets: number;
  /** Header-only SYNC packets (one per channel per multifd_send_sync_main). */
  syncPackets: number;
  /** Bytes the channels put on the wire: payloads plus packet headers. */
  bytes: number;
  /** QEMU's `multifd-bytes` as this release counts them (7.2: uncompressed at enqueue; 8.1: payloads only; 8.2+: wire). */
  countedBytes: number;
  /** Page bytes handed to the channels (before compression). */
  uncompressedBytes: number;
  /** Page payload bytes after compression (= uncompressedBytes without compression). */
  compressedBytes: number;
  /** uncompressedBytes / compressedBytes (1 without compression or pages). */
  compressionRatio: number;
  /** Source CPU spent compressing, core-ms (summed over channels). */
  compressCpuMs: number;
  /** RAM_SAVE_FLAG_MULTIFD_FLUSH markers on the main stream (8.1+, per round), bytes. */
  flushFlagBytes: number;
}

/**
 * State at the end of one window. A window closes at the first burst or idle boundary at least 100 ms after
 * it opened, so it lasts 100 ms or a little more; one long step (the setup, a stop-and-copy) is one window.
 */
export interface TimelineSample {
  tMs: number;
  round: number;
  transferredBytes: number;
  remainingPages: number;
  /** Bytes sent in the window / its duration. */
  bandwidthBytesPerSec: number;
  /** Pages newly dirtied in the log during the window, per second (what a dirty ring measures). */
  dirtyPagesPerSec: number;
  /** Mean throttle over vCPUs, percent. */
  throttlePct: number;
}

/** CPU accounting of one vCPU over the migration (from the start of setup to resume). */
export interface VcpuImpact {
  vcpu: number;
  workload: string;
  /** CPU time the vCPU's workload wanted. */
  cpuDemandedMs: number;
  /** CPU time it got (throttling and the stop-and-copy pause take the rest). */
  cpuObtainedMs: number;
  /** Page writes performed. */
  writes: number;
  /** Time during which a throttle was applied to it. */
  throttledMs: number;
  maxThrottlePct: number;
}

/** Guest cost of the migration: liveness bought with CPU. */
export interface GuestImpact {
  cpuDemandedMs: number;
  cpuObtainedMs: number;
  cpuLostMs: number;
  /** cpuLostMs / cpuDemandedMs × 100 (0 when nothing was demanded). */
  cpuLostPct: number;
  /** Time-weighted mean throttle over vCPUs and the pre-copy phase, percent. */
  meanThrottlePct: number;
  maxThrottlePct: number;
  /** The longest time any one vCPU was throttled (per vCPU in `vcpus`). */
  throttledMs: number;
  /** Guest progress: obtained / demanded CPU during pre-copy only (1 = unaffected). */
  precopyProgress: number;
  vcpus: VcpuImpact[];
}

interface SummaryBase {
  algorithm: AlgorithmName;
  controller: string;
  /** From the start of setup to the guest running at the destination (or to cancellation). */
  totalTimeMs: number;
  setupTimeMs: number;
  /** All bytes put on the wire. */
  transferredBytes: number;
  /** Round records (for QEMU, equal to dirty-sync-count). */
  rounds: number;
  normalPages: number;
  zeroPages: number;
  skippedPages: number;
  /** CPU time the guest lost to throttling and to the pause, percent of what it demanded. */
  guestCpuLostPct: number;
  /** Time-weighted mean throttle over vCPUs during pre-copy, percent. */
  meanThrottlePct: number;
  maxThrottlePct: number;
  /** The longest time any one vCPU was throttled. */
  throttledMs: number;
  /** Per-vCPU detail and pre-copy progress. */
  guest: GuestImpact;
  /** XBZRLE over the run (with the xbzrle option). */
  xbzrle?: XbzrleStats;
  /** Multifd over the run (with multifdChannels). */
  multifd?: MultifdStats;
  /** Present when the run switched to postcopy (src/engine/postcopy.ts). */
  postcopy?: PostcopyStats;
}

/** What started postcopy: dirty-sync-count, a time, a stalled pre-copy, or a controller (ControllerContext.startPostcopy). */
export type PostcopyTrigger = 'syncs' | 'time' | 'stall' | 'controller' | 'management';

/**
 * The postcopy phase of a run (QEMU: postcopy_start, then postcopy-active until the last page). Times in ms
 * since the migration started; bytes on the wire.
 */
export interface PostcopyStats {
  trigger: PostcopyTrigger;
  /** When migrate-start-postcopy was issued (the switch follows at the next iteration of the migration thread). */
  requestedAtMs: number;
  /** When the source stopped the guest. */
  switchAtMs: number;
  /** QEMU's postcopy downtime: from the source's stop to the device-state package sent (source clock). */
  downtimeMs: number;
  /** When the guest runs at the destination: the package sent, plus resumeTimeMs. */
  guestResumedAtMs: number;
  /** When the last page reached the destination: the end of the migration. */
  lastPageAtMs: number;
  /** From the switch to the last page received: a failure of either host or of the link in it loses the VM. */
  riskWindowMs: number;
  /** Pages the destination lacked after the last sync: the ones the discard bitmap marks, sent once each after the switch. */
  pagesAtSwitch: number;
  /** Runs of pages in the discard bitmap (one 16-byte range each) and the bytes of its commands on the wire. */
  discardRanges: number;
  discardBytes: number;
  /** Pages pushed by the background scan after the switch (populated, zero). */
  pushedNormalPages: number;
  pushedZeroPages: number;
  /** Pages a fault requested (populated, zero). */
  faultedNormalPages: number;
  faultedZeroPages: number;
  /** Bytes sent after the device-state package (pushes, faulted pages, framing). */
  postcopyBytes: number;
  /** Remote faults: accesses by the destination guest to a page not yet received (one per page fetched). */
  remoteFaults: number;
  /** Latency of one remote fault in this run (postcopyFaultLatencyMs or its default). */
  faultLatencyMs: number;
  preempt: boolean;
  /** Time vCPUs spent blocked on remote faults, summed over vCPUs (faults × latency), and the most of one vCPU. */
  vcpuBlockedMs: number;
  maxVcpuBlockedMs: number;
  /** Page writes per second the destination guest wanted (every vCPU at full speed) and achieved, from its resume to the last page. */
  wantedWritesPerSec: number;
  achievedWritesPerSec: number;
}

export interface CompletedSummary extends SummaryBase {
  status: 'completed';
  /** From pausing the guest at the source to it running at the destination. */
  downtimeMs: number;
}

/** max-time, max-data: the run's caps; aborted: a management layer cancelled it (migrate_cancel). */
export const CANCEL_REASONS = ['max-time', 'max-data', 'aborted'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** How a pre-copy run ended. */
export type PrecopyOutcome = { status: 'completed' } | { status: 'cancelled'; reason: CancelReason };

export interface CancelledSummary extends SummaryBase {
  status: 'cancelled';
  reason: CancelReason;
  /** The guest never stopped: it keeps running at the source. */
  downtimeMs: null;
}

export type Summary = CompletedSummary | CancelledSummary;

interface ReportBase {
  /** Report format version. */
  format: 'livemig-report/1';
  /** The resolved options the run used (defaults filled in), so a report reproduces itself. */
  scenario: ResolvedScenario;
  rounds: RoundRecord[];
  /** One sample per window; for long runs only every `timelineStrideWindows`-th window, plus the last one. */
  timeline: TimelineSample[];
  /**
   * 1 when the timeline has every window; n when a long run's timeline was thinned to every n-th window (a power
   * of two, so at most MAX_TIMELINE_SAMPLES samples are kept) with the last window always kept.
   */
  timelineStrideWindows: number;
  /** With a management layer (the management option): its parameters and every change and action it made. */
  management?: ManagementRecord;
}

export interface CompletedReport extends ReportBase {
  status: 'completed';
  summary: CompletedSummary;
}
export interface CancelledReport extends ReportBase {
  status: 'cancelled';
  summary: CancelledSummary;
}
/** The result of `migrate()`: a discriminated union on `status`. */
export type MigrationReport = CompletedReport | CancelledReport;
