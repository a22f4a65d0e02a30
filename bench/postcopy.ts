import { migrate } from '../src/api/migrate.js';
import { parsePolicy, policyLabel } from '../src/api/policy.js';
import type { MigrationOptions } from '../src/model/options.js';
import type { MigrationReport } from '../src/model/report.js';
import { statusText } from '../src/report/status.js';
import { HEADLINE } from '../src/scenarios/presets.js';
import { GiB } from '../src/units.js';
import { bytes, ms, sig } from './format.js';
import { HOT_COLD_WRITER, LINK_10G, heavyWriter } from './scenarios.js';
import { newBench, taskStats } from './tiny.js';
import type { BenchGroup, GroupResult, Row } from './types.js';

/**
 * Issue 11 part 4: postcopy and hybrid policies against plain pre-copy, on the headline guest and at 64 GiB over
 * 10 Gbit/s (max-bandwidth = link): what each does to total time, downtime, bytes and guest CPU, its remote
 * faults, blocked vCPU time and risk window, and the wall time of one emulation (tinybench).
 */
const CASES: { scenario: string; base: MigrationOptions; policies: string[] }[] = [
  {
    scenario: 'headline (2 GiB, 234 MiB/s writer, 1 Gbit/s)',
    base: HEADLINE.base,
    policies: ['qemu', 'qemu{postcopy-after=5}', 'qemu{postcopy-after=5,preempt}', 'qemu{postcopy-after=5}+auto-converge', 'qemu{postcopy-after=5}+cpu-scheduling', 'qemu+cpu-scheduling'],
  },
  {
    scenario: '64 GiB, 10 Gbit/s, hot-cold 25k writes/s',
    base: { memoryBytes: 64 * GiB, bandwidthBytesPerSec: LINK_10G, maxBandwidthBytesPerSec: LINK_10G, workload: HOT_COLD_WRITER },
    policies: ['qemu', 'qemu{postcopy-after=2}', 'qemu{postcopy-after=2,preempt}'],
  },
  {
    scenario: '64 GiB, 10 Gbit/s, heavy writer 1M writes/s',
    base: { memoryBytes: 64 * GiB, bandwidthBytesPerSec: LINK_10G, maxBandwidthBytesPerSec: LINK_10G, workload: heavyWriter(1e6), maxTimeMs: 60_000 },
    policies: ['qemu', 'qemu{postcopy-after=3}', 'qemu{postcopy-after=3,preempt}'],
  },
];

export const postcopyBench: BenchGroup = {
  id: 'postcopy',
  title: 'Postcopy and hybrid policies vs plain pre-copy',
  async run(): Promise<GroupResult> {
    const bench = newBench('postcopy', { time: 300, iterations: 3, warmupTime: 0, warmupIterations: 1 });
    const reports = new Map<string, MigrationReport>();
    for (const c of CASES) {
      for (const text of c.policies) {
        const p = parsePolicy(text);
        const options: MigrationOptions = { ...c.base, ...p.options, algorithm: p.algorithm, controller: p.controller };
        const key = `${c.scenario} | ${policyLabel(p)}`;
        reports.set(key, migrate(options));
        bench.add(key, () => { migrate(options); });
      }
    }
    await bench.run();
    const rows: Row[] = [...reports].map(([key, r]) => {
      const s = r.summary;
      const pc = s.postcopy;
      const wall = taskStats(bench.getTask(key));
      const [scenario, policy] = key.split(' | ') as [string, string];
      return {
        scenario, policy, status: statusText(s), totalTimeMs: s.totalTimeMs, downtimeMs: s.downtimeMs, transferredBytes: s.transferredBytes,
        guestCpuLostPct: s.guestCpuLostPct, remoteFaults: pc?.remoteFaults ?? null, blockedMs: pc?.vcpuBlockedMs ?? null,
        riskWindowMs: pc?.riskWindowMs ?? null, wallMs: wall.medianMs, emulatedPerWall: s.totalTimeMs / wall.medianMs,
      };
    });
    const opt = (f: (v: number) => string) => (v: unknown) => (v === null ? '-' : f(v as number));
    return {
      notes: ['wall = median of tinybench samples of one migrate() call; the reports are deterministic.'],
      columns: [
        { key: 'scenario', label: 'scenario' },
        { key: 'policy', label: 'policy' },
        { key: 'status', label: 'status' },
        { key: 'totalTimeMs', label: 'total time', format: opt(ms) },
        { key: 'downtimeMs', label: 'downtime', format: opt(ms) },
        { key: 'transferredBytes', label: 'sent', format: opt(bytes) },
        { key: 'guestCpuLostPct', label: 'guest CPU lost', format: opt((v) => `${v.toFixed(1)} %`) },
        { key: 'remoteFaults', label: 'faults', format: opt((v) => String(v)) },
        { key: 'blockedMs', label: 'blocked', format: opt(ms) },
        { key: 'riskWindowMs', label: 'risk window', format: opt(ms) },
        { key: 'wallMs', label: 'wall', format: opt(ms) },
        { key: 'emulatedPerWall', label: 'emulated/wall', format: opt((v) => `${sig(v)}x`) },
      ],
      rows,
      targets: [],
    };
  },
};
