import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { parseManagementSpec } from '../../src/model/managers.js';
import { KUBEVIRT_POLL_MS, KubevirtManager, kubevirtDataSize, kubevirtMebibytes, type KubevirtConf } from '../../src/policies/management/kubevirt.js';
import { LibvirtTimeoutManager, type LibvirtTimeoutConf } from '../../src/policies/management/libvirt-timeout.js';
import { CONVERGING, HEADLINE } from '../../src/scenarios/presets.js';
import { GiB, MiB } from '../../src/units.js';
import { FakeManagementContext } from './fake-context.js';

function kvConf(text = 'kubevirt'): KubevirtConf {
  return parseManagementSpec(text)!.params as unknown as KubevirtConf;
}

/** Polls a KubeVirt monitor every 400 ms; `remaining(t)` gives the pages still to send at each poll. */
function pollKubevirt(c: KubevirtConf, untilMs: number, remaining: (t: number) => number = (t) => 1e9 - t, memoryBytes = 2 * GiB): Map<number, string[]> {
  const m = new KubevirtManager(c, memoryBytes);
  const f = new FakeManagementContext();
  const out = new Map<number, string[]>();
  for (let t = m.firstPollMs; t <= untilMs; t += m.pollIntervalMs) {
    f.remainingPages = remaining(t);
    m.onPoll(t, f.ctx);
    const did = f.take();
    if (did.length > 0) out.set(t, did);
    if (did.includes('abort')) break; // the engine stops polling once the job is cancelled
  }
  return out;
}

describe("KubeVirt's migration monitor (legacy convergence)", () => {
  it('counts the data size in 10^9 B rounded up, as ScaledValue(resource.Giga) does', () => {
    expect(kubevirtDataSize(1e9)).toBe(1);
    expect(kubevirtDataSize(1e9 + 4096)).toBe(2);
    expect(kubevirtDataSize(2 * GiB)).toBe(3);
  });

  it("has KubeVirt's defaults (virt-config.go)", () => {
    expect(kvConf()).toEqual({ completionTimeoutPerGiB: 150, progressTimeout: 150, allowAutoConverge: false, allowPostCopy: false, allowWorkloadDisruption: null, bandwidthPerMigration: 0 });
  });

  it('aborts on the completion timeout at the first poll whose whole seconds exceed it (450.8 s: no; 451.2 s: yes)', () => {
    expect(KUBEVIRT_POLL_MS).toBe(400);
    const acts = pollKubevirt(kvConf(), 460_000);
    expect(acts.get(450_800)).toBeUndefined();
    expect(acts.get(451_200)).toEqual(['abort']);
    expect([...acts.keys()]).toEqual([451_200]);
  });

  it('aborts after more than progressTimeout whole seconds without progress (just before: no; at: yes)', () => {
    // Progress until 2000 ms, then the remaining data stays put; progressTimeout 9: fires once (t − 2000) / 1000 > 9.
    const acts = pollKubevirt(kvConf('kubevirt:progressTimeout=9'), 20_000, (t) => 1000 - Math.min(t, 2000) / 100);
    expect(acts.get(11_600)).toBeUndefined();
    expect(acts.get(12_000)).toEqual(['abort']);
    // progress is "less than at the previous poll": growing remaining data (a sync) is not progress either.
    const growing = pollKubevirt(kvConf('kubevirt:progressTimeout=9'), 20_000, (t) => t);
    expect(growing.get(10_400)).toEqual(['abort']); // last progress at the first poll (400 ms): 10.4 − 0.4 = 10 > 9
    expect(growing.get(10_000)).toBeUndefined();
  });

  it('never times out with both timeouts 0', () => {
    expect(pollKubevirt(kvConf('kubevirt:completionTimeoutPerGiB=0,progressTimeout=0'), 5_000_000, () => 7).size).toBe(0);
  });

  it('with workload disruption allowed, pauses at the timeout and doubles the acceptable time, then aborts after it', () => {
    const acts = pollKubevirt(kvConf('kubevirt:allowWorkloadDisruption=true,progressTimeout=0'), 1_000_000);
    expect(acts.get(451_200)).toEqual(['pause']);
    expect(acts.get(900_800)).toBeUndefined();
    expect(acts.get(901_200)).toEqual(['abort']);
  });

  it('rounds bandwidthPerMigration to whole MiB/s as QuantityToMebiByte does', () => {
    expect(kubevirtMebibytes(0)).toBe(0);
    expect(kubevirtMebibytes(1)).toBe(1);
    expect(kubevirtMebibytes(64 * MiB)).toBe(64);
    expect(kubevirtMebibytes(64.5 * MiB)).toBe(65);
    expect(kubevirtMebibytes(64.49 * MiB)).toBe(64);
    expect(parseManagementSpec('kubevirt:bandwidthPerMigration=64Mi')!.params['bandwidthPerMigration']).toBe(64 * MiB);
    expect(parseManagementSpec('kubevirt:bandwidthPerMigration=1G')!.params['bandwidthPerMigration']).toBe(1e9);
  });

  it('in a whole migration: aborts the headline guest at 451.2 s; the bandwidth cap is in force from the start', () => {
    const r = migrate({ ...HEADLINE.base, maxTimeMs: 600_000, bandwidthBytesPerSec: 1.25e9, maxBandwidthBytesPerSec: 1.25e9, management: 'kubevirt:bandwidthPerMigration=64Mi' });
    expect(r.summary.status === 'cancelled' && r.summary.reason).toBe('aborted');
    const ev = r.management!.events;
    expect(ev[0]).toMatchObject({ kind: 'max-bandwidth', value: 64 * MiB, tMs: 0 });
    expect(ev.at(-1)).toMatchObject({ kind: 'abort', tMs: 451_200 });
    // 64 MiB/s for ~451 s
    expect(r.summary.transferredBytes / (r.summary.totalTimeMs / 1000)).toBeLessThanOrEqual(64 * MiB * 1.001);
  });
});

describe('virsh migrate --timeout', () => {
  const conf = (text: string) => parseManagementSpec(text)!.params as unknown as LibvirtTimeoutConf;

  it('acts once, at exactly the timeout', () => {
    const m = new LibvirtTimeoutManager(conf('libvirt-timeout:timeout=30'));
    expect(m.firstPollMs).toBe(30_000);
    expect(m.pollIntervalMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('suspends the guest at 30 s (the default action); the downtime runs from then', () => {
    const r = migrate({ ...HEADLINE.base, management: 'libvirt-timeout:timeout=30' });
    expect(r.status).toBe('completed');
    const pause = r.management!.events.find((e) => e.kind === 'pause')!;
    expect(pause.tMs).toBe(30_000);
    expect(r.summary.downtimeMs).toBe(r.summary.totalTimeMs - pause.appliedMs!);
  });

  it('does nothing to a migration that ends before the timeout: same report as without it', () => {
    const plain = migrate({ ...CONVERGING.base });
    const r = migrate({ ...CONVERGING.base, management: 'libvirt-timeout:timeout=600' });
    expect(r.management!.events).toEqual([]);
    expect(r.rounds).toEqual(plain.rounds);
    expect(r.summary).toEqual(plain.summary);
    expect(r.timeline).toEqual(plain.timeline);
  });

  it("refuses virsh's own bad combinations", () => {
    expect(() => parseManagementSpec('libvirt-timeout')).toThrow(/timeout.*virsh migrate --timeout/);
    expect(() => parseManagementSpec('libvirt-timeout:timeout=0')).toThrow(/>= 1 s/);
    expect(() => parseManagementSpec('libvirt-timeout:timeout=5,timeout-postcopy')).toThrow(/requires --postcopy/);
    expect(() => parseManagementSpec('libvirt-timeout:timeout=5,timeout-postcopy,timeout-suspend,postcopy')).toThrow(/mutually exclusive/);
  });
});
