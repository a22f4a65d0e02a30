/** Defaults of QEMU's clock options (clockGranularityMs, windowWakeLatencyMs, syncCostPerGiBMs); the clock is src/engine/clock.ts. */
/** QEMU's clock granularity: qemu_clock_get_ms returns whole milliseconds (include/qemu/timer.h). */
export const DEFAULT_CLOCK_GRANULARITY_MS = 1;
/**
 * Wake-up latency after each rate-limit sleep. [REC] Linux's default timer slack for a normal thread,
 * 50 µs (prctl(2) PR_SET_TIMERSLACK), which a pthread_cond_timedwait may add; scheduling delay not included.
 */
export const DEFAULT_WINDOW_WAKE_LATENCY_MS = 0.05;
/**
 * Time one dirty-bitmap sync takes per GiB of guest RAM (KVM_GET_DIRTY_LOG, write-protecting the logged pages
 * again, and ORing the bitmap into QEMU's). [REC] our estimate: 32 KiB of bitmap per GiB at a few GB/s plus the
 * ioctl; no source gives a figure.
 */
export const DEFAULT_SYNC_COST_MS_PER_GIB = 0.25;

