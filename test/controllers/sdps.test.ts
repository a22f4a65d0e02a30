import { describe, expect, it } from 'vitest';
import type { DutyCycle } from '../../src/engine/vcpu.js';
import { migrate } from '../../src/api/migrate.js';
import { SdpsController } from '../../src/policies/controllers/sdps.js';
import { CONVERGING, HEADLINE } from '../../src/scenarios/presets.js';
import { spy } from '../helpers/controller-harness.js';

// Reference §5 (VMware SDPS, Epping 2012): SDPS is inactive unless the guest dirties memory faster than
// vMotion transmits it; then it puts the vCPUs to sleep "for a few milliseconds at a time at most" — frequent,
// tiny sleeps, each of maxSleepMs here.

describe('SDPS stays idle while the dirty rate is below the transmit rate', () => {
  it.each(['xen', 'qemu'] as const)('CONVERGING on %s: never throttles', (algorithm) => {
    let windows = 0;
    const s = spy(new SdpsController(), {
      afterWindow: (_e, ctx) => {
        windows++;
        for (const v of ctx.vcpus) expect(v.dutyCycle).toBeNull();
      },
    });
    const r = migrate({ ...CONVERGING.base, algorithm, controller: s.controller });
    expect(r.status).toBe('completed');
    expect(windows).toBeGreaterThan(10); // it was asked, every window
    expect(r.summary.maxThrottlePct).toBe(0);
    expect(r.summary.throttledMs).toBe(0);
    for (const w of r.timeline) expect(w.throttlePct).toBe(0);
  });
});

describe('SDPS throttles with sleeps of maxSleepMs when the dirty rate is above it', () => {
  it.each([
    ['xen', undefined],
    ['qemu', undefined],
    ['qemu', 5],
  ] as const)('HEADLINE on %s, maxSleepMs %s', (algorithm, maxSleepMs) => {
    const sleep = maxSleepMs ?? 2; // SDPS's default: "a few milliseconds at most"
    const cycles: DutyCycle[] = [];
    const s = spy(new SdpsController(maxSleepMs === undefined ? {} : { maxSleepMs }), {
      afterWindow: (_e, ctx) => {
        for (const v of ctx.vcpus) if (v.dutyCycle !== null) cycles.push(v.dutyCycle);
      },
    });
    const r = migrate({ ...HEADLINE.base, algorithm, controller: s.controller });
    expect(r.status).toBe('completed');
    if (r.status !== 'completed') return;
    expect(r.summary.controller).toBe('sdps');
    expect(cycles.length).toBeGreaterThan(0);
    for (const c of cycles) {
      expect(c.sleepMs).toBe(sleep);
      expect(c.runMs).toBeGreaterThan(0);
    }
    expect(r.summary.maxThrottlePct).toBeGreaterThan(0);
    expect(r.summary.guestCpuLostPct).toBeGreaterThan((100 * r.summary.downtimeMs) / r.summary.totalTimeMs);
    // lifted for the stop-and-copy and after it
    expect(r.rounds[r.rounds.length - 1]!.throttlePct).toBe(0);
    for (const v of s.ctx().vcpus) expect(v.dutyCycle).toBeNull();
  });
});
