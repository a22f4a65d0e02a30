import { describe, expect, it } from 'vitest';
import { runMigration, withStore } from '../../src/api/migrate.js';
import { resolveOptions } from '../../src/api/resolve.js';
import { IDLE_CORE_MAX_BYTES, WasmPageStore } from '../../src/core/wasm-page-store.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { bytesPerPage } from '../../src/model/limits.js';
import { MiB } from '../../src/units.js';

// migrate() runs on the thread's idle core when there is one (WasmPageStore.acquire / release): init must
// put every piece of core state back as a fresh instance has it. Oracle: the same options on a fresh core.

const base: MigrationOptions = { memoryBytes: 256 * MiB, bandwidthBytesPerSec: 125e6, seed: 7 };
const HOT = { kind: 'hot-cold', writesPerSec: 40_000, hotFraction: 0.1, hotProbability: 0.8 } as const;

/** Scenarios that leave different state behind: wire costs, an XBZRLE cache, postcopy, stamps, tables, rings. */
const CASES: Record<string, MigrationOptions> = {
  'hot-cold, 2 vCPUs': { ...base, vcpus: 2, workload: HOT },
  'xbzrle (cache after the bitmaps)': { ...base, algorithm: 'qemu', xbzrle: true, xbzrleCacheBytes: 4 * MiB, workload: HOT },
  'multifd + zstd (wire costs)': { ...base, algorithm: 'qemu', multifdChannels: 4, multifdCompression: 'zstd', workload: HOT },
  'postcopy': { ...base, algorithm: 'qemu', postcopyRam: true, postcopyAfterSyncs: 2, workload: HOT },
  'zipf (sampling table)': { ...base, workload: { kind: 'zipf', writesPerSec: 30_000, exponent: 1.1 } },
  'sequential, dirty-limit (rings)': { ...base, algorithm: 'qemu', controller: 'dirty-limit', workload: { kind: 'sequential', writesPerSec: 60_000 } },
  'xen, 64 MiB (trace stamps)': { memoryBytes: 64 * MiB, bandwidthBytesPerSec: 50e6, algorithm: 'xen', seed: 3 },
  'cpu-scheduling': { ...base, memoryBytes: 512 * MiB, controller: 'cpu-scheduling', workload: { ...HOT, writesPerSec: 60_000 } },
};

/** The report of `options` on a brand-new core. */
function onFreshCore(options: MigrationOptions): unknown {
  const resolved = resolveOptions(options);
  return runMigration(resolved, new WasmPageStore(resolved.scenario.pages, resolved.trace));
}

/** The report of `options` through withStore, after `before` ran through it (so its core is reused). */
function afterOther(before: MigrationOptions, options: MigrationOptions): unknown {
  const first = resolveOptions(before);
  withStore(first, (store) => runMigration(first, store));
  const resolved = resolveOptions(options);
  return withStore(resolved, (store) => runMigration(resolved, store));
}

describe('a reused core gives the report of a fresh one', () => {
  const names = Object.keys(CASES);
  names.forEach((name, i) => {
    const previous = CASES[names[(i + 1) % names.length]!]!;
    it(`${name}, after ${names[(i + 1) % names.length]}`, () => {
      expect(JSON.stringify(afterOther(previous, CASES[name]!))).toBe(JSON.stringify(onFreshCore(CASES[name]!)));
    });
  });

  it('a smaller VM after a larger one (memory left over from the larger layout)', () => {
    const small = CASES['xen, 64 MiB (trace stamps)']!;
    const large = { ...CASES['xbzrle (cache after the bitmaps)']!, memoryBytes: 1024 * MiB };
    expect(JSON.stringify(afterOther(large, small))).toBe(JSON.stringify(onFreshCore(small)));
  });
});

describe('acquire and release', () => {
  const core = (s: WasmPageStore): unknown => (s as unknown as { x: unknown }).x;

  it('acquire takes the core the last release left, once', () => {
    const a = WasmPageStore.acquire(4096);
    const x = core(a);
    a.release();
    const b = WasmPageStore.acquire(8192);
    expect(core(b)).toBe(x);
    const c = WasmPageStore.acquire(4096);
    expect(core(c)).not.toBe(x);
    b.release();
    c.release();
  });

  it('a released store refuses every call and shows empty views', () => {
    const s = WasmPageStore.acquire(4096);
    s.release();
    expect(s.dirtyLog.length).toBe(0);
    expect(s.populated.length).toBe(0);
    expect(() => s.touchUniform(0, 0, 4096, 10)).toThrow(/released/);
    s.release(); // a second release is a no-op
    const t = WasmPageStore.acquire(4096);
    expect(t.touchUniform(0, 0, 4096, 10)).toBeGreaterThan(0);
    t.release();
  });

  it(`a core over IDLE_CORE_MAX_BYTES (${IDLE_CORE_MAX_BYTES / MiB} MiB) is not kept`, () => {
    const pages = Math.ceil((IDLE_CORE_MAX_BYTES * 1.01) / bytesPerPage(false)); // just over the cap
    const big = WasmPageStore.acquire(pages);
    expect(big.memoryBytes).toBeGreaterThan(IDLE_CORE_MAX_BYTES);
    const x = core(big);
    big.release();
    const next = WasmPageStore.acquire(4096);
    expect(core(next)).not.toBe(x);
    next.release();
  });
});
