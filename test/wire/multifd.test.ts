import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import type { MigrationOptions } from '../../src/model/options.js';
import type { MigrationReport, MultifdStats } from '../../src/model/report.js';
import { compressionDefaults } from '../../src/model/compression.js';
import { destinationViolations } from '../helpers/consistency.js';
import { MiB, runOn } from '../helpers/stores.js';

// Multifd and compression (QEMU migration/multifd*.c; reference §B.2, §A.3). Oracles: the packet layout of
// multifd.h (128 pages, 320 + 8 × 128 = 1 344 B header), the release table of §A.3, closed-form times.

const PAGE = 4096;
const HEADER = 320 + 8 * 128;
const mf = (r: MigrationReport): MultifdStats => r.summary.multifd!;
const idle: MigrationOptions = { memoryBytes: 32 * MiB + 37 * PAGE, workload: { kind: 'idle' }, populatedFraction: 0.7 };

/** Round-robin of `packets` data packets of 128 pages over `channels`, the last one holding the remainder: pages per channel. */
function pagesPerChannel(pages: number, channels: number): number[] {
  const out = new Array<number>(channels).fill(0);
  const packets = Math.ceil(pages / 128);
  for (let i = 0; i < packets; i++) out[i % channels]! += i < packets - 1 ? 128 : pages - 128 * (packets - 1);
  return out;
}

describe('multifd packets', () => {
  for (const channels of [1, 2, 3, 8]) {
    it(`${channels} channel(s), one pass: headers = sum over channels of ceil(pages per channel / 128) x 1 344 B, plus one SYNC per channel at setup and completion`, () => {
      const r = migrate({ ...idle, multifdChannels: channels });
      const m = mf(r);
      const n = r.scenario.pages; // 10.1: zero pages travel in the packets too
      expect(m.pages + m.zeroPages).toBe(n);
      const perChannel = pagesPerChannel(n, channels);
      expect(m.packets * HEADER).toBe(perChannel.reduce((a, p) => a + Math.ceil(p / 128) * HEADER, 0));
      expect(m.syncPackets).toBe(2 * channels);
      expect(m.bytes).toBe(m.pages * PAGE + (m.packets + m.syncPackets) * HEADER);
      // the main stream: section framing, 8 B flush markers at setup and completion, the device state
      expect(m.flushFlagBytes).toBe(16);
      expect(m.countedBytes).toBe(m.bytes); // 8.2+ counts the wire
    });
  }

  it('7.2 syncs after every section (SYNC packets and partial packets each burst), 8.1+ per round; a 10.1 binary on an 8.0 machine type too', () => {
    const o: MigrationOptions = { ...idle, memoryBytes: 256 * MiB, multifdChannels: 2 };
    const v72 = mf(migrate({ ...o, qemuVersion: '7.2' }));
    const v80 = mf(migrate({ ...o, qemuVersion: '8.0' }));
    const v81 = mf(migrate({ ...o, qemuVersion: '8.1' }));
    const m80 = mf(migrate({ ...o, qemuVersion: '10.1', machineType: '8.0' }));
    const m81 = mf(migrate({ ...o, qemuVersion: '10.1', machineType: '8.1' }));
    expect(v81.syncPackets).toBe(4);
    expect(v72.syncPackets).toBeGreaterThan(20);
    expect(v80.syncPackets).toBeGreaterThan(20); // 8.0, the last release that syncs per section
    expect(v80.packets).toBeGreaterThan(v81.packets);
    expect(m80.syncPackets).toBeGreaterThan(20);
    expect(m81.syncPackets).toBe(4);
    expect(v72.flushFlagBytes).toBe(0); // no RAM_SAVE_FLAG_MULTIFD_FLUSH before 8.1
  });

  it('zero pages: 9 B on the main stream up to 8.2 (and machine types up to 8.2), offsets in the packets from 9.0', () => {
    const o: MigrationOptions = { ...idle, multifdChannels: 2 };
    const v82 = migrate({ ...o, qemuVersion: '8.2' });
    const v90 = migrate({ ...o, qemuVersion: '9.0' });
    const m82 = migrate({ ...o, qemuVersion: '10.1', machineType: '8.2' });
    const m90 = migrate({ ...o, qemuVersion: '10.1', machineType: '9.0' });
    expect(mf(v82).zeroPages).toBe(0);
    expect(mf(m82).zeroPages).toBe(0);
    expect(mf(v90).zeroPages).toBe(v90.summary.zeroPages);
    expect(mf(m90).zeroPages).toBe(m90.summary.zeroPages);
    expect(v90.summary.zeroPages).toBeGreaterThan(0);
    // 8.2: the packets carry only the normal pages
    expect(mf(v82).packets).toBe(Math.ceil(v82.summary.normalPages / 128));
  });
});

describe('compression', () => {
  it('incompressible pages: zstd changes nothing but the CPU it spends', () => {
    const o: MigrationOptions = { memoryBytes: 64 * MiB, compressibleFraction: 0, multifdChannels: 4, workload: { kind: 'hot-cold', writesPerSec: 20_000 } };
    const none = migrate(o);
    const zstd = migrate({ ...o, multifdCompression: 'zstd' });
    const strip = (r: MigrationReport) => JSON.parse(JSON.stringify({ s: r.summary, r: r.rounds, t: r.timeline }, (k, v) => (k === 'compressCpuMs' ? undefined : v)));
    expect(strip(zstd)).toStrictEqual(strip(none));
    expect(mf(none).compressCpuMs).toBe(0);
    const rate = compressionDefaults('zstd', 1).bytesPerSec;
    expect(mf(zstd).compressCpuMs).toBeCloseTo((mf(zstd).pages * PAGE / rate) * 1000, 6);
    expect(mf(zstd).compressionRatio).toBe(1);
  });

  it('compressible pages shrink to pageSize / ratio; the mix follows compressibleFraction', () => {
    const o: MigrationOptions = { ...idle, populatedFraction: 1, multifdChannels: 2, multifdCompression: 'zstd', compressionRatio: 4 };
    const all = mf(migrate({ ...o, compressibleFraction: 1 }));
    expect(all.compressedBytes).toBe(all.pages * 1024);
    expect(all.compressionRatio).toBe(4);
    const half = mf(migrate({ ...o, compressibleFraction: 0.5 }));
    // classes by 64-page block: the compressible share of the pages is near one half
    const share = (half.pages * PAGE - half.compressedBytes) / (half.pages * (PAGE - 1024));
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });

  it('the channels compress at channels x the per-core rate: the bottleneck when below the link and max-bandwidth', () => {
    const o: MigrationOptions = {
      ...idle, populatedFraction: 1, compressibleFraction: 1, bandwidthBytesPerSec: 1.25e9, maxBandwidthBytesPerSec: 1e10,
      multifdCompression: 'zlib', compressPerCoreBytesPerSec: 50e6, setupTimeMs: 0, deviceStateBytes: 0, resumeTimeMs: 0,
    };
    for (const channels of [1, 2, 4]) {
      const r = migrate({ ...o, multifdChannels: channels });
      // one pass over idle memory, compress-bound: pages x 4 KiB / (channels x 50 MB/s)
      const expected = (r.scenario.pages * PAGE) / (channels * 50e6) * 1000;
      expect(r.summary.totalTimeMs).toBeGreaterThan(expected * 0.999);
      expect(r.summary.totalTimeMs).toBeLessThan(expected * 1.01);
      expect(mf(r).compressCpuMs).toBeCloseTo((r.scenario.pages * PAGE) / 50e6 * 1000, 3);
    }
  });

  it('what the rate limit counts: 7.2 the uncompressed page bytes (a pass takes ratio x longer than on 8.2), 8.1 the payload, 8.2+ the wire', () => {
    const o: MigrationOptions = {
      ...idle, memoryBytes: 512 * MiB, populatedFraction: 1, compressibleFraction: 1, bandwidthBytesPerSec: 1.25e9, maxBandwidthBytesPerSec: 128 * MiB,
      multifdChannels: 4, multifdCompression: 'zstd', compressionRatio: 4, compressPerCoreBytesPerSec: 1e10,
    };
    const v72 = migrate({ ...o, qemuVersion: '7.2' });
    const v80 = migrate({ ...o, qemuVersion: '8.0' });
    const v81 = migrate({ ...o, qemuVersion: '8.1' });
    const v82 = migrate({ ...o, qemuVersion: '8.2' });
    for (const r of [v72, v80]) expect(mf(r).countedBytes).toBe(mf(r).pages * PAGE + (mf(r).packets + mf(r).syncPackets) * HEADER);
    expect(mf(v80).countedBytes).toBeGreaterThan(3 * mf(v80).bytes);
    expect(mf(v81).countedBytes).toBe(mf(v81).compressedBytes);
    expect(mf(v82).countedBytes).toBe(mf(v82).bytes);
    // page throughput under the same max-bandwidth: 8.2 counts (1 024 + 10.5) B per page, 7.2 (4 096 + 10.5) B
    const ratio = v72.summary.totalTimeMs / v82.summary.totalTimeMs;
    expect(ratio).toBeGreaterThan(3.7);
    expect(ratio).toBeLessThan(4.2);
    // 8.1 misses the headers, so it sends a little more per window than 8.2
    expect(v81.summary.totalTimeMs).toBeLessThan(v82.summary.totalTimeMs);
  });

  it('levels: higher zstd levels compress more, slower; zlib 0 stores', () => {
    const z1 = compressionDefaults('zstd', 1);
    const z9 = compressionDefaults('zstd', 9);
    expect(z9.ratio).toBeGreaterThan(z1.ratio);
    expect(z9.bytesPerSec).toBeLessThan(z1.bytesPerSec);
    expect(compressionDefaults('zstd', 0)).toStrictEqual(compressionDefaults('zstd', 3));
    expect(compressionDefaults('zlib', 0).ratio).toBe(1);
    const r = migrate({ ...idle, multifdChannels: 2, multifdCompression: 'zstd', multifdCompressionLevel: 9 });
    expect(mf(r).compressionRatio).toBeGreaterThan(mf(migrate({ ...idle, multifdChannels: 2, multifdCompression: 'zstd' })).compressionRatio);
  });
});

describe('multifd options', () => {
  it('refuses what QEMU refuses or what means nothing, naming the option', () => {
    const bad: [MigrationOptions, RegExp][] = [
      [{ multifdCompression: 'zstd' }, /multifdCompression/],
      [{ multifdChannels: 2, multifdCompressionLevel: 3 }, /multifdCompressionLevel/],
      [{ multifdChannels: 2, multifdCompression: 'zlib', multifdCompressionLevel: 10 }, /0 to 9 for zlib/],
      [{ multifdChannels: 2, compressionRatio: 3 }, /compressionRatio/],
      [{ qemuVersion: '8.2', machineType: '9.0' }, /machineType/],
      [{ multifdChannels: 0 }, /multifdChannels/],
    ];
    for (const [o, msg] of bad) {
      expect(() => migrate({ ...idle, ...o })).toThrow(InvalidOptionError);
      expect(() => migrate({ ...idle, ...o })).toThrow(msg);
    }
    expect(mf(migrate({ ...idle, multifdChannels: 2, multifdCompression: 'zstd', multifdCompressionLevel: 20 })).pages).toBeGreaterThan(0);
  });
});

describe('consistency with multifd', () => {
  for (const qemuVersion of ['7.2', '8.1', '10.1'] as const) {
    it(`${qemuVersion}: every page at the destination carries its last write; the TypeScript store gives the same report`, () => {
      for (const workload of [{ kind: 'hot-cold', writesPerSec: 25_000 }, { kind: 'sequential', writesPerSec: 8_000, regionStart: 0.5 }] as const) {
        const o = { memoryBytes: 16 * MiB + 37 * PAGE, qemuVersion, multifdChannels: 3, multifdCompression: 'zstd' as const, workload, trace: true };
        const { report, store } = runOn(o);
        expect(report.status).toBe('completed');
        expect(destinationViolations(store, 5)).toStrictEqual([]);
        expect(runOn(o, 'reference').report).toStrictEqual(report);
      }
    });
  }
});
