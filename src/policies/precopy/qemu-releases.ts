/**
 * QEMU's pre-copy rules by release, 6.2 to 10.1: one row of rule flags per release, read by the one qemu
 * algorithm (qemu.ts) and by the auto-converge trigger. Sources: the release trees of qemu/qemu
 * (migration/migration.c migration_iteration_run and migration_update_counters, migration/ram.c
 * ram_save_pending / ram_state_pending_*, migration_bitmap_sync_precopy, migration/cpu-throttle.c), as
 * summarised with commits in ../shared/reference/qemu-versions-and-wire.md §A.2–A.3; the exact checks that
 * tell neighbouring releases apart are §A.6 (test/policies/qemu-releases.test.ts).
 * Releases after 10.1 were not read, so they are not offered.
 */

import { DEFAULT_QEMU_VERSION, QEMU_VERSIONS, type QemuVersion } from '../../model/qemu-versions.js';

export { DEFAULT_QEMU_VERSION, QEMU_VERSIONS, type QemuVersion };

/** The rule flags of one release. */
export interface QemuReleaseRules {
  /**
   * When the exact pending (and with it a bitmap sync) is asked for, R = RAM still to send, M = must-precopy
   * part, P = all pending, T = threshold:
   * - 'ram<T' (6.2, 7.2 ram_save_pending): R < T;
   * - 'M<=T,ram<T' (8.0–8.2 ram_state_pending_exact behind the estimate, guard of 28ef5339c3): M ≤ T and R < T;
   * - 'P<T' (9.0+, 910c1647 "Fix high frequency sync"): P < T.
   * Without postcopy and with no other iterable device (livemig's model), M = P = R, so all three sync at R < T.
   */
  syncTrigger: 'ram<T' | 'M<=T,ram<T' | 'P<T';
  /** Completion test: 'P<T' (`P = 0 or P < T`, up to 10.0) or 'P<=T' (10.1, 7aaa1fc072 "Rewrite the migration complete detect logic"). */
  completion: 'P<T' | 'P<=T';
  /** The switchover-ack capability exists (8.1+, 6574232fff): completion also waits for the destination's ACK. */
  switchoverAck: boolean;
  /** The avail-switchover-bandwidth parameter exists (8.2+, 8b2395970a): it replaces the measured bandwidth in T. */
  availSwitchoverBandwidth: boolean;
  /** The 5 s dirty-sync timer runs while auto-converge is on (9.2+, 52ac968ab2, cpu_throttle_dirty_sync_timer). */
  dirtySyncTimer: boolean;
  /**
   * What auto-converge's period test counts as transferred (migration_bitmap_sync bytes_xfer_prev):
   * 'ram' = ram_counters.transferred / mig_stats.transferred, RAM pages, headers and EOS only (≤ 8.1);
   * 'all' = migration_transferred_bytes, every byte of the stream, section framing included (8.2+).
   */
  throttleXferCounter: 'ram' | 'all';
  /** The dirty-limit capability exists (8.1+). */
  dirtyLimit: boolean;
  /**
   * migration_iteration_run tests postcopy before completion (10.1, 7aaa1fc072); up to 10.0 a pass whose pending
   * fits the threshold completes as pre-copy even with postcopy requested (qemu-versions-and-wire.md §A.2, §B.3).
   */
  postcopyFirst: boolean;
  /** The postcopy-preempt capability exists (qapi: since 7.1, so 7.2 here). */
  postcopyPreempt: boolean;
  /** The switch to postcopy runs unlimited, max-postcopy-bandwidth applying afterwards (10.0+, 40004007e6 migration_switchover_start). */
  postcopySwitchoverUnlimited: boolean;
}

type Row = QemuReleaseRules & { commit: string };

const V62: Row = {
  commit: '44f28df24767 (tag v6.2.0)', syncTrigger: 'ram<T', completion: 'P<T', switchoverAck: false, availSwitchoverBandwidth: false,
  dirtySyncTimer: false, throttleXferCounter: 'ram', dirtyLimit: false, postcopyFirst: false, postcopyPreempt: false, postcopySwitchoverUnlimited: false,
};
/** From 7.2 on: postcopy-preempt exists. */
const PREEMPT = { postcopyPreempt: true } as const;

/**
 * The release table. Rows differ only where the sources do (qemu-versions-and-wire.md §A.3); unchanged
 * from 6.2 to 10.1: the 100 ms window, XFER_LIMIT_RATIO 10, MAX_WAIT 50 ms, the 1 s period gate, the
 * `>= 2` trigger count, the per-page wire costs.
 */
export const QEMU_RELEASES: Readonly<Record<QemuVersion, Readonly<Row>>> = {
  '6.2': V62,
  '7.2': { ...V62, ...PREEMPT, commit: 'b67b00e6b4c7' },
  '8.0': { ...V62, ...PREEMPT, commit: 'c1eb2ddf0f80', syncTrigger: 'M<=T,ram<T' },
  '8.1': { ...V62, ...PREEMPT, commit: '7e5a8bb22368', syncTrigger: 'M<=T,ram<T', switchoverAck: true, dirtyLimit: true },
  '8.2': { ...V62, ...PREEMPT, commit: '1600b9f46b1b', syncTrigger: 'M<=T,ram<T', switchoverAck: true, dirtyLimit: true, availSwitchoverBandwidth: true, throttleXferCounter: 'all' },
  '9.0': { ...V62, ...PREEMPT, commit: 'c25df57ae8f9', syncTrigger: 'P<T', switchoverAck: true, dirtyLimit: true, availSwitchoverBandwidth: true, throttleXferCounter: 'all' },
  '9.1': { ...V62, ...PREEMPT, commit: 'fd1952d814da', syncTrigger: 'P<T', switchoverAck: true, dirtyLimit: true, availSwitchoverBandwidth: true, throttleXferCounter: 'all' },
  '9.2': { ...V62, ...PREEMPT, commit: 'ae35f033b874', syncTrigger: 'P<T', switchoverAck: true, dirtyLimit: true, availSwitchoverBandwidth: true, throttleXferCounter: 'all', dirtySyncTimer: true },
  '10.0': { ...V62, ...PREEMPT, postcopySwitchoverUnlimited: true, commit: '7c949c53e936', syncTrigger: 'P<T', switchoverAck: true, dirtyLimit: true, availSwitchoverBandwidth: true, throttleXferCounter: 'all', dirtySyncTimer: true },
  '10.1': { ...V62, ...PREEMPT, postcopySwitchoverUnlimited: true, postcopyFirst: true, commit: 'f8b2f64e2336', syncTrigger: 'P<T', switchoverAck: true, dirtyLimit: true, availSwitchoverBandwidth: true, throttleXferCounter: 'all', dirtySyncTimer: true, completion: 'P<=T' },
};

/** The rules of a release (the version is checked by the option table before it gets here). */
export function qemuRelease(version: string): Readonly<Row> {
  const row = (QEMU_RELEASES as Record<string, Row>)[version];
  if (row === undefined) throw new Error(`livemig: no QEMU release ${version} in the release table`);
  return row;
}

/** Pending bytes, split as migration_iteration_run sees them (RAM-only pre-copy: must-precopy = all = RAM). */
export interface Pending {
  /** R: RAM still to send (migration_dirty_pages × page size). */
  ramBytes: number;
  /** P: everything pending (RAM plus other iterable devices; livemig has none). */
  totalBytes: number;
  /** M: the part that must go before postcopy (all of P without postcopy-ram). */
  mustPrecopyBytes: number;
}

/** Whether this iteration asks for the exact pending, which syncs the dirty bitmap. */
export function releaseShouldSync(rules: QemuReleaseRules, p: Pending, thresholdBytes: number): boolean {
  switch (rules.syncTrigger) {
    case 'ram<T': return p.ramBytes < thresholdBytes;
    case 'M<=T,ram<T': return p.mustPrecopyBytes <= thresholdBytes && p.ramBytes < thresholdBytes;
    case 'P<T': return p.totalBytes < thresholdBytes;
  }
}

/** The completion test on what is pending after the (possible) sync; `acked` = migration_can_switchover. */
export function releaseCanComplete(rules: QemuReleaseRules, pendingBytes: number, thresholdBytes: number, acked: boolean): boolean {
  const fits = rules.completion === 'P<=T' ? pendingBytes <= thresholdBytes : pendingBytes === 0 || pendingBytes < thresholdBytes;
  return fits && acked;
}

/**
 * threshold_size (migration_update_counters): bandwidth in bytes per ms (avail-switchover-bandwidth / 1000 in
 * integer division when set, 8.2+) × downtime-limit, truncated to a whole number of bytes (an integer field).
 */
export function releaseThreshold(measuredBytesPerMs: number, downtimeLimitMs: number, availSwitchoverBytesPerSec: number | null): number {
  const bw = availSwitchoverBytesPerSec !== null && availSwitchoverBytesPerSec > 0 ? Math.floor(availSwitchoverBytesPerSec / 1000) : measuredBytesPerMs;
  return Math.floor(bw * downtimeLimitMs);
}
