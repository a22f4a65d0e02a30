import { describe, expect, it } from 'vitest';
import { qemuCanSwitchOver, qemuShouldSync } from '../../src/policies/precopy/qemu.js';

// QEMU 10.1 migration_iteration_run (reference qemu-versions-and-wire.md §A.2): the exact pending size is asked
// for (a bitmap sync) only when the estimate is strictly below the threshold, and the switch-over happens when
// what remains is at most the threshold (`<=` since 10.1).
describe('QEMU 10.1 rules at the boundary', () => {
  it('switches over when the pending bytes equal the threshold (<=, not <)', () => {
    expect(qemuCanSwitchOver(300 * 4096, 300 * 4096)).toBe(true);
    expect(qemuCanSwitchOver(300 * 4096 + 1, 300 * 4096)).toBe(false);
    expect(qemuCanSwitchOver(0, 0)).toBe(true);
  });

  it('syncs only when the pending bytes are strictly below the threshold', () => {
    expect(qemuShouldSync(300 * 4096, 300 * 4096)).toBe(false);
    expect(qemuShouldSync(300 * 4096 - 1, 300 * 4096)).toBe(true);
  });
});
