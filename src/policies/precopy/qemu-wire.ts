/**
 * QEMU's wire format and throttle, shared by the algorithms that model QEMU/KVM (qemu, simgrid, stop-and-copy).
 */
import type { CpuShareActuator } from '../../engine/context.js';
import type { WireFormat } from '../../engine/wire.js';

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
/** QEMU cpu-throttle timeslice (CPU_THROTTLE_TIMESLICE_NS, migration/cpu-throttle.c). */
export const CPU_THROTTLE_TIMESLICE_MS = 10;

/**
 * 8 B header + page, 9 B zero page, and 18 B of section header, EOS and footer around every iteration (one
 * RAMBlock, so no block names) (migration/ram.c, migration/savevm.c).
 */
export function qemuWire(pageSize: number): WireFormat {
  return { normalPageBytes: PAGE_HEADER_BYTES + pageSize, zeroPageBytes: ZERO_PAGE_BYTES, burstTrailerBytes: QEMU_ITERATION_FRAMING_BYTES };
}

/**
 * QEMU's cpu-throttle (migration/cpu-throttle.c): every vCPU runs 10 ms, then sleeps pct/(1−pct) × 10 ms, with
 * pct = (1 − share) as a whole percentage clamped to 99 (cpu_throttle_set); 0 % is cpu_throttle_stop.
 */
export const qemuCpuThrottle: CpuShareActuator = (share) => {
  const whole = Math.round((1 - share) * 100);
  const p = whole <= 0 ? 0 : Math.min(99, whole) / 100;
  const cycle = p <= 0 ? null : { runMs: CPU_THROTTLE_TIMESLICE_MS, sleepMs: (p / (1 - p)) * CPU_THROTTLE_TIMESLICE_MS };
  return { cycle, mode: 'qemu-throttle' };
};
