/**
 * Golden reports: the SHA-256 of the JSON report of every preset × policy and of every algorithm × controller ×
 * workload on a small VM. A refactor that changes no behaviour keeps every hash; a change that is meant to move
 * numbers regenerates them with `LIVEMIG_UPDATE_GOLDEN=1 npx vitest run test/golden` and says why in its commit.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS, CONTROLLERS, PRESETS, WORKLOAD_KINDS, compare, migrate, type WorkloadSpec } from '../../src/index.js';

const FILE = join(dirname(fileURLToPath(import.meta.url)), 'reports.json');
const UPDATE = process.env['LIVEMIG_UPDATE_GOLDEN'] === '1';
const MiB = 1024 ** 2;
/** A small synthetic trace (4096 pages) for the trace kind: a sliding window plus a few hot pages. */
// Relative, so the scenario echo (and so the hash) is the same in every checkout (src/traces/locate.ts).
const TRACE = 'test/fixtures/sliding-window.ndjson';

interface Golden { sha256: string; status: string; totalTimeMs: number; transferredBytes: number }

function digest(report: unknown): Golden {
  const json = JSON.stringify(report);
  const r = report as { status: string; summary: { totalTimeMs: number; transferredBytes: number } };
  return { sha256: createHash('sha256').update(json).digest('hex'), status: r.status, totalTimeMs: r.summary.totalTimeMs, transferredBytes: r.summary.transferredBytes };
}

function workloadFor(kind: string): WorkloadSpec {
  switch (kind) {
    case 'idle': return { kind: 'idle' };
    case 'compute': return { kind: 'compute' };
    case 'hot-cold': return { kind: 'hot-cold', writesPerSec: 6000, hotFraction: 0.1, hotProbability: 0.8 };
    case 'phases': return { kind: 'phases', loop: true, phases: [{ durationMs: 2000, workload: { kind: 'uniform', writesPerSec: 6000, regionSize: 0.5 } }, { durationMs: 1000, workload: { kind: 'idle' } }] };
    case 'trace': return { kind: 'trace', file: TRACE };
    default: return { kind: kind as 'uniform', writesPerSec: 6000, regionSize: 0.5 };
  }
}

function computeAll(): Record<string, Golden> {
  const out: Record<string, Golden> = {};
  for (const preset of Object.values(PRESETS)) {
    for (const row of compare(preset.base, preset.policies)) out[`preset ${preset.name} ${row.policy}`] = digest(row.report);
  }
  for (const algorithm of ALGORITHMS) {
    for (const controller of CONTROLLERS) {
      for (const kind of WORKLOAD_KINDS) {
        const report = migrate({
          memoryBytes: 32 * MiB, bandwidthBytesPerSec: 12.5e6, maxBandwidthBytesPerSec: 12.5e6,
          workload: [workloadFor(kind), { kind: 'hot-cold', writesPerSec: 2500 }], algorithm, controller,
          maxTimeMs: 30_000, seed: 7,
        });
        out[`${algorithm}+${controller} ${kind}`] = digest(report);
      }
    }
  }
  return out;
}

describe('golden reports (behaviour unchanged, byte for byte)', () => {
  const actual = computeAll();
  if (UPDATE || !existsSync(FILE)) writeFileSync(FILE, `${JSON.stringify(actual, null, 1)}\n`);
  const expected = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, Golden>;
  it('covers the same cases', () => {
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const [name, g] of Object.entries(expected)) {
    it(name, () => {
      expect(actual[name]).toEqual(g);
    });
  }
});
