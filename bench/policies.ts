import { migrate } from '../src/api/migrate.js';
import { policyLabel } from '../src/api/policy.js';
import { HEADLINE } from '../src/scenarios/presets.js';
import type { MigrationReport } from '../src/model/report.js';
import { bytes, ms, sig } from './format.js';
import { newBench, taskStats } from './tiny.js';
import type { BenchGroup, GroupResult, Row, TargetCheck } from './types.js';
import { statusText } from '../src/report/status.js';

/**
 * Issue 3's policy benchmark: every policy (pre-copy algorithm × controller) on the headline scenario — the
 * seed paper's case of a guest that dirties memory faster than the link sends it. Liveness (total time,
 * downtime) beside cost (bytes, rounds, guest CPU lost), and the wall time each emulation took (tinybench).
 * The reports are deterministic; only the wall time varies between runs.
 */
export const policies: BenchGroup = {
  id: 'policies',
  title: 'Policies on the headline scenario (guest dirties ~2× faster than the link sends)',
  async run(): Promise<GroupResult> {
    const bench = newBench('policies', { time: 400, iterations: 5, warmupTime: 50, warmupIterations: 1 });
    const reports = new Map<string, MigrationReport>();
    for (const p of HEADLINE.policies) {
      const label = policyLabel(p);
      const options = { ...HEADLINE.base, algorithm: p.algorithm, controller: p.controller };
      reports.set(label, migrate(options));
      bench.add(label, () => {
        migrate(options);
      });
    }
    await bench.run();
    const rows: Row[] = HEADLINE.policies.map((p) => {
      const label = policyLabel(p);
      const s = reports.get(label)!.summary;
      const wall = taskStats(bench.getTask(label));
      return {
        policy: label,
        status: statusText(s),
        totalTimeMs: s.totalTimeMs,
        downtimeMs: s.downtimeMs,
        transferredBytes: s.transferredBytes,
        rounds: s.rounds,
        guestCpuLostPct: s.guestCpuLostPct,
        maxThrottlePct: s.maxThrottlePct,
        wallMs: wall.medianMs,
        rmePct: wall.rmePct,
        emulatedPerWall: s.totalTimeMs / wall.medianMs,
      };
    });
    const xen = reports.get('xen')!.summary;
    const jin = reports.get('xen+cpu-scheduling')!.summary;
    const targets: TargetCheck[] = [];
    if (xen.downtimeMs !== null && jin.downtimeMs !== null) {
      const cut = (1 - jin.downtimeMs / xen.downtimeMs) * 100;
      targets.push({ name: 'downtime cut, xen+cpu-scheduling vs xen', target: '>= 80 %', measured: `${cut.toFixed(1)} %`, value: cut, met: cut >= 80 });
    }
    const b = HEADLINE.base;
    return {
      notes: [
        `${bytes(b.memoryBytes!)} guest, 50 % populated, one vCPU: hot-cold writer at 60,000 pages/s (234 MiB/s), 90 % of writes to a 512 MiB hot set.`,
        `Link 1 Gbit/s (125 MB/s); QEMU defaults otherwise; runs cancelled after ${ms(b.maxTimeMs!)} (guestperf's --max-time).`,
        'wall = median of tinybench samples of one migrate() call (Wasm instantiation included).',
      ],
      columns: [
        { key: 'policy', label: 'policy' },
        { key: 'status', label: 'status' },
        { key: 'totalTimeMs', label: 'total time', format: (v) => ms(v as number) },
        { key: 'downtimeMs', label: 'downtime', format: (v) => (v === null ? '-' : ms(v as number)) },
        { key: 'transferredBytes', label: 'sent', format: (v) => bytes(v as number) },
        { key: 'rounds', label: 'rounds' },
        { key: 'guestCpuLostPct', label: 'guest CPU lost', format: percent },
        { key: 'maxThrottlePct', label: 'max throttle', format: percent },
        { key: 'wallMs', label: 'wall', format: (v) => ms(v as number) },
        { key: 'rmePct', label: '±', format: (v) => `±${sig(v as number, 2)}%` },
        { key: 'emulatedPerWall', label: 'emulated/wall', format: (v) => `${sig(v as number)}x` },
      ],
      rows,
      targets,
    };
  },
};

function percent(v: unknown): string {
  return `${(v as number).toFixed(1)} %`;
}
