import type { PageStore } from '../../src/core/page-store.js';
import { ReferencePageStore } from '../../src/core/reference-page-store.js';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { runMigration } from '../../src/api/migrate.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { resolveOptions } from '../../src/api/resolve.js';
import type { MigrationReport } from '../../src/model/report.js';

export const KiB = 1024;
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

export type StoreKind = 'wasm' | 'reference';

/** A fresh page store of either implementation. */
export function makeStore(kind: StoreKind, pages: number, trace = false): PageStore {
  return kind === 'wasm' ? new WasmPageStore(pages, trace) : new ReferencePageStore(pages, trace);
}

/** migrate() options plus the internal per-page stamps switch (trace: true) that livemig's own tests use. */
export type TestOptions = MigrationOptions & { trace?: boolean };

/** resolveOptions() with `trace` passed as the internal switch it is. */
export function resolveTest(options: TestOptions): ReturnType<typeof resolveOptions> {
  const { trace, ...rest } = options;
  return resolveOptions(rest, { trace: trace === true });
}

/** Runs a whole migration on a store the test keeps, so it can inspect the bitmaps and stamps afterwards. */
export function runOn(options: TestOptions, kind: StoreKind = 'wasm'): { report: MigrationReport; store: PageStore } {
  const resolved = resolveTest(options);
  const store = makeStore(kind, resolved.scenario.pages, resolved.trace);
  return { report: runMigration(resolved, store), store };
}

/** Index of the first element where two arrays differ (or where their lengths differ), or -1. */
export function firstDiff(a: ArrayLike<number> | null, b: ArrayLike<number> | null): number {
  if (a === null || b === null) return a === b ? -1 : 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Everything observable about a store's state, for comparing two implementations. */
export function storeMismatches(a: PageStore, b: PageStore): string[] {
  const out: string[] = [];
  for (const name of ['dirtyLog', 'toSend', 'populated', 'ringLog', 'lastWrite', 'lastSend'] as const) {
    const i = firstDiff(a[name], b[name]);
    if (i >= 0) out.push(`${name} differs at index ${i}: ${a[name]?.[i]} vs ${b[name]?.[i]}`);
  }
  for (const which of ['dirtyLog', 'toSend', 'populated', 'ringLog'] as const) {
    const x = a.countBits(which);
    const y = b.countBits(which);
    if (x !== y) out.push(`countBits(${which}): ${x} vs ${y}`);
  }
  return out;
}

/** Counters of the last scanSend / touchSequential / syncDirtyLog, for comparing two implementations. */
export function counters(s: PageStore): Record<string, number> {
  return {
    lastNormal: s.lastNormal(),
    lastZero: s.lastZero(),
    lastSkipped: s.lastSkipped(),
    lastBytes: s.lastBytes(),
    lastFresh: s.lastFresh(),
    lastLogPages: s.lastLogPages(),
  };
}

/** Small deterministic PRNG (mulberry32) for generating call sequences; independent of the core's xoshiro. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bit p of a little-endian word bitmap. */
export function bit(bitmap: Uint32Array, p: number): boolean {
  return ((bitmap[p >>> 5]! >>> (p & 31)) & 1) === 1;
}
