import { describe, expect, it } from 'vitest';
import { checkReport, migrate } from '../../src/api/migrate.js';
import type { MigrationReport } from '../../src/model/report.js';
import { MiB } from '../helpers/stores.js';

// The invariant checker (src/engine/invariants.ts) holds the wire features' byte sums: a report whose
// XBZRLE or multifd numbers do not add up is caught, naming what is wrong.

const clone = (r: MigrationReport): MigrationReport => JSON.parse(JSON.stringify(r)) as MigrationReport;

describe('invariants of the wire features', () => {
  const xb = migrate({
    memoryBytes: 64 * MiB, bandwidthBytesPerSec: 12_500_000, xbzrle: true, downtimeLimitMs: 30,
    workload: { kind: 'uniform', writesPerSec: 20_000, regionSize: 0.25, bytesChangedPerWrite: 1 },
  });
  const mf = migrate({ memoryBytes: 32 * MiB, multifdChannels: 3, multifdCompression: 'zstd', workload: { kind: 'hot-cold', writesPerSec: 30_000 } });

  it('sound reports pass', () => {
    expect(checkReport(xb)).toStrictEqual([]);
    expect(checkReport(mf)).toStrictEqual([]);
    expect(xb.summary.xbzrle!.pages).toBeGreaterThan(0);
  });

  it('round bytes must be pages at their costs plus the features\' sums plus framing', () => {
    const r = clone(mf);
    const round = r.rounds.find((q) => (q.multifd?.pages ?? 0) > 0)!;
    round.multifd!.compressedBytes += 1;
    expect(checkReport(r).join('; ')).toMatch(/multifd bytes .* are not payload/);
    const x = clone(xb);
    const xr = x.rounds.find((q) => (q.xbzrle?.pages ?? 0) > 0)!;
    xr.xbzrle!.bytes += 3;
    expect(checkReport(x).join('; ')).toMatch(/framing bytes|less than its pages cost/);
  });

  it('summary statistics are the sums of the rounds', () => {
    const x = clone(xb);
    x.summary.xbzrle!.cacheMiss += 1;
    expect(checkReport(x).join('; ')).toMatch(/summary\.xbzrle\.cacheMiss/);
    const m = clone(mf);
    m.summary.multifd!.syncPackets += 1;
    expect(checkReport(m).join('; ')).toMatch(/summary\.multifd\.syncPackets/);
  });

  it('packets hold at most 128 pages; uncompressed bytes are whole pages; compression never grows a page', () => {
    const m = clone(mf);
    const round = m.rounds.find((q) => (q.multifd?.pages ?? 0) > 0)!;
    round.multifd!.uncompressedBytes += 4096;
    expect(checkReport(m).join('; ')).toMatch(/uncompressed bytes/);
    const n = clone(mf);
    n.summary.multifd!.packets = 1;
    expect(checkReport(n).join('; ')).toMatch(/cannot carry/);
  });
});
