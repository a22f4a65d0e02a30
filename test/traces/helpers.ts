import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceInterval } from '../../src/traces/interval.js';
import type { TraceHeaderInput } from '../../src/traces/writer.js';
import { intervalsOf, openTrace } from '../../src/traces/open.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'livemig-trace-'));
}

export function header(over: Partial<TraceHeaderInput> = {}): TraceHeaderInput {
  return {
    pageSizeBytes: 4096, pages: 1000, intervalMs: 100, method: 'synthetic', changedBytes: true,
    source: { description: 'test' }, host: { hostname: 'test' }, ...over,
  };
}

/** Deterministic pseudo-random intervals: mixes runs and scattered pages (a small LCG, not the core's PRNG). */
export function sampleIntervals(count: number, pages: number, withBytes = true, seed = 7): TraceInterval[] {
  let x = seed >>> 0;
  const rnd = (): number => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 32; };
  const out: TraceInterval[] = [];
  for (let i = 0; i < count; i++) {
    const set = new Set<number>();
    const runStart = Math.floor(rnd() * pages);
    const runLen = Math.floor(rnd() * 50);
    for (let p = runStart; p < Math.min(pages, runStart + runLen); p++) set.add(p);
    const scattered = Math.floor(rnd() * 40);
    for (let k = 0; k < scattered; k++) set.add(Math.floor(rnd() * pages));
    const list = Uint32Array.from([...set].sort((a, b) => a - b));
    const iv: TraceInterval = { startUs: i * 100_000 + Math.floor(rnd() * 500), durationUs: 100_000, pages: list };
    if (withBytes) iv.changedBytes = Uint32Array.from(list, () => 1 + Math.floor(rnd() * 4096));
    out.push(iv);
  }
  return out;
}

export function readAll(path: string): { header: ReturnType<typeof openTrace>['header']; intervals: TraceInterval[] } {
  const src = openTrace(path);
  const header = src.header;
  return { header, intervals: [...intervalsOf(src)] };
}
