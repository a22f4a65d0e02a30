import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import { ReferencePageStore, xbzrleLength } from '../../src/core/reference-page-store.js';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { WIRE_SLOTS, type PageStore } from '../../src/core/page-store.js';
import type { MigrationOptions } from '../../src/model/options.js';
import type { MigrationReport } from '../../src/model/report.js';
import { destinationViolations } from '../helpers/consistency.js';
import { MiB, runOn } from '../helpers/stores.js';

// XBZRLE with QEMU's semantics (migration/ram.c save_xbzrle_page, page_cache.c, xbzrle.c; reference §B.1).

const PAGE = 4096;
const small: MigrationOptions = { memoryBytes: 16 * MiB, bandwidthBytesPerSec: 125_000_000, maxTimeMs: 120_000 };
// 64 MiB over 100 Mbit/s with a 4 096-page (16 MiB) region rewritten every pass: many passes.
const rewriting = (bytesChangedPerWrite: number | undefined, extra: MigrationOptions = {}): MigrationOptions => ({
  memoryBytes: 64 * MiB, bandwidthBytesPerSec: 12_500_000, maxTimeMs: 120_000, xbzrle: true, downtimeLimitMs: 30,
  workload: { kind: 'uniform', writesPerSec: 20_000, regionSize: 0.25, ...(bytesChangedPerWrite === undefined ? {} : { bytesChangedPerWrite }) }, ...extra,
});
const xz = (r: MigrationReport) => r.summary.xbzrle!;

describe('XBZRLE in whole migrations', () => {
  it('an idle guest sends each page once: the same report as without XBZRLE, no lookup ever', () => {
    const o: MigrationOptions = { ...small, workload: { kind: 'idle' } };
    const plain = migrate(o);
    const x = migrate({ ...o, xbzrle: true });
    expect(x.status).toBe('completed');
    expect(x.summary.normalPages + x.summary.zeroPages).toBe(x.scenario.pages);
    expect(x.summary.transferredBytes).toBe(plain.summary.transferredBytes);
    expect(x.summary.totalTimeMs).toBe(plain.summary.totalTimeMs);
    expect(xz(x)).toMatchObject({ pages: 0, cacheMiss: 0, overflow: 0, unchangedPages: 0, bytes: 0 });
  });

  it('a guest changing 1 byte per page write sends 6-7 B of XBZRLE data (14-15 B with the header) per re-sent page once cached', () => {
    // 4 096 hot pages (16 MiB) fit the 64 MiB cache: after each page's first re-send (a miss, inserted), every
    // re-send is a hit whose delta is one run of 1 byte: 1 B flag + 2 B length + ULEB128(offset) (1 or 2 B) +
    // ULEB128(1) + 1 B of data.
    const r = migrate(rewriting(1));
    const x = xz(r);
    expect(r.status).toBe('completed');
    expect(x.pages).toBeGreaterThan(2_000);
    expect(x.overflow).toBe(0);
    expect(x.bytes / x.pages).toBeGreaterThanOrEqual(6);
    expect(x.bytes / x.pages).toBeLessThanOrEqual(7);
    // offsets uniform over the page: 128 / 4096 of them fit one ULEB128 byte
    expect(x.bytes / x.pages).toBeCloseTo(7 - 128 / 4096, 1);
    expect(x.encodingRate).toBeCloseTo((x.pages * PAGE) / x.bytes, 10);
    // every region page misses at most once more than the lifetime rule allows: the cache holds the region
    expect(x.cacheMiss).toBeLessThanOrEqual(4096);
    // plain pre-copy cannot converge: the region (16 MiB) takes 1.3 s a pass, in which it is all rewritten
    expect(migrate({ ...rewriting(1), xbzrle: false, maxTimeMs: 30_000 }).status).toBe('cancelled');
  });

  it('starts after the first full pass: lookups (misses, overflows) = the normal and zero pages beyond one pass', () => {
    for (const workload of [{ kind: 'hot-cold', writesPerSec: 30_000 }, { kind: 'sequential', writesPerSec: 5_000 }] as const) {
      const r = migrate({ ...rewriting(undefined), workload, xbzrleCacheBytes: 1 * MiB, maxTimeMs: 20_000 });
      const x = xz(r);
      const s = r.summary;
      // the first pass sends every page once, with no lookup; every send after it is a lookup (a zero page,
      // once written, is populated): misses and overflows are the normal pages beyond that pass
      expect(x.cacheMiss + x.overflow).toBe(s.normalPages + s.zeroPages - r.scenario.pages);
    }
  });

  it('a streaming writer (whole pages rewritten) overflows: every hit is sent as a normal page', () => {
    const r = migrate({ ...rewriting(undefined), workload: { kind: 'sequential', writesPerSec: 20_000, regionSize: 0.25 }, maxTimeMs: 20_000 });
    const x = xz(r);
    expect(x.overflow).toBeGreaterThan(0);
    expect(x.pages).toBe(0);
    expect(x.bytes).toBe(x.overflow * PAGE); // QEMU counts an overflow as a page of xbzrle bytes
    expect(x.encodingRate).toBe(0);
  });

  it('writes that change nothing (bytesChangedPerWrite 0) send nothing on a hit', () => {
    const r = migrate(rewriting(0));
    const x = xz(r);
    expect(x.unchangedPages).toBeGreaterThan(0);
    expect(x.pages).toBe(0);
    expect(x.bytes).toBe(0);
  });

  it('a cache smaller than the hot set misses; one that holds it hits (direct-mapped by page index)', () => {
    const base: MigrationOptions = { memoryBytes: 256 * MiB, xbzrle: true, workload: { kind: 'hot-cold', writesPerSec: 30_000, hotFraction: 0.25 }, maxTimeMs: 60_000 };
    const tiny = xz(migrate({ ...base, xbzrleCacheBytes: 1 * MiB }));
    const big = xz(migrate({ ...base, xbzrleCacheBytes: 256 * MiB }));
    expect(tiny.cacheMissRate).toBeGreaterThan(big.cacheMissRate);
    expect(big.pages).toBeGreaterThan(tiny.pages);
  });

  it('the encoder can be the bottleneck: its CPU time is the closed form, and a slow encoder slows the run', () => {
    const o = rewriting(1);
    const fast = migrate(o);
    const slow = migrate({ ...o, xbzrleEncodeBytesPerSec: 2e6 });
    const x = xz(slow);
    // every hit reads its page: encoded, overflowed and unchanged pages
    expect(x.encodeCpuMs).toBeCloseTo(((x.pages + x.overflow + x.unchangedPages) * PAGE) / 2e6 * 1000, 6);
    expect(slow.summary.totalTimeMs).toBeGreaterThan(fast.summary.totalTimeMs);
    // 2 MB/s of encoding is far below the 12.5 MB/s link: a round of hits lasts at least its encode time
    const hitRounds = slow.rounds.filter((q) => q.phase === 'live' && (q.xbzrle?.pages ?? 0) > 1000);
    expect(hitRounds.length).toBeGreaterThan(0);
    for (const round of hitRounds) {
      expect(round.endMs - round.startMs).toBeGreaterThanOrEqual((round.xbzrle!.encodeCpuMs) * 0.999);
    }
  });

  it('reports per round; the summary is their sum', () => {
    const r = migrate({ ...small, xbzrle: true, workload: { kind: 'hot-cold', writesPerSec: 30_000 } });
    expect(r.rounds.every((q) => q.xbzrle !== undefined)).toBe(true);
    expect(r.rounds.reduce((a, q) => a + q.xbzrle!.cacheMiss, 0)).toBe(xz(r).cacheMiss);
    expect(r.rounds.reduce((a, q) => a + q.xbzrle!.pages, 0)).toBe(xz(r).pages);
  });

  it('every page at the destination carries its last write (Wasm and TypeScript stores give the same report)', () => {
    for (const workload of [
      { kind: 'hot-cold', writesPerSec: 30_000 }, { kind: 'uniform', writesPerSec: 10_000, bytesChangedPerWrite: 0 }, { kind: 'sequential', writesPerSec: 8_000 },
    ] as const) {
      const o = { memoryBytes: 8 * MiB, xbzrle: true, xbzrleCacheBytes: 1 * MiB, workload, trace: true };
      const { report, store } = runOn(o);
      expect(report.status).toBe('completed');
      expect(destinationViolations(store, 5)).toStrictEqual([]);
      expect(runOn(o, 'reference').report).toStrictEqual(report);
    }
  });
});

describe('XBZRLE options', () => {
  it('the cache size must be a power-of-two multiple of the page size', () => {
    for (const bad of [3 * MiB, 2048, 64 * MiB + 4096]) {
      expect(() => migrate({ ...small, xbzrle: true, xbzrleCacheBytes: bad })).toThrow(InvalidOptionError);
      expect(() => migrate({ ...small, xbzrle: true, xbzrleCacheBytes: bad })).toThrow(/xbzrleCacheBytes/);
    }
    expect(migrate({ ...small, xbzrle: true, xbzrleCacheBytes: 4096, maxTimeMs: 5000 }).summary.xbzrle).toBeDefined();
  });
  it('with multifd: refused from 8.2 on ("Multifd is not compatible with xbzrle"), accepted but inert on 8.1', () => {
    const o: MigrationOptions = { ...small, xbzrle: true, multifdChannels: 2, workload: { kind: 'hot-cold', writesPerSec: 30_000 } };
    expect(() => migrate({ ...o, qemuVersion: '8.2' })).toThrow(/Multifd is not compatible with xbzrle/);
    const inert = migrate({ ...o, qemuVersion: '8.1' });
    expect(xz(inert)).toMatchObject({ pages: 0, cacheMiss: 0, overflow: 0, unchangedPages: 0 });
    const { xbzrle: _x, ...without } = inert.summary;
    expect(without).toStrictEqual({ ...migrate({ ...o, xbzrle: false, qemuVersion: '8.1' }).summary });
  });
  it('other algorithms refuse the wire options', () => {
    expect(() => migrate({ ...small, algorithm: 'xen', xbzrle: true })).toThrow(/xbzrle.*algorithm qemu/);
    expect(() => migrate({ ...small, algorithm: 'simgrid', multifdChannels: 2 })).toThrow(/multifdChannels/);
  });
});

describe('the XBZRLE cache in the core and its TypeScript twin', () => {
  function store(kind: 'wasm' | 'ref'): PageStore {
    const s = kind === 'wasm' ? new WasmPageStore(256) : new ReferencePageStore(256);
    s.populatePrefix(256);
    s.initXbzrle(4);
    s.setContent(0.5, 7);
    s.setWireCosts([9, 4104, 4104, 9, 4104, 4104, 0, 0, 0]);
    return s;
  }
  const send = (s: PageStore, page: number, gen: number, opts: { changed?: number; last?: boolean } = {}) => {
    s.setXbzrle(true, gen, opts.last ?? false, opts.changed ?? 1, PAGE, 11, PAGE);
    s.toSend[page >>> 5]! |= 1 << (page & 31);
    s.scanSendWire(page, page + 1, Infinity, Infinity, Infinity, false);
    const o = s.wireCounters();
    return { miss: o[WIRE_SLOTS.xbzrleMiss], enc: o[WIRE_SLOTS.xbzrleEncoded], data: o[WIRE_SLOTS.xbzrleData], ovf: o[WIRE_SLOTS.xbzrleOverflow], unch: o[WIRE_SLOTS.xbzrleUnchanged], bytes: o[WIRE_SLOTS.bytes] };
  };
  for (const kind of ['wasm', 'ref'] as const) {
    it(`${kind}: slot = page mod entries; an entry younger than 2 syncs is not evicted, one of 2 syncs is`, () => {
      const s = store(kind);
      expect(send(s, 0, 2)).toMatchObject({ miss: 1, bytes: 4104 }); // inserted at age 2
      expect(send(s, 4, 3)).toMatchObject({ miss: 1 }); // slot 0 holds page 0, age 2: 2 + 2 > 3, refused
      expect(s.xbzrleCache()!.addrs[0]).toBe(1);
      expect(send(s, 0, 3)).toMatchObject({ miss: 0, enc: 1 }); // still cached: a hit, age now 3
      expect(send(s, 4, 4)).toMatchObject({ miss: 1 }); // 3 + 2 > 4: refused again
      expect(send(s, 4, 5)).toMatchObject({ miss: 1 }); // 3 + 2 <= 5: page 4 replaces page 0
      expect(s.xbzrleCache()!.addrs[0]).toBe(5);
      expect(s.xbzrleCache()!.ages[0]).toBe(5);
      const hit = send(s, 4, 5);
      expect(hit).toMatchObject({ miss: 0, enc: 1, data: xbzrleLength(4, 7, 1, PAGE) });
      expect(hit.bytes).toBe(11 + xbzrleLength(4, 7, 1, PAGE));
    });
    it(`${kind}: overflow above a page, nothing sent when unchanged, no insert in the last stage`, () => {
      const s = store(kind);
      send(s, 1, 2);
      expect(send(s, 1, 2, { changed: PAGE })).toMatchObject({ ovf: 1, enc: 0, bytes: 4104 });
      expect(send(s, 1, 2, { changed: 0 })).toMatchObject({ unch: 1, bytes: 0 });
      expect(send(s, 2, 9, { last: true })).toMatchObject({ miss: 1 });
      expect(s.xbzrleCache()!.addrs[2]).toBe(0);
    });
  }
  it('the encoded length: ULEB128(offset) + ULEB128(length) + the bytes; a whole page overflows', () => {
    for (let p = 0; p < 200; p++) {
      const n = xbzrleLength(p, 3, 1, PAGE);
      expect(n === 3 || n === 4).toBe(true);
      expect(xbzrleLength(p, 3, 200, PAGE)).toBeGreaterThanOrEqual(1 + 2 + 200);
      expect(xbzrleLength(p, 3, PAGE, PAGE)).toBe(PAGE + 1);
    }
  });
});
