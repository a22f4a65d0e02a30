import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../src/api/migrate.js';
import type { MigrationOptions } from '../src/model/options.js';
import { TiB } from '../src/units.js';
import { HOT_COLD_WRITER, LINK_100G, LINK_10G, describeWriter, heavyWriter } from './scenarios.js';
import { CHILD_PROCESS_COLUMNS, MIGRATION_COLUMNS, bytes, ms } from './format.js';
import type { BenchGroup, GroupResult, Row, TargetCheck } from './types.js';
import { peakRssKiB } from './peak-rss.js';

/**
 * Group 4: a 1 TiB VM migration, each scenario in its own child process (this file, run as a script) so its
 * peak RSS is the migration's alone: a fresh Node, the Wasm core, migrate(), nothing else. The child prints
 * one JSON line; the parent checks wall time and peak RSS against each scenario's targets (issue 8).
 */

interface TibScenario {
  id: string;
  describe: string;
  options: MigrationOptions;
  wallTargetMs: number;
  rssTargetKiB: number | null;
}

const SCENARIOS: TibScenario[] = [
  {
    id: '1 TiB, 100 Gbit/s',
    describe: 'memoryBytes 2^40, bandwidthBytesPerSec 12.5e9 (100 Gbit/s), maxBandwidthBytesPerSec 12.5e9 (= link), algorithm qemu',
    options: { memoryBytes: TiB, bandwidthBytesPerSec: LINK_100G, maxBandwidthBytesPerSec: LINK_100G, algorithm: 'qemu', workload: HOT_COLD_WRITER },
    wallTargetMs: 500,
    rssTargetKiB: 256 * 1024,
  },
  {
    id: '1 TiB, 100 Gbit/s, xbzrle',
    describe: 'as the first, with XBZRLE (64 MiB cache, the default; issue 11)',
    options: { memoryBytes: TiB, bandwidthBytesPerSec: LINK_100G, maxBandwidthBytesPerSec: LINK_100G, algorithm: 'qemu', workload: HOT_COLD_WRITER, xbzrle: true },
    wallTargetMs: 2_000,
    rssTargetKiB: 256 * 1024,
  },
  {
    id: '1 TiB, 100 Gbit/s, multifd=4 zstd',
    describe: 'as the first, with multifd (4 channels) and zstd (issue 11)',
    options: { memoryBytes: TiB, bandwidthBytesPerSec: LINK_100G, maxBandwidthBytesPerSec: LINK_100G, algorithm: 'qemu', workload: HOT_COLD_WRITER, multifdChannels: 4, multifdCompression: 'zstd' },
    wallTargetMs: 2_000,
    rssTargetKiB: 256 * 1024,
  },
  {
    id: '1 TiB, 10 Gbit/s',
    describe: 'memoryBytes 2^40, bandwidthBytesPerSec 1.25e9 (10 Gbit/s), maxBandwidthBytesPerSec 1.25e9 (= link), algorithm qemu',
    options: { memoryBytes: TiB, bandwidthBytesPerSec: LINK_10G, maxBandwidthBytesPerSec: LINK_10G, algorithm: 'qemu', workload: HOT_COLD_WRITER },
    wallTargetMs: 10_000,
    rssTargetKiB: 1024 * 1024,
  },
  {
    id: '1 TiB heavy writer, 10 Gbit/s',
    describe: 'as above with 250,000 writes/s (5% hot taking 90%): the first pass alone outlasts the 600 s max time, so it is cancelled',
    options: { memoryBytes: TiB, bandwidthBytesPerSec: LINK_10G, maxBandwidthBytesPerSec: LINK_10G, algorithm: 'qemu', workload: heavyWriter(250_000), maxTimeMs: 600_000 },
    wallTargetMs: 3_000,
    rssTargetKiB: null,
  },
];

/** What the child reports on stdout. */
interface ChildResult {
  scenario: string;
  /** Wall time of the migrate() call. */
  wallMs: number;
  /** Wall time from the child's start (Node boot and imports included) to the end of migrate(). */
  processWallMs: number;
  /** Peak RSS of the child, KiB (VmHWM: bench/peak-rss.ts). */
  maxRssKiB: number;
  /** Peak RSS before migrate() was called (Node and the modules), KiB. */
  baselineRssKiB: number;
  status: string;
  emulatedMs: number;
  downtimeMs: number | null;
  rounds: number;
  transferredBytes: number;
}

function child(id: string): void {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new Error(`bench/one-tib: unknown scenario "${id}"`);
  const baselineRssKiB = peakRssKiB();
  const t0 = performance.now();
  const report = migrate(s.options);
  const t1 = performance.now();
  const result: ChildResult = {
    scenario: s.id,
    wallMs: t1 - t0,
    processWallMs: t1,
    maxRssKiB: peakRssKiB(),
    baselineRssKiB,
    status: report.status,
    emulatedMs: report.summary.totalTimeMs,
    downtimeMs: report.summary.downtimeMs,
    rounds: report.summary.rounds,
    transferredBytes: report.summary.transferredBytes,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function spawnChild(id: string): ChildResult {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), id], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`bench/one-tib: child for "${id}" exited with ${r.status ?? r.signal}:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ChildResult;
}

export const oneTib: BenchGroup = {
  id: 'one-tib',
  title: '1 TiB VM migration: wall time and peak RSS (one child process per scenario)',
  run(): GroupResult {
    const rows: Row[] = [];
    const targets: TargetCheck[] = [];
    for (const s of SCENARIOS) {
      const c = spawnChild(s.id);
      rows.push({ ...c, emulatedOverWall: c.emulatedMs / c.wallMs });
      targets.push({ name: `wall time, ${s.id}`, target: `<= ${ms(s.wallTargetMs)}`, measured: ms(c.wallMs), value: c.wallMs, met: c.wallMs <= s.wallTargetMs });
      if (s.rssTargetKiB !== null) {
        targets.push({
          name: `peak RSS, ${s.id}`, target: `<= ${bytes(s.rssTargetKiB * 1024)}`, measured: bytes(c.maxRssKiB * 1024),
          value: c.maxRssKiB * 1024, met: c.maxRssKiB <= s.rssTargetKiB,
        });
      }
    }
    return {
      notes: [
        ...SCENARIOS.map((s) => `${s.id}: ${s.describe}.`),
        `Writer (unless stated): ${describeWriter()}; other options at their defaults (populatedFraction 0.5, downtime-limit 300 ms, seed 1).`,
        'Each scenario runs once, in a fresh `node` child (Wasm compile and tier-up included in "wall").',
        'wall = the migrate() call; process = child start to end of migrate(); peak RSS = VmHWM of the child (its own high-water mark, bench/peak-rss.ts); baseline = the same before migrate().',
      ],
      columns: [
        { key: 'scenario', label: 'scenario' },
        ...MIGRATION_COLUMNS,
        { key: 'wallMs', label: 'wall', format: (v) => ms(v as number) },
        { key: 'processWallMs', label: 'process', format: (v) => ms(v as number) },
        ...CHILD_PROCESS_COLUMNS,
      ],
      rows,
      targets,
    };
  },
};

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const id = process.argv[2];
  if (id === undefined) {
    process.stderr.write(`usage: node dist/bench/one-tib.js <scenario>\nscenarios: ${SCENARIOS.map((s) => JSON.stringify(s.id)).join(', ')}\n`);
    process.exit(2);
  }
  child(id);
}
