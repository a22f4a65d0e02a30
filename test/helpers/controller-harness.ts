import type { AlgorithmName } from '../../src/model/algorithms.js';
import type { DutyCycle } from '../../src/engine/vcpu.js';
import type { Controller, ControllerContext, SyncEvent, WindowEvent } from '../../src/model/controller.js';
import type { RoundRecord } from '../../src/model/report.js';

/** One call a controller made on its context's actuators, with the emulated time it was made at. */
export type ActuatorCall =
  | { kind: 'share'; share: number; atMs: number }
  | { kind: 'duty'; vcpu: number; cycle: DutyCycle | null; atMs: number }
  | { kind: 'reset-rings'; atMs: number }
  | { kind: 'postcopy'; atMs: number };

/** A vCPU as a fake context shows it; every field is writable so a test can script it. */
export interface FakeVcpu {
  index: number;
  workloadKind: string;
  writesPerSec: number;
  ringEntries: number;
  cpuDemandedMs: number;
  cpuObtainedMs: number;
  throttlePct: number;
  dutyCycle: DutyCycle | null;
}

/** Starting values of a fake context's fields. */
export interface FakeInit {
  nowMs?: number;
  algorithm?: AlgorithmName;
  pageSize?: number;
  pages?: number;
  downtimeLimitMs?: number;
  linkBytesPerSec?: number;
  transferredBytes?: number;
  remainingPages?: number;
  bandwidthBytesPerSec?: number;
  vcpuCount?: number;
}

/**
 * A scripted ControllerContext: the test sets the clock, the counters and the vCPU views, feeds the controller
 * synthetic events, and reads back every actuator call. Nothing is emulated; the controller's arithmetic is
 * all that runs.
 */
export class FakeControllerContext implements ControllerContext {
  nowMs = 0;
  algorithm: AlgorithmName = 'qemu';
  pageSize = 4096;
  pages = 1 << 16;
  downtimeLimitMs = 300;
  linkBytesPerSec = 125_000_000;
  transferredBytes = 0;
  remainingPages = 0;
  bandwidthBytesPerSec = 0;
  vcpus: FakeVcpu[];
  readonly calls: ActuatorCall[] = [];

  constructor(init: FakeInit = {}) {
    const { vcpuCount = 1, ...rest } = init;
    Object.assign(this, rest);
    this.vcpus = Array.from({ length: vcpuCount }, (_, index) => ({
      index, workloadKind: 'sequential', writesPerSec: 0, ringEntries: 0, cpuDemandedMs: 0, cpuObtainedMs: 0,
      throttlePct: 0, dutyCycle: null,
    }));
  }

  setCpuShare(share: number): void {
    this.calls.push({ kind: 'share', share, atMs: this.nowMs });
  }
  resetDirtyRings(): void {
    this.calls.push({ kind: 'reset-rings', atMs: this.nowMs });
  }
  setVcpuDutyCycle(vcpu: number, cycle: DutyCycle | null): void {
    this.calls.push({ kind: 'duty', vcpu, cycle, atMs: this.nowMs });
  }
  startPostcopy(): void {
    this.calls.push({ kind: 'postcopy', atMs: this.nowMs });
  }

  /** The cpu-throttle percentages set so far, in order. */
  get throttles(): number[] {
    // What QEMU's cpu_throttle_set applies: a whole percentage (src/policies/precopy/qemu-wire.ts).
    return this.shares.map((share) => Math.round((1 - share) * 100));
  }
  /** The CPU shares asked for so far, in order. */
  get shares(): number[] {
    return this.calls.flatMap((c) => (c.kind === 'share' ? [c.share] : []));
  }
}

/** A finished round record with zeros wherever the test does not care. */
export function roundRecord(r: Partial<RoundRecord> & Pick<RoundRecord, 'index' | 'startMs' | 'endMs'>): RoundRecord {
  return {
    phase: 'live', normalPages: 0, zeroPages: 0, skippedPages: 0, bytes: 0, dirtiedPages: 0, remainingPages: 0,
    bandwidthBytesPerSec: 0, expectedDowntimeMs: 0, throttlePct: 0, ...r,
  };
}

/** A sync event (the setup sync when `ended` is null). */
export function syncEvent(syncCount: number, ended: RoundRecord | null, newPages: number, remainingPages = newPages): SyncEvent {
  return { syncCount, ended, newPages, remainingPages };
}

/**
 * Wraps a controller so a test can see the live context it was given (the engine's MigrationContext, through
 * the public Controller interface) and observe it after each event. The wrapper keeps the inner controller's
 * name and description, so reports name it as the inner one.
 */
export function spy<C extends Controller>(
  inner: C,
  observe: { afterSync?(e: SyncEvent, ctx: ControllerContext): void; afterWindow?(e: WindowEvent, ctx: ControllerContext): void } = {},
): { controller: Controller; inner: C; ctx(): ControllerContext } {
  let seen: ControllerContext | null = null;
  const controller: Controller = {
    name: inner.name,
    describe: () => inner.describe?.() ?? {},
    onSync(e, ctx) {
      seen = ctx;
      inner.onSync?.(e, ctx);
      observe.afterSync?.(e, ctx);
    },
    onWindow(e, ctx) {
      seen = ctx;
      inner.onWindow?.(e, ctx);
      observe.afterWindow?.(e, ctx);
    },
    shouldStopAndCopy(pending, ctx) {
      seen = ctx;
      return inner.shouldStopAndCopy?.(pending, ctx) ?? false;
    },
  };
  return {
    controller,
    inner,
    ctx() {
      if (seen === null) throw new Error('the controller was never called');
      return seen;
    },
  };
}
