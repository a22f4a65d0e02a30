import { describe, expect, it } from 'vitest';
import { closedFormPrecopy, estimate, writeRateForDistinct } from '../../src/api/estimate.js';
import { InvalidOptionError } from '../../src/errors/index.js';
import { GiB, MiB } from '../../src/units.js';
import { runCli } from '../cli/helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = { memoryBytes: 2 * GiB, dirtyRateBytesPerSec: 60 * MiB, workingSetBytes: 512 * MiB, scenario: { bandwidthBytesPerSec: 125e6, maxTimeMs: 120_000 } };

describe('estimate(): reading the measurement', () => {
  it("inverts the occupancy model: the write rate dirties exactly QEMU's count of distinct pages in the window", () => {
    const H = 131_072;
    for (const [distinct, T] of [[1000, 1], [60_000, 1], [100_000, 0.5], [131_000, 2]] as const) {
      const w = writeRateForDistinct(distinct, H, T);
      expect(H * -Math.expm1((-w * T) / H)).toBeCloseTo(distinct, 6);
    }
  });

  it("reads query-dirty-rate's reply: MiB/s over calc-time, per-vCPU rates summed", () => {
    const e = estimate({ ...base, dirtyRateBytesPerSec: undefined, queryDirtyRate: { return: { status: 'measured', 'calc-time': 500, 'calc-time-unit': 'millisecond', mode: 'dirty-ring', 'vcpu-dirty-rate': [{ id: 0, 'dirty-rate': 20 }, { id: 1, 'dirty-rate': 40 }] } }, policies: ['qemu'], marginIterations: 0 });
    expect(e.input).toMatchObject({ dirtyRateBytesPerSec: 60 * MiB, dirtyRateWindowMs: 500, vcpus: 2, source: 'query-dirty-rate' });
  });
});

describe('estimate(): the answers', () => {
  it('reduced vs full size: total time and downtime within 5 %, bytes within 5 %', async () => {
    const { migrate } = await import('../../src/api/migrate.js');
    const T = 1;
    const H = (512 * MiB) / 4096;
    const w = writeRateForDistinct((60 * MiB * T) / 4096, H, T);
    const full = migrate({ memoryBytes: 2 * GiB, populatedFraction: 0.5, bandwidthBytesPerSec: 125e6, maxTimeMs: 120_000, workload: { kind: 'uniform', writesPerSec: w, regionStart: 0, regionSize: 0.25 } });
    const r = estimate({ ...base, policies: ['qemu'], marginIterations: 0 }).policies[0]!;
    expect(full.status).toBe('completed');
    expect(Math.abs(r.totalTimeMs / full.summary.totalTimeMs - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.downtimeMs! / full.summary.downtimeMs! - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.transferredBytes / full.summary.transferredBytes - 1)).toBeLessThan(0.05);
  });

  it('a reduced run keeps the management layer at the real size: nova times out after 800 s × 2 GiB, KubeVirt caps at the real 64 MiB/s', () => {
    const hot = { ...base, dirtyRateBytesPerSec: 196 * MiB, scenario: { ...base.scenario, maxTimeMs: 1_800_000 }, marginIterations: 0 };
    const nova = estimate({ ...hot, policies: ['qemu@nova'] }).policies[0]!;
    expect(nova.scale).toBeGreaterThan(1);
    expect(nova.outcome).toBe('aborted');
    expect(nova.totalTimeMs).toBeGreaterThanOrEqual(1_600_500);
    expect(nova.totalTimeMs).toBeLessThanOrEqual(1_600_550);
    const kv = estimate({ ...base, scenario: { ...base.scenario, bandwidthBytesPerSec: 1.25e9, maxBandwidthBytesPerSec: 1.25e9 }, policies: ['qemu@kubevirt:bandwidthPerMigration=64Mi'], marginIterations: 0 }).policies[0]!;
    expect(kv.scale).toBeGreaterThan(1);
    // pre-copy at 64 MiB/s (the stop-and-copy at link speed adds a little): not the 10 Gbit/s of the link
    expect(kv.transferredBytes / (kv.totalTimeMs / 1000)).toBeLessThanOrEqual(64 * MiB * 1.05);
    expect(kv.transferredBytes / (kv.totalTimeMs / 1000)).toBeGreaterThan(64 * MiB * 0.8);
  });

  it('the margin brackets the flip: converges at its rate, not at the rate above', () => {
    const e = estimate({ ...base, policies: ['qemu'], marginIterations: 6 }).policies[0]!;
    const m = e.margin!;
    expect(m.kind).toBe('converges-up-to');
    expect(m.iterations).toBe(6);
    const at = (rate: number) => estimate({ ...base, dirtyRateBytesPerSec: rate, policies: ['qemu'], marginIterations: 0 }).policies[0]!.converges;
    expect(at(m.dirtyRateBytesPerSec)).toBe(true);
    expect(at(m.rateAboveBytesPerSec!)).toBe(false);
    expect(m.factor).toBeCloseTo(m.dirtyRateBytesPerSec / base.dirtyRateBytesPerSec, 12);
  });

  it('a guest that does not converge gets the rate it would have to dirty below', () => {
    const e = estimate({ ...base, dirtyRateBytesPerSec: 300 * MiB, policies: ['qemu'], marginIterations: 5 }).policies[0]!;
    expect(e.converges).toBe(false);
    expect(e.downtimeMs).toBeNull();
    expect(e.margin!.kind).toBe('converges-below');
    expect(e.margin!.factor).toBeLessThan(1);
  });

  it('the closed form: no dirtying sends each page once, at the pre-copy rate, and converges after one round', () => {
    const c = closedFormPrecopy({
      pages: 1000, pageSize: 4096, zeroFraction: 0.5, hotPages: 100, writesPerSec: 0, linkBytesPerSec: 1e6, maxBandwidthBytesPerSec: 1e7,
      downtimeLimitMs: 300, deviceStateBytes: 1000, setupTimeMs: 10, resumeTimeMs: 9, maxTimeMs: 1e6,
    });
    const round0 = 500 * 4104 + 500 * 9;
    expect(c.converges).toBe(true);
    expect(c.transferredBytes).toBe(round0 + 1000);
    expect(c.totalTimeMs).toBeCloseTo(10 + (round0 / 1e6) * 1000 + (1000 / 1e6) * 1000 + 9, 9);
  });

  it('the closed form follows the geometric series where dirtying is far from saturating the working set', () => {
    // λ = w·(page+8)/R; round i+1 carries λ × round i (H large so 1 − e^(−x) ≈ x).
    const x = { pages: 10_000, pageSize: 4096, zeroFraction: 0, hotPages: 1e9, writesPerSec: 100, linkBytesPerSec: 1e6, maxBandwidthBytesPerSec: 1e6, downtimeLimitMs: 300, deviceStateBytes: 0, setupTimeMs: 0, resumeTimeMs: 0, maxTimeMs: 1e9 };
    const c = closedFormPrecopy(x);
    const lambda = (100 * 4104) / 1e6;
    const M = 10_000 * 4104;
    const n = Math.ceil(Math.log(300_000 / M) / Math.log(lambda));
    expect(c.converges).toBe(true);
    expect(c.rounds).toBe(n + 1);
    expect(c.transferredBytes / (M * (1 - lambda ** (n + 1)) / (1 - lambda))).toBeCloseTo(1, 4);
  });

  it("says which method answered; 'closed-form' is refused for a policy it cannot model", () => {
    const e = estimate({ ...base, method: 'closed-form', policies: ['qemu'], marginIterations: 0 });
    expect(e.policies[0]!.method).toBe('closed-form');
    expect(e.policies[0]!.note).toMatch(/closed form/);
    expect(() => estimate({ ...base, method: 'closed-form', policies: ['qemu+auto-converge'] })).toThrow(/closed form has no controller/);
    expect(estimate({ ...base, policies: ['xen'], marginIterations: 0 }).policies[0]!.method).toBe('emulation');
    // postcopy's faults count pages: a policy that may switch to it is emulated at full size
    expect(estimate({ ...base, policies: ['qemu{postcopy-after=5}'], marginIterations: 0 }).policies[0]!.scale).toBe(1);
    expect(estimate({ ...base, policies: ['qemu@kubevirt:allowPostCopy=true'], marginIterations: 0 }).policies[0]!.scale).toBe(1);
    expect(estimate({ ...base, policies: ['qemu@kubevirt'], marginIterations: 0 }).policies[0]!.scale).toBeGreaterThan(1);
  });
});

describe('estimate(): bad input', () => {
  it('names the field and the accepted range', () => {
    expect(() => estimate({ ...base, workingSetBytes: 4 * GiB })).toThrow(/invalid workingSetBytes/);
    expect(() => estimate({ ...base, dirtyRateBytesPerSec: 600 * MiB })).toThrow(/dirtyRateBytesPerSec.*working set would be dirty/);
    expect(() => estimate({ ...base, zeroPageFraction: 1.5 })).toThrow(/invalid zeroPageFraction: 1.5; expected a finite number >= 0 and <= 1/);
    expect(() => estimate({ ...base, dirtyRate: 5 } as never)).toThrow(/invalid dirtyRate.*did you mean/);
    expect(() => estimate({ ...base, marginIterations: 31 })).toThrow(/marginIterations/);
    expect(() => estimate({ ...base, dirtyRateBytesPerSec: undefined, queryDirtyRate: { return: { status: 'measuring', 'calc-time': 1 } } })).toThrow(/queryDirtyRate: status/);
    expect(() => estimate({ ...base, dirtyRateBytesPerSec: undefined, queryDirtyRate: { 'calc-time': 1, 'dirty-rate': 'x' } })).toThrow(/queryDirtyRate: dirty-rate/);
    expect(() => estimate({ ...base, dirtyRateBytesPerSec: undefined, queryDirtyRate: { 'calc-time': 1, 'vcpu-dirty-rate': [{ id: 0 }] } })).toThrow(/vcpu-dirty-rate\[0\].dirty-rate/);
    expect(() => estimate({ ...base, policies: ['qemu@nova:live_migration_downtime=5'] })).toThrow(InvalidOptionError);
  });

  it('the CLI: a malformed dirty-rate file exits 2 naming the file and field; --json prints the answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'livemig-est-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ return: { status: 'measured', 'calc-time': 0, 'dirty-rate': 10 } }));
    const r = await runCli('estimate', '--memory', '2GiB', '--dirty-rate-file', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`invalid ${bad}: calc-time: 0`);
    const notJson = join(dir, 'x.json');
    writeFileSync(notJson, '{"return":');
    expect((await runCli('estimate', '--memory', '2GiB', '--dirty-rate-file', notJson)).code).toBe(2);
    const noMem = await runCli('estimate', '--dirty-rate', '10MiB/s');
    expect(noMem.code).toBe(2);
    expect(noMem.stderr).toMatch(/--memory/);
    const ok = await runCli('estimate', '--memory', '1GiB', '--dirty-rate', '20MiB/s', '--working-set', '256MiB', '--policies', 'qemu', '--margin-iterations', '0', '--json');
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout) as { format: string; policies: { policy: string; converges: boolean }[] };
    expect(j.format).toBe('livemig-estimate/1');
    expect(j.policies.map((p) => p.policy)).toEqual(['qemu']);
    const help = await runCli('estimate', '--help');
    expect(help.stdout).toMatch(/How to read the table/);
  });
});

describe('estimate(): inputs a reduction would misread, and rates it cannot divide by', () => {
  it('runs at full size when the link changes, carries other traffic, or a cache or compressor is sized for the real VM', () => {
    expect(estimate({ ...base, policies: ['qemu'], marginIterations: 0 }).policies[0]!.method).toBe('reduced-emulation');
    for (const scenario of [{ backgroundBytesPerSec: 25e6 }, { linkTrace: [{ timeMs: 0, bytesPerSec: 125e6 }] }, { xbzrle: true }, { multifdChannels: 2 }]) {
      const e = estimate({ ...base, scenario: { ...base.scenario, ...scenario }, policies: ['qemu'], marginIterations: 0 });
      expect(e.policies[0]!.method, JSON.stringify(scenario)).toBe('emulation');
      expect(e.policies[0]!.scale).toBe(1);
    }
  });

  it('refuses a dirty rate of 0 B/s given as a number, and names a bad page size as pageSize', () => {
    expect(() => estimate({ ...base, dirtyRateBytesPerSec: 0 })).toThrow(/dirtyRateBytesPerSec.*> 0/);
    for (const pageSize of [0, 3000]) {
      try {
        estimate({ ...base, scenario: { pageSize } });
        throw new Error('accepted');
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidOptionError);
        expect((err as InvalidOptionError).field).toBe('pageSize');
      }
    }
  });
});

describe('estimate(): the CLI flags and policy lists', () => {
  it('--zero-pages is the zero-page share (0 to 1), not the run flag of the same spelling (zeroPageLayout)', async () => {
    const args = ['estimate', '--memory', '1GiB', '--dirty-rate', '20MiB/s', '--policies', 'qemu', '--margin-iterations', '0', '--json'];
    const sent = async (z: string): Promise<number> => {
      const r = await runCli(...args, '--zero-pages', z);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { policies: { transferredBytes: number }[] }).policies[0]!.transferredBytes;
    };
    // More zero pages, fewer bytes sent (zero pages cost a header each).
    expect(await sent('0.9')).toBeLessThan(await sent('0.1'));
    const bad = await runCli(...args, '--zero-pages', '2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--zero-pages.*<= 1/);
  });

  it('--policies splits as compare does: commas inside braces and after a : stay with their policy', async () => {
    const r = await runCli('estimate', '--memory', '1GiB', '--dirty-rate', '20MiB/s', '--margin-iterations', '0', '--json',
      '--policies', 'qemu{downtime-limit=500ms,max-bandwidth=1Gbit/s}');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { policies: { policy: string }[] }).policies.map((p) => p.policy)).toEqual(['qemu{downtime-limit=500ms,max-bandwidth=1Gbit/s}']);
  });

  it('a policy that is neither text nor a Policy object is refused naming its index', () => {
    for (const p of [null, 5, {}, []]) {
      expect(() => estimate({ memoryBytes: GiB, dirtyRateBytesPerSec: 10 * MiB, marginIterations: 0, policies: [p as never] })).toThrow(/policies\[0\]/);
    }
  });
});

describe('estimate(): an emulation the closed form cannot stand in for is bounded', () => {
  it("'auto' refuses a non-plain policy that sends over the page budget, naming maxTimeMs", () => {
    const o = {
      memoryBytes: 64 * GiB, dirtyRateBytesPerSec: 900 * MiB, workingSetBytes: GiB, marginIterations: 0,
      scenario: { maxTimeMs: 1e9, bandwidthBytesPerSec: 12.5e9, maxBandwidthBytesPerSec: 12.5e9 },
    };
    // Plain qemu over budget takes the closed form...
    expect(estimate({ ...o, policies: ['qemu'] }).policies[0]!.method).toBe('closed-form');
    // ...a policy with options it cannot model stops at the budget with a typed error.
    expect(() => estimate({ ...o, policies: ['qemu{downtime-limit=1ms}'] })).toThrow(/invalid maxTimeMs: 1000000000; expected a time cap qemu\{downtime-limit=1ms\} reaches within 20000000 page sends/);
  });
});

describe('estimate(): inputs it would otherwise overwrite or ignore', () => {
  const base = { memoryBytes: GiB, dirtyRateBytesPerSec: 10 * MiB, marginIterations: 0, policies: ['qemu'] };
  it('refuses scenario options estimate sets itself, naming them', () => {
    for (const [k, v] of [['vcpus', 4], ['algorithm', 'xen'], ['memoryBytes', GiB], ['populatedFraction', 1]] as const) {
      expect(() => estimate({ ...base, scenario: { [k]: v } as never })).toThrow(new RegExp(`invalid scenario\\.${k}: .*estimate sets ${k} itself`));
    }
    expect(() => estimate({ ...base, scenario: [] as never })).toThrow(/invalid scenario: \[\]/);
  });

  it('refuses a window beside a query-dirty-rate reply, and bounds the reply\'s calc-time like the window', () => {
    const q = (calc: number) => ({ return: { status: 'measured', 'calc-time': calc, 'dirty-rate': 0.01 } });
    const { dirtyRateBytesPerSec: _, ...noRate } = base;
    expect(() => estimate({ ...noRate, queryDirtyRate: q(1), dirtyRateWindowMs: 5000 })).toThrow(/invalid dirtyRateWindowMs: 5000; expected nothing when queryDirtyRate/);
    expect(estimate({ ...noRate, queryDirtyRate: q(3600) }).input.dirtyRateWindowMs).toBe(3_600_000);
    expect(() => estimate({ ...noRate, queryDirtyRate: q(3601) })).toThrow(/invalid queryDirtyRate: calc-time: 3601000; expected .*<= 3600000 ms/);
  });
});

describe('estimate(): the reduction and the closed form keep to what they can model', () => {
  const base = { memoryBytes: 8 * GiB, dirtyRateBytesPerSec: 1024, marginIterations: 0, policies: ['qemu'] };
  it('reduces no further than keeps a divided value in range: a 100 B/s link by 64 (1.56 B/s), not 128 (0.78 B/s)', () => {
    const r = estimate({ ...base, scenario: { bandwidthBytesPerSec: 100, maxBandwidthBytesPerSec: 100, maxTimeMs: 10_000 } });
    expect(r.policies[0]!.scale).toBe(64);
    expect(estimate({ ...base, scenario: { maxTimeMs: 10_000 } }).policies[0]!.scale).toBe(128);
    expect(estimate({ ...base, scenario: { maxDataBytes: 1, maxTimeMs: 10_000 } }).policies[0]!.scale).toBe(2); // round(1 / 2) = 1 B
    expect(estimate({ ...base, scenario: { syncCostPerGiBMs: 100, maxTimeMs: 10_000 } }).policies[0]!.scale).toBe(64); // 6,400 ms <= 10,000
  });

  it('a data cap or a switchover bandwidth is emulated: the closed form has neither', () => {
    for (const scenario of [{ maxDataBytes: GiB }, { availSwitchoverBandwidthBytesPerSec: 1.25e9 }]) {
      expect(() => estimate({ ...base, scenario, method: 'closed-form' })).toThrow(/invalid method: "closed-form"; expected 'auto' or 'emulation' for qemu/);
    }
    expect(estimate({ ...base, dirtyRateBytesPerSec: 200 * MiB, scenario: { maxDataBytes: GiB } }).policies[0]!.outcome).toBe('max-data');
  });
});
