/**
 * THE option table: every scenario option of migrate(), declared once, in the order the report echoes it.
 * Resolving and checking (src/api/resolve.ts), the MigrationOptions and ResolvedScenario types (below), the
 * report's scenario echo and its inverse scenarioOptions(), the CLI flags with their parsers and --help text
 * (src/cli/flags.ts), the experiment JSON Schema (src/experiments/schema.ts) and the CSV columns
 * (src/report/csv.ts) all derive from it. Adding an option is one row here plus the code that uses it
 * (CONTRIBUTING.md). Workload fields and controller parameters have tables of their own (workloads.ts,
 * controllers.ts).
 */
import { GiB, KiB, MiB } from '../units.js';
import { ALGORITHMS } from './algorithms.js';
import type { FieldSpec, FieldValue, UnitKind } from './fields.js';
import { MAX_EXACT_BYTES, MAX_STREAMS } from './limits.js';
import { DEFAULT_QEMU_VERSION, QEMU_VERSIONS } from './qemu-versions.js';
import {
  THROTTLE_MODELS, THROTTLE_PATTERN, THROTTLE_SYNTAX, ZERO_PAGE_LAYOUTS, ZERO_RANGES_PATTERN, ZERO_RANGES_SYNTAX, parseThrottledWriteFraction, parseZeroRanges,
} from './guest-model.js';
import { DEFAULT_WORKLOAD, type WorkloadSpec } from './workloads.js';
import { COMPRESSION_METHODS } from './compression.js';
import { MANAGEMENT_PATTERN, MANAGEMENT_SYNTAX, MANAGERS, parseManagementSpec } from './managers.js';
import { MAX_DOWNTIME_LIMIT_MS, MAX_RATE_BYTES_PER_SEC } from './bounds.js';

/** Help headings of the CLI's scenario flags. */
export type FlagGroup = 'guest' | 'workload' | 'migration' | 'wire' | 'limits';

/** One row of the option table. */
export interface OptionSpec extends Omit<FieldSpec, 'kind' | 'default'> {
  /** A unit kind, or one of the two structured options (checked by their own tables). */
  kind: UnitKind | 'workload' | 'controller';
  default?: FieldSpec['default'] | WorkloadSpec;
  /** --help heading of the flag. */
  group?: FlagGroup;
  /** Name in the report's scenario echo, when it differs (the workload option echoes as `workloads`, one per vCPU). */
  echoAs?: string;
  /** Echoed in the report but not an option (computed from others). */
  derived?: true;
  /** Not a CSV column (structured, or already a column of its own). */
  noCsv?: true;
  /** A shorter name for the option inside a policy's braces: `qemu{multifd=4}` (src/api/policy.ts). */
  policyKey?: string;
  /** An enum whose values, typed bare inside a policy's braces, set it: `qemu{zstd}`. */
  bareValues?: true;
}

export const OPTION_TABLE = {
  memoryBytes: {
    kind: 'bytes', doc: 'guest RAM, a whole number of pages', rule: { min: 512, max: MAX_EXACT_BYTES, integer: true, unit: 'B' },
    default: 4 * GiB, source: '[REC]', flag: '--memory', group: 'guest',
  },
  pageSize: {
    kind: 'bytes', doc: 'page size, a power of two from 512 B to 1 GiB', rule: { min: 512, max: GiB, integer: true, unit: 'B' },
    default: 4096, source: 'x86 TARGET_PAGE_SIZE', flag: '--page-size', group: 'guest',
  },
  pages: { kind: 'count', doc: 'pages of guest memory (memoryBytes / pageSize)', derived: true, noCsv: true },
  populatedFraction: {
    kind: 'fraction', doc: 'fraction of pages written since boot when migration starts, 0 to 1; the rest are zero pages', rule: { min: 0, max: 1 },
    default: 0.5, source: '[REC] real guests often have half their RAM or more still zero', flag: '--populated', group: 'guest',
  },
  zeroPageLayout: {
    kind: 'enum', doc: "where the zero pages are: 'spread' evenly (the workloads' regions populated first), at the 'top' of memory, or given as page ranges",
    values: ZERO_PAGE_LAYOUTS, default: 'spread', source: "[REC] a real guest's RAM has its zero pages scattered (src/engine/zero-pages.ts)", flag: '--zero-pages', group: 'guest',
    text: { syntax: ZERO_RANGES_SYNTAX, pattern: ZERO_RANGES_PATTERN, check: (path: string, text: string, c: Record<string, unknown>) => void parseZeroRanges(path, text, c['pages'] as number | undefined) },
  },
  throttledWriteFraction: {
    kind: 'enum', doc: "share of its full-speed page writes a throttled vCPU achieves: 'ideal' (1 - p), a measured table, or a named model",
    values: THROTTLE_MODELS, default: 'ideal', source: 'the ideal (1 - p) of a vCPU that runs (1 - p) of the time (src/engine/throttled-writes.ts)', flag: '--throttled-writes', group: 'guest',
    text: { syntax: THROTTLE_SYNTAX, pattern: THROTTLE_PATTERN, check: (path: string, text: string) => void parseThrottledWriteFraction(path, text) },
  },
  vcpus: {
    kind: 'count', doc: 'vCPUs, each running the workload', rule: { min: 1, max: MAX_STREAMS, integer: true },
    default: 1, defaultText: '1, or the length of a workload list', source: '[REC]', flag: '--vcpus', group: 'guest',
  },
  workload: {
    kind: 'workload', doc: 'what each vCPU runs at full speed: one spec for all vCPUs, or a list with one per vCPU',
    default: DEFAULT_WORKLOAD, source: '[REC] a hot/cold writer (Clark et al., NSDI 2005)', flag: '--workload', group: 'workload', echoAs: 'workloads', noCsv: true,
  },
  bandwidthBytesPerSec: {
    // At least 1 B/s: below it a page's link time is no longer a finite number of milliseconds.
    kind: 'rate', doc: 'link capacity, bytes per second (1 Gbit/s = 125000000)', rule: { min: 1, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' },
    default: 125_000_000, source: '1 Gbit/s, the classic GbE testbed', flag: '--bandwidth', group: 'migration',
  },
  linkTrace: {
    kind: 'rate-trace', doc: 'link capacity over time (bytes per second against ms since the start), replacing bandwidthBytesPerSec: a CSV/JSON file or inline points, as steps or linearly interpolated (src/model/rate-trace.ts)',
    default: null, defaultText: 'none: a constant link at bandwidthBytesPerSec', source: '[REC] off', flag: '--link-trace', group: 'migration', noCsv: true,
  },
  backgroundBytesPerSec: {
    kind: 'rate', doc: 'other traffic on the link, taking this much of its capacity all the time, bytes per second', rule: { min: 0, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' },
    default: 0, source: '[REC] a link to itself', flag: '--background', group: 'migration',
  },
  backgroundTrace: {
    kind: 'rate-trace', doc: 'other traffic on the link over time (bytes per second against ms), on top of backgroundBytesPerSec: a CSV/JSON file or inline points',
    default: null, defaultText: 'off', source: '[REC] off', flag: '--background-trace', group: 'migration', noCsv: true,
  },
  linkRttMs: {
    kind: 'duration', doc: 'round-trip time of the link, ms: paid by what waits for the other side (postcopy page faults, multifd syncs); pre-copy streams and does not wait on it', rule: { min: 0, max: 10_000, unit: 'ms' },
    default: 0, source: '[REC] 0, so reports without it stay as they were', flag: '--rtt', group: 'migration',
  },
  algorithm: {
    kind: 'enum', doc: 'pre-copy algorithm', values: ALGORITHMS, default: 'qemu', source: 'QEMU, the common case', flag: '--algorithm', group: 'migration', noCsv: true,
  },
  downtimeLimitMs: {
    kind: 'duration', doc: 'QEMU downtime-limit (also the SimGrid max downtime), ms', rule: { min: 0, minExclusive: true, max: MAX_DOWNTIME_LIMIT_MS, unit: 'ms' },
    default: 300, source: 'QEMU migration/options.c DEFAULT_MIGRATE_SET_DOWNTIME', flag: '--downtime-limit', group: 'migration',
  },
  maxBandwidthBytesPerSec: {
    kind: 'rate', doc: 'QEMU max-bandwidth, the pre-copy rate limit (stop-and-copy runs at link capacity), bytes per second',
    rule: { min: 1, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' }, default: 128 * MiB, source: 'QEMU migration/options.c MAX_THROTTLE',
    flag: '--max-bandwidth', group: 'migration',
  },
  setupTimeMs: {
    kind: 'duration', doc: 'setup phase before the first page is sent, ms', rule: { min: 0, max: 3_600_000, unit: 'ms' },
    default: 10, source: '[REC]', flag: '--setup-time', group: 'migration',
  },
  deviceStateBytes: {
    kind: 'bytes', doc: 'device (non-RAM) state sent during stop-and-copy, bytes', rule: { min: 0, max: 1e12, integer: true, unit: 'B' },
    default: 256 * KiB, source: '[REC]', flag: '--device-state', group: 'migration',
  },
  resumeTimeMs: {
    kind: 'duration', doc: 'fixed time from the last byte to the guest running at the destination, ms', rule: { min: 0, max: 3_600_000, unit: 'ms' },
    default: 9, source: 'Clark et al., NSDI 2005: 9 ms', flag: '--resume-time', group: 'migration',
  },
  maxTimeMs: {
    kind: 'duration', doc: 'cancel the migration after this much emulated time, ms', rule: { min: 0, minExclusive: true, max: 1e9, unit: 'ms' },
    default: 600_000, source: "[REC] twice guestperf's --max-time of 300 s", flag: '--max-time', group: 'limits',
  },
  maxDataBytes: {
    // Up to 2^53 B, where byte counts stop being exact; "no limit" stops there too (src/engine/context.ts).
    kind: 'bytes', doc: 'cancel the migration once this many bytes are sent', rule: { min: 0, minExclusive: true, max: MAX_EXACT_BYTES, integer: true, unit: 'B' },
    default: null, defaultText: 'no limit', source: 'unlimited, as QEMU', flag: '--max-data', group: 'limits',
  },
  xenSkipRule: {
    kind: 'boolean', doc: 'xen: skip pages re-dirtied during the current round (the peek before each batch)',
    default: true, source: 'Xen tools/libxc/xc_domain_save.c', flag: '--xen-skip', group: 'migration',
  },
  qemuVersion: {
    kind: 'enum', doc: "qemu: the upstream release whose pre-copy rules apply (sync trigger, completion test, 5 s sync timer, auto-converge's byte counter, which parameters exist)",
    values: QEMU_VERSIONS, default: DEFAULT_QEMU_VERSION, source: 'the newest release read (src/policies/precopy/qemu-releases.ts)', flag: '--qemu-version', group: 'migration',
  },
  availSwitchoverBandwidthBytesPerSec: {
    kind: 'rate', doc: 'qemu >= 8.2: avail-switchover-bandwidth, used instead of the measured bandwidth in the switch-over threshold (does not limit sending), bytes per second',
    rule: { min: 0, minExclusive: true, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' }, default: null, defaultText: 'off: the measured bandwidth', source: 'QEMU migration/options.c (0 = off)',
    flag: '--avail-switchover-bandwidth', group: 'migration',
  },
  switchoverAck: {
    kind: 'boolean', doc: "qemu >= 8.1: the switchover-ack capability: completion also waits for the destination's ACK",
    default: false, source: 'QEMU migration/options.c (capability off)', flag: '--switchover-ack', group: 'migration',
  },
  switchoverAckDelayMs: {
    kind: 'duration', doc: "with switchoverAck: when the destination's ACK reaches the source, ms after the migration starts", rule: { min: 0, max: 1e9, unit: 'ms' },
    default: 0, source: '[REC] a destination with no device that asks to wait acks at once (migration/savevm.c qemu_loadvm_approve_switchover)', flag: '--switchover-ack-delay', group: 'migration',
  },
  clockGranularityMs: {
    kind: 'duration', doc: "qemu: granularity of the clock QEMU's windows and sync period read, ms (0 = exact times)", rule: { min: 0, max: 100, unit: 'ms' },
    default: 1, source: 'QEMU qemu_clock_get_ms (whole milliseconds), migration/migration.c', flag: '--clock-granularity', group: 'migration',
  },
  windowWakeLatencyMs: {
    kind: 'duration', doc: "qemu: how late the migration thread wakes from each rate-limit sleep, ms", rule: { min: 0, max: 100, unit: 'ms' },
    default: 0.05, source: "[REC] Linux's default timer slack, 50 us", flag: '--window-wake-latency', group: 'migration',
  },
  syncCostPerGiBMs: {
    kind: 'duration', doc: 'qemu: time one dirty-bitmap sync takes per GiB of guest RAM (the link is idle meanwhile), ms', rule: { min: 0, max: 10_000, unit: 'ms' },
    default: 0.25, source: '[REC] our estimate (src/engine/clock.ts)', flag: '--sync-cost-per-gib', group: 'migration',
  },
  // --- Wire features (issue 11): page contents, XBZRLE, multifd and compression (src/engine/wire-model.ts) ---
  compressibleFraction: {
    kind: 'fraction', doc: 'share of the populated pages whose content compresses (text, code, structured data), 0 to 1; the rest is incompressible (compressed or encrypted data); classes come in 64-page runs',
    rule: { min: 0, max: 1 }, default: 0.5, source: '[REC] half: guest RAM mixes page cache and heap (compressible) with media, compressed and encrypted data (src/engine/wire-model.ts)',
    flag: '--compressible', group: 'guest',
  },
  machineType: {
    kind: 'enum', doc: "qemu: release of the machine type (pc-q35-X.Y), at most qemuVersion: up to 8.0 multifd flushes after every section (hw_compat_8_0), up to 8.2 zero pages are found on the main thread (hw_compat_8_2)",
    values: QEMU_VERSIONS, default: null, defaultText: 'qemuVersion, the newest machine type of the binary', source: 'QEMU hw/core/machine.c hw_compat_8_0, hw_compat_8_2',
    flag: '--machine-type', group: 'wire',
  },
  xbzrle: {
    kind: 'boolean', doc: 'qemu: the xbzrle capability: after the first pass, a re-sent page is delta-encoded against its copy in a page cache',
    default: false, source: 'QEMU migration/options.c (capability off)', flag: '--xbzrle', group: 'wire', policyKey: 'xbzrle',
  },
  xbzrleCacheBytes: {
    kind: 'bytes', doc: 'qemu: xbzrle-cache-size, a power-of-two multiple of the page size, bytes', rule: { min: 512, max: 16 * GiB, integer: true, unit: 'B' },
    default: 64 * MiB, source: 'QEMU migration/options.c DEFAULT_MIGRATE_XBZRLE_CACHE_SIZE (64 MiB)', flag: '--xbzrle-cache', group: 'wire', policyKey: 'cache',
  },
  xbzrleEncodeBytesPerSec: {
    kind: 'rate', doc: "qemu: XBZRLE encoder throughput of the migration thread, page bytes compared per second (a cache hit reads its whole page)",
    rule: { min: 1, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' }, default: 2e9, source: 'QEMU docs/devel/migration (xbzrle): "sustained bandwidth of 2-2.5 GB/s", the low end',
    flag: '--xbzrle-encode-rate', group: 'wire',
  },
  multifdChannels: {
    kind: 'count', doc: 'qemu: multifd with this many channels (the multifd capability and multifd-channels, 1 to 255); no value: multifd off',
    rule: { min: 1, max: 255, integer: true }, default: null, defaultText: 'off; QEMU: capability off, 2 channels once on', source: 'QEMU migration/options.c DEFAULT_MIGRATE_MULTIFD_CHANNELS 2',
    flag: '--multifd', group: 'wire', policyKey: 'multifd',
  },
  multifdCompression: {
    kind: 'enum', doc: 'qemu: multifd-compression, one stream per channel flushed per 128-page packet (needs multifdChannels)', values: COMPRESSION_METHODS,
    default: 'none', source: 'QEMU migration/options.c DEFAULT_MIGRATE_MULTIFD_COMPRESSION', flag: '--multifd-compression', group: 'wire', policyKey: 'compression', bareValues: true,
  },
  multifdCompressionLevel: {
    kind: 'count', doc: 'qemu: multifd-zlib-level (0 to 9) or multifd-zstd-level (0 to 20)', rule: { min: 0, max: 20, integer: true },
    default: null, defaultText: '1, QEMU\'s default for both', source: 'QEMU migration/options.c DEFAULT_MIGRATE_MULTIFD_ZLIB_LEVEL, _ZSTD_LEVEL (1)',
    flag: '--compression-level', group: 'wire', policyKey: 'level',
  },
  compressionRatio: {
    kind: 'count', doc: 'uncompressed / compressed size of a compressible page under the method and level, 1 to 1000 (incompressible pages keep their size)',
    rule: { min: 1, max: 1000 }, default: null, defaultText: 'from the method and level, src/model/compression.ts', source: "QEMU's zstd measurement (qatzip-compression.rst) and lzbench's Silesia figures (src/model/compression.ts)",
    flag: '--compression-ratio', group: 'wire', policyKey: 'ratio',
  },
  compressPerCoreBytesPerSec: {
    kind: 'rate', doc: 'compress throughput of one multifd channel thread (one core), uncompressed bytes per second', rule: { min: 1, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' },
    default: null, defaultText: 'from the method and level, src/model/compression.ts', source: "QEMU's zstd measurement (qatzip-compression.rst) and lzbench's Silesia figures (src/model/compression.ts)",
    flag: '--compress-rate', group: 'wire',
  },
  postcopyRam: {
    kind: 'boolean', doc: 'qemu: the postcopy-ram capability, so that the migration may switch to postcopy (switched on by itself when a postcopy trigger below is set)',
    default: false, source: 'QEMU migration/options.c (capability off)', flag: '--postcopy', group: 'migration',
  },
  postcopyAfterSyncs: {
    kind: 'count', doc: "qemu: request postcopy (migrate-start-postcopy) once dirty-sync-count reaches this, the setup sync counting as 1 (guestperf's --post-copy-iters, whose default is 5)",
    rule: { min: 1, max: 1e9, integer: true }, default: null, defaultText: 'off', source: 'guestperf --post-copy-iters (../shared/reference/peers.md)', flag: '--postcopy-after', group: 'migration',
  },
  postcopyAfterMs: {
    kind: 'duration', doc: 'qemu: request postcopy (migrate-start-postcopy) at this time after the migration started (a given moment, or a timeout), ms',
    rule: { min: 0, max: 1e9, unit: 'ms' }, default: null, defaultText: 'off', source: 'QMP migrate-start-postcopy (qapi/migration.json)', flag: '--postcopy-at', group: 'migration',
  },
  postcopyStallSyncs: {
    kind: 'count', doc: 'qemu: request postcopy when pre-copy stalls: this many syncs in a row each left at least as much to send as the least left after any earlier sync (src/policies/precopy/postcopy-trigger.ts)',
    rule: { min: 1, max: 1e9, integer: true }, default: null, defaultText: 'off', source: "[REC] after KubeVirt's progress test (VEP 248: the best remaining bytes so far)", flag: '--postcopy-on-stall', group: 'migration',
  },
  postcopyPreempt: {
    kind: 'boolean', doc: 'qemu >= 7.2: the postcopy-preempt capability: pages a fault requests go on a channel of their own instead of queueing behind the background push, which keeps its place',
    default: false, source: 'QEMU qapi/migration.json postcopy-preempt (since 7.1; capability off)', flag: '--postcopy-preempt', group: 'migration', policyKey: 'preempt',
  },
  postcopyFaultLatencyMs: {
    kind: 'duration', doc: 'postcopy: time a vCPU stays blocked on a remote fault (request, queueing, the page on the wire), ms',
    rule: { min: 0, max: 60_000, unit: 'ms' }, default: null, defaultText: '10 ms, or 0.5 ms with postcopyPreempt',
    source: 'QEMU commit messages (../shared/reference/qemu-versions-and-wire.md B.3): ~10 ms vanilla, ~500 us with preempt', flag: '--postcopy-fault-latency', group: 'migration',
  },
  maxPostcopyBandwidthBytesPerSec: {
    kind: 'rate', doc: 'qemu: max-postcopy-bandwidth, the rate limit of the background push after the switch, bytes per second',
    rule: { min: 1, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' }, default: null, defaultText: 'unlimited: the link', source: 'QEMU migration/options.c (0 = unlimited)', flag: '--max-postcopy-bandwidth', group: 'migration',
  },
  postcopyReadsPerWrite: {
    kind: 'count', doc: 'postcopy: page reads the destination guest makes per page write, spread like its writes (each can fault on a page not yet received)',
    rule: { min: 0, max: 1e6 }, default: null, defaultText: "by workload kind: 1, 0 for 'sequential', none for 'idle' and 'compute'", source: '[REC] src/engine/postcopy.ts', flag: '--postcopy-reads-per-write', group: 'migration',
  },
  controller: {
    kind: 'controller', doc: 'CPU-scheduling controller throttling the guest during pre-copy: a name, a name with parameters, or your own',
    default: 'none', source: 'plain pre-copy', flag: '--controller', group: 'migration', noCsv: true,
  },
  management: {
    kind: 'enum', doc: "qemu: a management layer changing QEMU's parameters while it migrates, configured with its own option names (livemig managers lists them)",
    values: MANAGERS, default: 'none', source: 'QEMU driven directly, no management layer (src/model/managers.ts)', flag: '--management', group: 'migration',
    text: { syntax: MANAGEMENT_SYNTAX, pattern: MANAGEMENT_PATTERN, check: (path: string, text: string) => void parseManagementSpec(text, path) },
  },
  seed: {
    kind: 'count', doc: "seed of the workloads' PRNG streams, an unsigned 32-bit integer", rule: { min: 0, max: 0xffffffff, integer: true },
    default: 1, source: '[REC]', flag: '--seed', group: 'migration', noCsv: true,
  },
} as const satisfies Record<string, OptionSpec>;

type Table = typeof OPTION_TABLE;
export type OptionName = { [K in keyof Table]: Table[K] extends { derived: true } ? never : K }[keyof Table];
/** Every option name, in table order. */
export const OPTION_NAMES = (Object.keys(OPTION_TABLE) as (keyof Table)[]).filter((k) => !('derived' in OPTION_TABLE[k])) as OptionName[];

/** The row of an option, widened for code that walks the table. */
export function optionSpec(name: string): OptionSpec | undefined {
  return Object.hasOwn(OPTION_TABLE, name) ? (OPTION_TABLE as Record<string, OptionSpec>)[name] : undefined;
}

/** Every row as [name, spec], in table order. */
export const OPTION_ROWS = Object.entries(OPTION_TABLE) as [keyof Table, OptionSpec][];

/** Value type of a scalar row in the echo (null where the row's default is null). */
type EchoValue<F> = F extends { kind: 'workload' }
  ? WorkloadSpec[]
  : F extends { kind: 'controller' }
    ? Record<string, unknown> | null
    : F extends { default: null }
      ? FieldValue<F> | null
      : FieldValue<F>;
type EchoName<K, F> = F extends { echoAs: infer N extends string } ? N : K;

/** The scenario echo in a report: the resolved options, plain data, JSON-safe (no hooks, no controller objects). */
export type ResolvedScenario = { -readonly [K in keyof Table as EchoName<K, Table[K]>]: EchoValue<Table[K]> };

/** The value type of a scalar option as given to migrate(). */
export type OptionValue<K extends OptionName> = FieldValue<Table[K]>;
