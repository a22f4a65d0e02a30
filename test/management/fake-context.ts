import type { ManagementContext } from '../../src/model/management.js';

/** A ManagementContext whose state the test sets and whose calls it records (time comes from the poll's argument). */
export class FakeManagementContext implements Partial<ManagementContext> {
  nowMs = 0;
  algorithm = 'qemu' as const;
  pageSize = 4096;
  pages = 524_288;
  memoryBytes = 2 * 2 ** 30;
  downtimeLimitMs = 300;
  maxBandwidthBytesPerSec = 128 * 2 ** 20;
  linkBytesPerSec = 125e6;
  transferredBytes = 0;
  remainingPages = 1000;
  bandwidthBytesPerSec = 125e6;
  vcpus = [];
  syncCount = 1;
  paused = false;
  postcopyAvailable = false;
  postcopyActive = false;
  readonly calls: { what: string; value?: number | string; reason?: string }[] = [];
  setCpuShare(): void {}
  resetDirtyRings(): void {}
  setVcpuDutyCycle(): void {}
  setDowntimeLimit(ms: number, reason?: string): void { this.calls.push({ what: 'downtime', value: ms, reason }); }
  setMaxBandwidth(b: number, reason?: string): void { this.calls.push({ what: 'bandwidth', value: b, reason }); }
  abort(reason?: string): void { this.calls.push({ what: 'abort', reason }); }
  pauseGuest(reason?: string): void { this.paused = true; this.calls.push({ what: 'pause', reason }); }
  startPostcopy(reason?: string): void { this.postcopyActive = true; this.calls.push({ what: 'postcopy', reason }); }
  noteCapability(name: string, reason: string): void { this.calls.push({ what: 'capability', value: name, reason }); }
  get ctx(): ManagementContext { return this as unknown as ManagementContext; }
  /** The calls made so far, then forgotten. */
  take(): string[] {
    const out = this.calls.map((c) => (c.value === undefined ? c.what : `${c.what} ${c.value}`));
    this.calls.length = 0;
    return out;
  }
}
