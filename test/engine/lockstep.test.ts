import { describe, expect, it } from 'vitest';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { migrate } from '../../src/api/migrate.js';
import { Guest } from '../../src/engine/guest.js';
import { Vcpu } from '../../src/engine/vcpu.js';
import { HotColdWorkload } from '../../src/workloads/hot-cold.js';
import { UniformWorkload } from '../../src/workloads/uniform.js';

// vCPUs whose workloads write with the same distribution and whose schedules agree run in lockstep: the guest
// performs all their writes in one core call (src/engine/guest.ts). Their per-vCPU books must stay what they
// would be one by one (CPU times and writes exact, ring entries shared within one of each other), and the
// pages dirtied must follow the occupancy law of all their writes together.

function guestOf(n: number, pages: number, make: (i: number) => UniformWorkload | HotColdWorkload) {
  const store = new WasmPageStore(pages);
  const vcpus = Array.from({ length: n }, (_, i) => {
    store.seedStream(i, 100 + i);
    return new Vcpu(i, make(i));
  });
  return { store, guest: new Guest(store, vcpus) };
}

describe('vCPUs in lockstep', () => {
  it('keep exact per-vCPU writes and CPU times, and ring entries within one of each other', () => {
    const { guest, store } = guestOf(7, 50_000, (i) => new HotColdWorkload(3_333, { start: 0, count: 50_000 }, 0.1, 0.9, i));
    let entries = 0;
    for (let step = 0; step < 40; step++) {
      entries += guest.run(step * 13.7, 13.7);
      if (step % 9 === 8) store.syncDirtyLog(true);
    }
    const vs = guest.vcpus;
    // 40 steps of 13.7 ms at 3 333 writes/s: floor(3 333 × 0.548) writes each, the same for all.
    for (const v of vs) {
      expect(v.writes).toBe(Math.floor((3_333 * 548) / 1000 + 1e-9));
      expect(v.cpuObtainedMs).toBeCloseTo(548, 9);
    }
    const ring = vs.map((v) => v.ringEntries);
    expect(ring.reduce((a, b) => a + b, 0)).toBe(entries);
    expect(Math.max(...ring) - Math.min(...ring)).toBeLessThanOrEqual(1);
    expect(entries).toBeGreaterThan(0);
  });

  it('dirty the pages the occupancy law gives for all their writes together', () => {
    // V vCPUs × k writes uniform over H pages in one step: E[distinct] = H (1 − (1 − 1/H)^(V k)).
    const H = 20_000;
    const V = 16;
    const perVcpu = 1000; // writes per vCPU in a 100 ms step at 10 000 writes/s
    const counts: number[] = [];
    for (let seed = 0; seed < 40; seed++) {
      const { guest, store } = guestOf(V, H, (i) => new UniformWorkload(10_000, { start: 0, count: H }, i));
      store.seedStream(0, 1000 + seed);
      guest.run(0, 100);
      for (const v of guest.vcpus) expect(v.writes).toBe(perVcpu);
      counts.push(store.countBits('dirtyLog'));
    }
    const K = V * perVcpu;
    const q = (1 - 1 / H) ** K;
    const mean = H * (1 - q);
    const variance = H * (H - 1) * (1 - 2 / H) ** K + H * q - H * H * q * q;
    const m = counts.reduce((a, b) => a + b, 0) / counts.length;
    // 40 runs: the sample mean is within 4 standard errors.
    expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(variance / counts.length));
  });

  it('break up once their schedules differ, and each vCPU then writes on its own', () => {
    const { guest } = guestOf(3, 10_000, (i) => new UniformWorkload(1_000, { start: 0, count: 10_000 }, i));
    guest.run(0, 100);
    guest.vcpus[1]!.setDutyCycle({ runMs: 5, sleepMs: 5 }, 100);
    guest.run(100, 100);
    expect(guest.vcpus.map((v) => v.writes)).toEqual([200, 150, 200]);
  });
});

describe('--vcpus 1024 with the default max time (issue 9)', () => {
  it('runs to the 600 s cap with every vCPU given its CPU and its writes', () => {
    const r = migrate({ vcpus: 1024 });
    expect(r.status).toBe('cancelled');
    expect(r.summary.totalTimeMs).toBe(600_000);
    const vs = r.summary.guest.vcpus;
    expect(vs).toHaveLength(1024);
    for (const v of vs) {
      expect(v.cpuObtainedMs).toBeCloseTo(600_000, 6);
      // 25 000 writes/s (the default writer) over its CPU time, the fraction carried.
      expect(Math.abs(v.writes - (25_000 * v.cpuObtainedMs) / 1000)).toBeLessThan(1);
    }
  });
});
