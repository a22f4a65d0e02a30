import { estimate, type EstimateOptions } from '../src/api/estimate.js';
import { GiB, MiB } from '../src/units.js';
import { ms, sig } from './format.js';
import { newBench, taskStats } from './tiny.js';
import type { BenchGroup, GroupResult, Row, TargetCheck } from './types.js';

/**
 * Issue 12's pre-flight benchmark: estimate() calls per second for one VM (8 GiB, 10 Gbit/s, 200 MiB/s of QEMU
 * dirty rate over a 1 GiB working set), one policy without and with the margin bisection, the four default
 * policies with margins, and the closed form alone (tinybench, medians).
 */
const VM: EstimateOptions = {
  memoryBytes: 8 * GiB, dirtyRateBytesPerSec: 200 * MiB, workingSetBytes: 1 * GiB,
  scenario: { bandwidthBytesPerSec: 1.25e9, maxBandwidthBytesPerSec: 1.25e9, maxTimeMs: 300_000 },
};
const CASES: [string, EstimateOptions][] = [
  ['qemu, no margin (reduced emulation)', { ...VM, policies: ['qemu'], marginIterations: 0 }],
  ['qemu, margin of 8 bisection steps', { ...VM, policies: ['qemu'] }],
  ['qemu@nova, no margin', { ...VM, policies: ['qemu@nova'], marginIterations: 0 }],
  ['4 default policies, margins', { ...VM }],
  ['qemu, closed form, margin', { ...VM, policies: ['qemu'], method: 'closed-form' }],
];
const TARGET_CALLS_PER_SEC = 100;

export const estimateBench: BenchGroup = {
  id: 'estimate',
  title: 'estimate() calls per second (one 8 GiB VM)',
  async run(): Promise<GroupResult> {
    const bench = newBench('estimate', { time: 500, iterations: 5, warmupTime: 50, warmupIterations: 1 });
    const answers = new Map<string, ReturnType<typeof estimate>>();
    for (const [label, o] of CASES) {
      answers.set(label, estimate(o));
      bench.add(label, () => { estimate(o); });
    }
    await bench.run();
    const rows: Row[] = CASES.map(([label]) => {
      const wall = taskStats(bench.getTask(label));
      const a = answers.get(label)!.policies[0]!;
      return { case: label, method: a.method, converges: a.converges, totalTimeMs: a.totalTimeMs, wallMs: wall.medianMs, rmePct: wall.rmePct, callsPerSec: 1000 / wall.medianMs };
    });
    const one = rows[0]!;
    const targets: TargetCheck[] = [{
      name: 'estimate(), one policy, no margin', target: `>= ${TARGET_CALLS_PER_SEC} calls/s`, measured: `${sig(one['callsPerSec'] as number)} calls/s`,
      value: one['callsPerSec'] as number, met: (one['callsPerSec'] as number) >= TARGET_CALLS_PER_SEC,
    }];
    return {
      notes: ['8 GiB guest, 50 % zero pages, 200 MiB/s dirty rate over a 1 GiB working set, 10 Gbit/s link, max-bandwidth = link, 300 s cap.', 'wall = median of tinybench samples of one estimate() call.'],
      columns: [
        { key: 'case', label: 'case' }, { key: 'method', label: 'method' }, { key: 'converges', label: 'converges', format: (v) => String(v) },
        { key: 'totalTimeMs', label: 'emulated total', format: (v) => ms(v as number) }, { key: 'wallMs', label: 'wall', format: (v) => ms(v as number) },
        { key: 'callsPerSec', label: 'calls/s', format: (v) => sig(v as number) },
      ],
      rows,
      targets,
    };
  },
};
