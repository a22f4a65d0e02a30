import { writeFileSync } from 'node:fs';
import { migrate } from '../src/api/migrate.js';
import { loadQemuCases, median, qemuCaseOptions } from './qemu-cases.js';

/** Per case: outcome of each seed 1–10 and the medians of total time and bytes (the fidelity yardstick of issue 8). */
export interface FidelityRecord {
  id: string;
  outcomes: string[];
  medianTotalTimeMs: number;
  medianTransferredBytes: number;
}

export function fidelity(seeds = 10): FidelityRecord[] {
  return loadQemuCases().map((c) => {
    const runs = Array.from({ length: seeds }, (_, i) => migrate(qemuCaseOptions(c, i + 1)));
    return {
      id: c.id,
      outcomes: runs.map((r) => r.status),
      medianTotalTimeMs: median(runs.map((r) => r.summary.totalTimeMs)),
      medianTransferredBytes: median(runs.map((r) => r.summary.transferredBytes)),
    };
  });
}

// `node dist/bench/fidelity.js [out.json]` prints (and writes) the records.
if (process.argv[1]?.endsWith('fidelity.js')) {
  const out = JSON.stringify(fidelity(), null, 2);
  console.log(out);
  if (process.argv[2]) writeFileSync(process.argv[2], out + '\n');
}
