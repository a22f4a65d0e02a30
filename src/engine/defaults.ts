/**
 * Every default livemig uses, named once. Values from a source carry its name (see
 * ../shared/reference/migration-algorithms.md, "Defaults table"); values marked [REC] are our own choice.
 */

/** 1 KiB, MiB, GiB, TiB in bytes. */
export const KiB = 1024;
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
export const TiB = 1024 ** 4;

/** Guest memory size. [REC] */
export const DEFAULT_MEMORY_BYTES = 4 * GiB;
/** Guest page size (x86 TARGET_PAGE_SIZE). */
export const DEFAULT_PAGE_SIZE = 4096;
/**
 * Fraction of guest pages written since boot when migration starts; the rest are zero pages (9 B on the
 * wire in QEMU). Real guests often have half their RAM or more still zero. [REC]
 */
export const DEFAULT_POPULATED_FRACTION = 0.5;
/** vCPUs per VM. */
export const DEFAULT_VCPUS = 1;
/** Page writes per second per vCPU at full CPU speed, for the default hot/cold workload. [REC] */
export const DEFAULT_WRITES_PER_SEC = 25_000;
/** Share of memory that is hot in the hot/cold workload (Clark's small writable working set). [REC] */
export const DEFAULT_HOT_FRACTION = 0.05;
/** Probability that a hot/cold write goes to the hot set. [REC] */
export const DEFAULT_HOT_PROBABILITY = 0.9;

/** Link capacity: 1 Gbit/s = 125,000,000 B/s (the classic GbE testbed). */
export const DEFAULT_LINK_BYTES_PER_SEC = 125_000_000;
/** QEMU `downtime-limit` (DEFAULT_MIGRATE_SET_DOWNTIME, migration/options.c). */
export const DEFAULT_DOWNTIME_LIMIT_MS = 300;
/** QEMU `max-bandwidth` (MAX_THROTTLE = 128 MiB/s, migration/options.c); pre-copy only. */
export const DEFAULT_MAX_BANDWIDTH_BYTES_PER_SEC = 128 * MiB;
/** Setup phase before the first page is sent (QEMU's setup-time). [REC] */
export const DEFAULT_SETUP_TIME_MS = 10;
/** Device (non-RAM) state sent during stop-and-copy. [REC] */
export const DEFAULT_DEVICE_STATE_BYTES = 256 * KiB;
/** Fixed time from the last byte received to the guest running at the destination (Clark 2005: 9 ms). */
export const DEFAULT_RESUME_TIME_MS = 9;
/** A run that has not completed after this much emulated time is cancelled (twice guestperf's --max-time of 300 s). [REC] */
export const DEFAULT_MAX_TIME_MS = 600_000;
/** Seed of every PRNG stream. */
export const DEFAULT_SEED = 1;

/** QEMU rate-limit window (BUFFER_DELAY, migration/migration.c). */
export const WINDOW_MS = 100;
/** QEMU ram_save_iterate ends a send burst after this long (MAX_WAIT, migration/ram.c). */
export const MAX_BURST_MS = 50;
/** QEMU page header (save_page_header) in bytes. */
export const PAGE_HEADER_BYTES = 8;
/** QEMU zero page on the wire: header + 1 byte (save_zero_page). */
export const ZERO_PAGE_BYTES = 9;
/** QEMU RAM_SAVE_FLAG_EOS marker closing every ram_save_iterate. */
export const EOS_BYTES = 8;
/**
 * Bytes framing each QEMU iteration: section header (1 + 4 B, QEMU_VM_SECTION_PART), the EOS marker (8 B) and
 * the section footer (1 + 4 B) (migration/savevm.c qemu_savevm_state_iterate, migration/ram.c).
 */
export const QEMU_ITERATION_FRAMING_BYTES = 5 + EOS_BYTES + 5;
/** QEMU ≥ 9.2 syncs the dirty bitmap this often while auto-converge is on, if nothing else did (cpu-throttle.c). */
export const QEMU_DIRTY_SYNC_TIMER_MS = 5000;

/** Xen DEF_MAX_ITERS: 29 live iterations, so the 30th round is the stop-and-copy (xc_domain_save.c). */
export const XEN_MAX_ITERS = 29;
/** Xen DEF_MAX_FACTOR: stop once more than 3 × memory has been sent. */
export const XEN_MAX_FACTOR = 3;
/** Xen last-iteration trigger: sent + skipped in a round below this many pages. */
export const XEN_LAST_ITER_PAGES = 50;
/** Xen MAX_BATCH_SIZE: pages per batch; the dirty bitmap is peeked before each batch (xg_save_restore.h). */
export const XEN_BATCH_PAGES = 1024;
/** Xen batch header: the page count as an unsigned int. */
export const XEN_BATCH_HEADER_BYTES = 4;
/** Xen pfn_type entry sent with every page (unsigned long). */
export const XEN_PFN_TYPE_BYTES = 8;

/** Pre-copy algorithm when none is given. */
export const DEFAULT_ALGORITHM = 'qemu';
/** Workload kind when none is given (with DEFAULT_WRITES_PER_SEC, DEFAULT_HOT_FRACTION, DEFAULT_HOT_PROBABILITY). */
export const DEFAULT_WORKLOAD_KIND = 'hot-cold';
