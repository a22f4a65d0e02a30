import { bitmap } from './bitmap.js';
import { endToEnd } from './end-to-end.js';
import { oneTib } from './one-tib.js';
import { policies } from './policies.js';
import { qemu72 } from './qemu72.js';
import { queue } from './queue.js';
import { sweep } from './sweep.js';
import { switchPoints } from './switch-points.js';
import { touches } from './touches.js';
import { recordOverhead } from './record-overhead.js';
import { replayBench } from './replay.js';
import { wire } from './wire.js';
import { drainBench } from './drain.js';
import { estimateBench } from './estimate.js';
import { postcopyBench } from './postcopy.js';
import type { BenchGroup } from './types.js';

/**
 * Every benchmark group, in the order `npm run bench` runs them. To add one, write bench/<name>.ts exporting
 * a BenchGroup (see bench/types.ts) and append it here; run.ts prints its table and saves its rows.
 */
export const GROUPS: BenchGroup[] = [touches, switchPoints, bitmap, endToEnd, oneTib, qemu72, policies, postcopyBench, sweep, queue, replayBench, recordOverhead, drainBench, wire, estimateBench];
