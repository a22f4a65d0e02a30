import { migrate } from '../src/api/migrate.js';
import { HEADLINE } from '../src/scenarios/presets.js';
import type { MigrationOptions } from '../src/model/options.js';
import type { MigrationReport } from '../src/model/report.js';
import { GiB } from '../src/units.js';
import { statusText } from '../src/report/status.js';
import { bytes, ms, sig } from './format.js';
import { HOT_COLD_WRITER, LINK_10G } from './scenarios.js';
import { newBench, taskStats } from './tiny.js';
import type { BenchGroup, GroupResult, Row } from './types.js';

/**
 * Issue 11's wire features: the wall time of XBZRLE, multifd and multifd + zstd against plain QEMU pre-copy, on
 * the headline guest (the `npm start` scenario) and on a 64 GiB VM over 10 Gbit/s (max-bandwidth = link). The
 * reports are deterministic; the table shows what each feature did to total time, downtime, bytes and guest CPU.
 */
const FEATURES: [string, MigrationOptions][] = [
  ['qemu', {}],
  ['qemu{xbzrle}', { xbzrle: true }],
  ['qemu{xbzrle,cache=1GiB}', { xbzrle: true, xbzrleCacheBytes: GiB }],
  ['qemu{multifd=4}', { multifdChannels: 4 }],
  ['qemu{multifd=4,zstd}', { multifdChannels: 4, multifdCompression: 'zstd' }],
  ['qemu+cpu-scheduling', { controller: 'cpu-scheduling' }],
];

const GUESTS: [string, MigrationOptions][] = [
  ['headline', { ...HEADLINE.base, algorithm: 'qemu' }],
  ['64 GiB, 10 Gbit/s', { memoryBytes: 64 * GiB, bandwidthBytesPerSec: LINK_10G, maxBandwidthBytesPerSec: LINK_10G, algorithm: 'qemu', workload: HOT_COLD_WRITER }],
];

export const wire: BenchGroup = {
  id: 'wire',
  title: 'Wire features (XBZRLE, multifd, zstd) against plain pre-copy: wall time and outcome',
  async run(): Promise<GroupResult> {
    const bench = newBench('wire', { time: 300, iterations: 3, warmupTime: 20, warmupIterations: 1 });
    const reports = new Map<string, MigrationReport>();
    for (const [g, base] of GUESTS) {
      for (const [f, extra] of FEATURES) {
        const options = { ...base, ...extra };
        const key = `${g} | ${f}`;
        reports.set(key, migrate(options));
        bench.add(key, () => { migrate(options); });
      }
    }
    await bench.run();
    const rows: Row[] = [...reports.entries()].map(([key, r]) => {
      const s = r.summary;
      const wall = taskStats(bench.getTask(key));
      const [guest = '', policy = ''] = key.split(' | ');
      return {
        guest, policy, status: statusText(s), totalTimeMs: s.totalTimeMs, downtimeMs: s.downtimeMs, transferredBytes: s.transferredBytes,
        guestCpuLostPct: s.guestCpuLostPct, wallMs: wall.medianMs, rmePct: wall.rmePct,
      };
    });
    return {
      notes: [
        'headline: 2 GiB, hot-cold 60,000 writes/s (64 B changed per write), 1 Gbit/s, QEMU 10.1 defaults, cancelled after 300 s.',
        '64 GiB: hot-cold 25,000 writes/s, 10 Gbit/s, max-bandwidth = link.',
        'wall = median of tinybench samples of one migrate() call.',
      ],
      columns: [
        { key: 'guest', label: 'guest' },
        { key: 'policy', label: 'policy' },
        { key: 'status', label: 'status' },
        { key: 'totalTimeMs', label: 'total time', format: (v) => ms(v as number) },
        { key: 'downtimeMs', label: 'downtime', format: (v) => (v === null ? '-' : ms(v as number)) },
        { key: 'transferredBytes', label: 'sent', format: (v) => bytes(v as number) },
        { key: 'guestCpuLostPct', label: 'guest CPU lost', format: (v) => `${(v as number).toFixed(1)} %` },
        { key: 'wallMs', label: 'wall', format: (v) => ms(v as number) },
        { key: 'rmePct', label: '±', format: (v) => `±${sig(v as number, 2)}%` },
      ],
      rows,
      targets: [],
    };
  },
};
