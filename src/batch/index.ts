/**
 * Batch experiments: `runSweep` (what `livemig sweep` runs) and the readers of its output directory.
 * results.ndjson lines are in finishing order; always read them with `readResults`, which sorts by index.
 */
export { runSweep, locateWorker, LOCK_FILE, MAX_WORKERS } from './sweep.js';
export type { PoolMode } from './pool.js';
export type { SweepOptions, SweepProgress, SweepSummary } from './sweep.js';
export { readResults, RESULTS_FILE, MANIFEST_FILE } from './results.js';
export type { ReadOptions } from './results.js';
export { readManifest } from './manifest.js';
export type { SweepManifest } from './manifest.js';
export { parseShard, formatShard, inShard, selectShard } from './shard.js';
export type { Shard } from './shard.js';
export { toRunRecord, RECORD_TIMELINE_POINTS } from './record.js';
export type { RunRecord } from './record.js';
