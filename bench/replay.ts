import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { WasmPageStore } from '../src/core/wasm-page-store.js';
import { TraceWriter } from '../src/traces/writer.js';
import { TraceReplayWorkload } from '../src/workloads/trace-replay.js';
import { intervalsOf, openTrace } from '../src/traces/open.js';
import { si, ms } from './format.js';
import type { BenchGroup, Row } from './types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Replay throughput: a `trace` workload driven to the end of its trace, as the engine drives it (k writes per
 * 10 ms step at the trace's mean rate) on the Wasm core, and the trace reader alone, in intervals and pages per
 * second of wall time. The shipped traces plus a synthetic large one (500 intervals × 50000 scattered pages).
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STEP_MS = 10;

function replay(file: string, scatter: boolean): { intervals: number; pages: number; wallMs: number; readMs: number } {
  const src = openTrace(file);
  const t0 = performance.now();
  let intervals = 0;
  let pages = 0;
  for (const iv of intervalsOf(src)) { intervals++; pages += iv.pages.length; }
  const readMs = performance.now() - t0;
  const vmPages = 1 << 21;
  const store = new WasmPageStore(vmPages);
  const w = new TraceReplayWorkload(file, { start: 0, count: vmPages }, {
    placement: scatter ? 'scatter' : 'offset', loop: false, speed: 1, vmPageSizeBytes: 4096, field: 'bench',
  });
  const t1 = performance.now();
  let carry = 0;
  while (w.writesPerSec > 0) {
    const exact = carry + (w.writesPerSec * STEP_MS) / 1000;
    const k = Math.floor(exact);
    carry = exact - k;
    if (k > 0) w.write(store, k);
  }
  return { intervals, pages, wallMs: performance.now() - t1, readMs };
}

export const replayBench: BenchGroup = {
  id: 'replay',
  title: 'Trace replay throughput (trace workload on the Wasm core)',
  run() {
    const dir = mkdtempSync(join(tmpdir(), 'livemig-replay-'));
    try {
      const synthetic = join(dir, 'synthetic.lmtrace');
      const wr = new TraceWriter(synthetic, { pageSizeBytes: 4096, pages: 1 << 21, intervalMs: 100, method: 'synthetic', changedBytes: false, source: { description: 'bench' }, host: {} });
      let x = 1;
      for (let i = 0; i < 500; i++) {
        const set = new Uint32Array(50_000);
        let p = 0;
        for (let k = 0; k < set.length; k++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; p += 1 + (x % 80); set[k] = p; }
        wr.write({ startUs: i * 100_000, durationUs: 100_000, pages: set });
      }
      wr.close();
      const files = [...readdirSync(join(ROOT, 'traces')).filter((f) => f.endsWith('.lmtrace')).map((f) => join(ROOT, 'traces', f)), synthetic];
      const rows: Row[] = [];
      for (const file of files) {
        for (const scatter of [false, true]) {
          const r = replay(file, scatter);
          rows.push({
            trace: file.split('/').pop()!, placement: scatter ? 'scatter' : 'offset', intervals: r.intervals, pages: r.pages,
            wallMs: r.wallMs, intervalsPerSec: r.intervals / (r.wallMs / 1e3), pagesPerSec: r.pages / (r.wallMs / 1e3),
            readPagesPerSec: r.pages / (r.readMs / 1e3),
          });
        }
      }
      return {
        notes: [`each trace replayed to its end in ${STEP_MS} ms engine steps on a 2^21-page Wasm store; read = decoding alone`],
        columns: [
          { key: 'trace', label: 'trace' },
          { key: 'placement', label: 'placement' },
          { key: 'intervals', label: 'intervals' },
          { key: 'pages', label: 'page writes', format: (v) => si(v as number) },
          { key: 'wallMs', label: 'replay wall', format: (v) => ms(v as number) },
          { key: 'intervalsPerSec', label: 'intervals/s', format: (v) => si(v as number) },
          { key: 'pagesPerSec', label: 'pages/s', format: (v) => si(v as number) },
          { key: 'readPagesPerSec', label: 'read pages/s', format: (v) => si(v as number) },
        ],
        rows,
        targets: [],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
