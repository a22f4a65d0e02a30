import { describe, expect, it } from 'vitest';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { MigrationContext } from '../../src/engine/context.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import { NO_CONTROLLER } from '../../src/model/controller.js';
import { qemuCpuThrottle, qemuWire } from '../../src/policies/precopy/qemu-wire.js';
import { xenCreditCap, xenWire } from '../../src/policies/precopy/xen.js';
import { resolveOptions } from '../../src/api/resolve.js';
import { Vcpu } from '../../src/engine/vcpu.js';
import { createWorkload } from '../../src/workloads/index.js';
import type { WorkloadSpec } from '../../src/model/workloads.js';

// Validation target 2 (reference §4.3, QEMU migration/cpu-throttle.c): at throttle p every vCPU runs one
// CPU_THROTTLE_TIMESLICE (10 ms) then sleeps p/(1 − p) × 10 ms, so it gets the share 1 − p of the CPU, and a
// CPU-bound writer's page-write rate falls to (1 − p) × its unthrottled rate.
// Xen credit cap c %: the vCPU gets c % of a physical CPU.

const TIMESLICE_MS = 10; // CPU_THROTTLE_TIMESLICE_NS = 10 000 000 ns
const XEN_PERIOD_MS = 30; // credit-scheduler accounting period the emulator enforces a cap over

/** The reference's table: throttle % → sleep per cycle in ms (rounded as printed there). */
const SLEEP_TABLE: Array<[pct: number, sleepMs: number]> = [
  [20, 2.5],
  [30, 4.29],
  [50, 10],
  [90, 90],
  [99, 990],
];

const PAGES = 1 << 20; // 4 GiB of 4 KiB pages: a sequential sweep below never wraps, so every write is a fresh page
const WRITES_PER_SEC = 10_000;
const RUN_MS = 60_000;
const SLICE_MS = 7; // not a divisor of any cycle length: slices cut cycles at arbitrary phases

/** A guest of one vCPU running `spec`, with the engine's context around it (no migration, no controller). */
function guest(spec: WorkloadSpec, hypervisor: 'qemu' | 'xen' = 'qemu'): { ctx: MigrationContext; vcpu: Vcpu } {
  const resolved = resolveOptions({ memoryBytes: PAGES * 4096, populatedFraction: 0, workload: spec });
  const store = new WasmPageStore(PAGES);
  store.seedStream(0, 12345);
  const vcpu = new Vcpu(0, createWorkload(resolved.workloads[0]!, PAGES, 0));
  const ctx = hypervisor === 'qemu'
    ? new MigrationContext(resolved, store, [vcpu], qemuWire(4096), qemuCpuThrottle, NO_CONTROLLER)
    : new MigrationContext(resolved, store, [vcpu], xenWire(4096), xenCreditCap, NO_CONTROLLER);
  return { ctx, vcpu };
}

/** Lets the guest run for `totalMs` in slices of `sliceMs`. */
function runFor(ctx: MigrationContext, totalMs: number, sliceMs = SLICE_MS): void {
  const end = ctx.nowMs + totalMs;
  while (ctx.nowMs < end - 1e-9) ctx.idleUntil(ctx.nowMs + Math.min(sliceMs, end - ctx.nowMs));
}

const sequential: WorkloadSpec = { kind: 'sequential', writesPerSec: WRITES_PER_SEC };

/** QEMU's cpu-throttle at `pct` %, asked for the way controllers do: as the CPU share 1 − pct/100. */
const throttle = (ctx: MigrationContext, pct: number) => ctx.setCpuShare(1 - pct / 100);

describe('QEMU cpu-throttle arithmetic (target 2)', () => {
  it.each(SLEEP_TABLE)('p = %i %%: run 10 ms, sleep %s ms per cycle, run fraction 1 − p', (pct, sleepMs) => {
    const { ctx, vcpu } = guest(sequential);
    throttle(ctx, pct);
    const p = pct / 100;
    const cycle = vcpu.dutyCycle;
    expect(cycle).not.toBeNull();
    expect(cycle!.runMs).toBe(TIMESLICE_MS);
    expect(cycle!.sleepMs).toBeCloseTo((p / (1 - p)) * TIMESLICE_MS, 9); // closed form
    expect(cycle!.sleepMs).toBeCloseTo(sleepMs, 2); // the reference's printed value
    expect(cycle!.runMs / (cycle!.runMs + cycle!.sleepMs)).toBeCloseTo(1 - p, 12);
    expect(vcpu.throttlePct).toBeCloseTo(pct, 9);
  });

  it.each(SLEEP_TABLE)('p = %i %%: a CPU-bound writer writes (1 − p) × its unthrottled rate', (pct) => {
    const p = pct / 100;
    const free = guest(sequential);
    runFor(free.ctx, RUN_MS);
    const unthrottled = free.vcpu.writes;
    expect(unthrottled).toBe((WRITES_PER_SEC * RUN_MS) / 1000); // the unthrottled rate is the workload's own
    expect(free.vcpu.ringEntries).toBe(unthrottled);

    const slowed = guest(sequential);
    throttle(slowed.ctx, pct);
    runFor(slowed.ctx, RUN_MS);
    // Duty-cycle granularity: whatever phase the cycle starts in, the run time over T differs from (1 − p)·T by
    // less than one 10 ms run phase, and fractional writes carry over (< 1 write). So the count is within the
    // writes of one timeslice, plus one, of (1 − p) × unthrottled.
    const expected = (1 - p) * unthrottled;
    const tolerance = (WRITES_PER_SEC * TIMESLICE_MS) / 1000 + 1;
    expect(Math.abs(slowed.vcpu.writes - expected)).toBeLessThanOrEqual(tolerance);
    // a sequential sweep that does not wrap dirties one fresh page per write: the dirty rate falls the same way
    expect(slowed.vcpu.ringEntries).toBe(slowed.vcpu.writes);
    // CPU accounting agrees: the vCPU obtained the share 1 − p of what it demanded
    expect(slowed.vcpu.cpuDemandedMs).toBeCloseTo(RUN_MS, 6);
    expect(slowed.vcpu.cpuObtainedMs / slowed.vcpu.cpuDemandedMs).toBeCloseTo(1 - p, 3);
  });

  it('the uniform writer is slowed the same way (page writes are ∝ CPU time, whatever the pattern)', () => {
    const uniform: WorkloadSpec = { kind: 'uniform', writesPerSec: WRITES_PER_SEC };
    const free = guest(uniform);
    runFor(free.ctx, 20_000);
    const slowed = guest(uniform);
    throttle(slowed.ctx, 30);
    runFor(slowed.ctx, 20_000);
    const expected = 0.7 * free.vcpu.writes;
    expect(Math.abs(slowed.vcpu.writes - expected)).toBeLessThanOrEqual((WRITES_PER_SEC * TIMESLICE_MS) / 1000 + 1);
  });

  it('cpu_throttle_set semantics: a whole percentage clamped to [1, 99]; 0 lifts the throttle', () => {
    const { ctx, vcpu } = guest(sequential);
    throttle(ctx, 99.9);
    expect(vcpu.dutyCycle!.sleepMs).toBeCloseTo(990, 9); // rounds to 100, clamped to 99 %
    throttle(ctx, 29.6);
    expect(vcpu.dutyCycle!.sleepMs).toBeCloseTo((0.3 / 0.7) * 10, 9); // rounded to 30 %
    throttle(ctx, 0.4);
    expect(vcpu.dutyCycle).toBeNull(); // rounds to 0: no throttle
    throttle(ctx, 20);
    expect(vcpu.dutyCycle).not.toBeNull();
    ctx.setCpuShare(1);
    expect(vcpu.dutyCycle).toBeNull();
    expect(vcpu.throttlePct).toBe(0);
  });

  it.each([0, -0.5, 1.5, Number.NaN, Infinity])('setCpuShare(%s) is refused, naming the call', (share) => {
    const { ctx, vcpu } = guest(sequential);
    expect(() => ctx.setCpuShare(share)).toThrow(InvalidOptionError);
    expect(() => ctx.setCpuShare(share)).toThrow(/setCpuShare\(share\)/);
    expect(vcpu.dutyCycle).toBeNull();
  });

  it.each([[-1, null], [7, null], [0.5, null], [0, { runMs: -1, sleepMs: 5 }], [0, { runMs: 0, sleepMs: 0 }], [0, { runMs: 1, sleepMs: Number.NaN }]] as const)(
    'setVcpuDutyCycle(%s, %j) is refused', (vcpu, cycle) => {
      const { ctx } = guest(sequential);
      expect(() => ctx.setVcpuDutyCycle(vcpu, cycle)).toThrow(/setVcpuDutyCycle/);
    });

  it('the throttle applies to every vCPU alike', () => {
    const resolved = resolveOptions({ memoryBytes: 4096 * 4096, workload: [sequential, { kind: 'compute' }, sequential] });
    const store = new WasmPageStore(4096);
    const vcpus = resolved.workloads.map((w, i) => new Vcpu(i, createWorkload(w, 4096, i)));
    const ctx = new MigrationContext(resolved, store, vcpus, qemuWire(4096), qemuCpuThrottle, NO_CONTROLLER);
    throttle(ctx, 50);
    for (const v of vcpus) expect(v.dutyCycle).toEqual({ runMs: 10, sleepMs: 10 });
  });
});

describe('Xen credit cap: a cap of c % gives the vCPU the share c %', () => {
  it.each([10, 25, 50, 80])('cap %i %%', (cap) => {
    const { ctx, vcpu } = guest(sequential, 'xen');
    ctx.setCpuShare(cap / 100);
    const cycle = vcpu.dutyCycle!;
    expect(cycle.runMs + cycle.sleepMs).toBeCloseTo(XEN_PERIOD_MS, 9);
    expect(cycle.runMs / (cycle.runMs + cycle.sleepMs)).toBeCloseTo(cap / 100, 12);
    expect(vcpu.throttlePct).toBeCloseTo(100 - cap, 9);

    runFor(ctx, RUN_MS);
    const expected = (cap / 100) * ((WRITES_PER_SEC * RUN_MS) / 1000);
    const tolerance = (WRITES_PER_SEC * XEN_PERIOD_MS) / 1000 + 1; // one credit period's run phase
    expect(Math.abs(vcpu.writes - expected)).toBeLessThanOrEqual(tolerance);
  });

  it('a share of 1 (a cap of 100 %) lifts the cap; the cap is at least 1 %', () => {
    const { ctx, vcpu } = guest(sequential, 'xen');
    ctx.setCpuShare(0.4);
    expect(vcpu.dutyCycle).not.toBeNull();
    ctx.setCpuShare(1);
    expect(vcpu.dutyCycle).toBeNull();
    ctx.setCpuShare(0.001);
    expect(vcpu.dutyCycle!.runMs).toBeCloseTo(0.01 * XEN_PERIOD_MS, 12);
  });
});
