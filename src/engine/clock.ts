/**
 * The clock QEMU's migration thread reads, and the time its own work takes (options clockGranularityMs,
 * windowWakeLatencyMs, syncCostPerGiBMs). QEMU reads a whole-millisecond clock for its rate-limit windows and
 * its 1 s sync period (qemu_clock_get_ms(QEMU_CLOCK_REALTIME) in migration/migration.c migration_rate_limit,
 * migration_update_counters, and migration/ram.c migration_bitmap_sync): a window ends at the first reading
 * ≥ start + 100 and measures `reading − start` whole ms, so ten windows are not exactly 1000 ms and
 * auto-converge's `> 1000 ms` period test depends on it. The rate-limit sleep (qemu_sem_timedwait for
 * `start + 100 − now` ms) also wakes a little late; a bitmap sync takes time, in which the link is idle, so
 * the window that holds it measures less bandwidth.
 */

/** QEMU rate-limit window (BUFFER_DELAY, migration/migration.c): bandwidth is measured per window. */
export const WINDOW_MS = 100;
/** QEMU ram_save_iterate ends a send burst after this long (MAX_WAIT, migration/ram.c). */
export const MAX_BURST_MS = 50;


export interface ClockSettings {
  clockGranularityMs: number;
  windowWakeLatencyMs: number;
  syncCostPerGiBMs: number;
}

export class Clock {
  constructor(readonly s: ClockSettings) {}

  /** What the clock reads at real time `tMs` (the real time itself with granularity 0). */
  read(tMs: number): number {
    const g = this.s.clockGranularityMs;
    return g > 0 ? Math.floor(tMs / g + 1e-9) * g : tMs;
  }

  /** migration_update_counters' test: the window that opened at `startMs` is over at `nowMs`. */
  windowDue(nowMs: number, startMs: number): boolean {
    return this.read(nowMs) >= this.read(startMs) + WINDOW_MS;
  }

  /** time_spent of a window, as QEMU measures it (whole ms with the default granularity). */
  windowSpanMs(nowMs: number, startMs: number): number {
    const span = this.read(nowMs) - this.read(startMs);
    return span > 0 ? span : nowMs - startMs;
  }

  /** When the thread wakes from migration_rate_limit's sleep of `start + 100 − now` (clock readings) at `nowMs`. */
  rateLimitWakeMs(nowMs: number, startMs: number): number {
    const waitMs = this.read(startMs) + WINDOW_MS - this.read(nowMs);
    return nowMs + Math.max(0, waitMs) + this.s.windowWakeLatencyMs;
  }

  /** Time one bitmap sync of a VM of `memoryBytes` takes. */
  syncCostMs(memoryBytes: number): number {
    return (this.s.syncCostPerGiBMs * memoryBytes) / 2 ** 30;
  }
}

/** Exact times, no overheads: the clock of the round-based algorithms (xen, simgrid, stop-and-copy). */
export const EXACT_CLOCK = new Clock({ clockGranularityMs: 0, windowWakeLatencyMs: 0, syncCostPerGiBMs: 0 });

/**
 * The clock of a scenario: the settings are QEMU's (its migration thread, its millisecond clock), so they apply
 * to the qemu algorithm; the others keep exact times and free syncs.
 */
export function clockOf(s: ClockSettings & { algorithm: string }): Clock {
  return s.algorithm === 'qemu' ? new Clock(s) : EXACT_CLOCK;
}
