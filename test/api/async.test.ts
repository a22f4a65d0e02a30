/**
 * migrateAsync() and compareAsync() in Node: a worker thread runs migrate(), the report is the same bit for bit,
 * progress arrives while it runs, an AbortSignal rejects with the standard AbortError, bad options reject with
 * their own error before any thread starts, and the caller's event loop keeps turning meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { compareAsync, migrateAsync } from '../../src/api/migrate-async-node.js';
import type { MigrationProgress } from '../../src/api/async.js';
import { compare } from '../../src/api/compare.js';
import { migrate } from '../../src/api/migrate.js';
import { InvalidOptionError } from '../../src/errors/index.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { HEADLINE } from '../../src/scenarios/presets.js';
import { GiB, MiB, TiB } from '../../src/units.js';

const SMALL: MigrationOptions = { ...HEADLINE.base, memoryBytes: 256 * MiB, algorithm: 'qemu', controller: { name: 'auto-converge', incrementPct: 20 } };

describe('migrateAsync (Node, worker thread)', () => {
  it('returns migrate()\'s report bit for bit, with progress on the way', async () => {
    const progress: MigrationProgress[] = [];
    const report = await migrateAsync(SMALL, { onProgress: (p) => progress.push(p) });
    expect(JSON.stringify(report)).toBe(JSON.stringify(migrate(SMALL)));
    expect(report).toStrictEqual(migrate(SMALL));
    expect(progress.length).toBeGreaterThan(0);
    const last = progress[progress.length - 1]!;
    expect(last.emulatedMs).toBe(report.timeline[report.timeline.length - 1]!.tMs);
    expect(last.pages).toBe(report.scenario.pages);
    expect(last).toMatchObject({ policyIndex: 0, policies: 1, maxTimeMs: report.scenario.maxTimeMs });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.emulatedMs).toBeGreaterThanOrEqual(progress[i - 1]!.emulatedMs);
  });

  it('does not block the event loop: a callback queued after the call runs before the result', async () => {
    const order: string[] = [];
    const run = migrateAsync(SMALL).then(() => order.push('result'));
    setImmediate(() => order.push('immediate'));
    await run;
    expect(order).toEqual(['immediate', 'result']);
  });

  it('cancels a 1 TiB run on abort, rejecting with an AbortError', async () => {
    const ac = new AbortController();
    const progress: MigrationProgress[] = [];
    const run = migrateAsync({ memoryBytes: TiB, bandwidthBytesPerSec: 1.25e9, maxBandwidthBytesPerSec: 1.25e9 }, {
      signal: ac.signal,
      onProgress: (p) => {
        progress.push(p);
        ac.abort();
      },
    });
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('AbortError');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[0]!.pages).toBe(TiB / 4096);
  });

  it('rejects at once when the signal is already aborted, with its reason', async () => {
    const reason = new Error('not now');
    await expect(migrateAsync({}, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('rejects a bad option with InvalidOptionError, and hooks or your own controller (they cannot cross threads)', async () => {
    await expect(migrateAsync({ memoryBytes: -1 })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(migrateAsync({ hooks: { onRound() {} } })).rejects.toThrow(/onProgress/);
    await expect(migrateAsync({ controller: { name: 'mine', onSync() {} } as never })).rejects.toThrow(/cannot cross to a worker/);
  });
});

describe('compareAsync (Node, worker thread)', () => {
  it('returns compare()\'s reports bit for bit, with progress per policy', async () => {
    const base = { ...HEADLINE.base, memoryBytes: 1 * GiB };
    const policies = ['xen', 'qemu+cpu-scheduling:targetRound=4'];
    const seen = new Set<number>();
    const rows = await compareAsync(base, policies, { onProgress: (p) => seen.add(p.policyIndex) });
    const sync = compare(base, policies);
    expect(rows.map((r) => r.policy)).toEqual(sync.map((r) => r.policy));
    expect(rows.map((r) => JSON.stringify(r.report))).toEqual(sync.map((r) => JSON.stringify(r.report)));
    expect([...seen].sort()).toEqual([0, 1]);
  });
});
