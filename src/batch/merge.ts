/**
 * `livemig merge DIR...`: joins the folders of a sharded sweep (one per array task) into one, checking that
 * they all hold the same experiment and that every run index is there exactly once, and naming what is
 * missing. Lines are located first (index → folder and byte range), then copied in index order, so a merge
 * holds offsets in memory, not records.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SweepError } from '../errors/sweep-error.js';
import { acquireLock } from './lock.js';
import { describeManifest, readManifest, writeManifest, type SweepManifest } from './manifest.js';
import { ensureOutDir, ResultsAppender } from './out-dir.js';
import { forEachLine, MANIFEST_FILE, RESULTS_FILE } from './results.js';
import { formatShard, inShard, WHOLE } from './shard.js';
import { recordProblem } from './validate-record.js';

export interface MergeOptions {
  /** The shard folders (each with manifest.json and results.ndjson). */
  dirs: readonly string[];
  /** Where to write the merged sweep; omitted: only check. */
  outDir?: string;
}

export interface MergeSummary {
  experiment: string;
  fingerprint: string;
  totalRuns: number;
  /** Runs found (each exactly once). */
  runs: number;
  dirs: number;
  outDir: string | null;
}

interface Where {
  dir: number;
  start: number;
  end: number;
}

export function mergeShards(o: MergeOptions): MergeSummary {
  if (!Array.isArray(o.dirs) || o.dirs.length === 0) throw new SweepError('merge: give at least one shard folder');
  const manifests: SweepManifest[] = o.dirs.map((d) => {
    if (!existsSync(join(d, MANIFEST_FILE))) throw new SweepError(`${d}: no ${MANIFEST_FILE}, so it is not a sweep folder (or not one livemig wrote)`);
    return readManifest(d);
  });
  const first = manifests[0]!;
  manifests.forEach((m, i) => {
    if (m.fingerprint !== first.fingerprint || m.totalRuns !== first.totalRuns) {
      throw new SweepError(`cannot merge: ${o.dirs[0]} holds ${describeManifest(first)} but ${o.dirs[i]} holds ${describeManifest(m)}; every folder must come from the same experiment`);
    }
  });
  const total = first.totalRuns;
  const where = new Map<number, Where>();
  o.dirs.forEach((dir, d) => {
    const file = join(dir, RESULTS_FILE);
    if (!existsSync(file)) return; // a shard that never ran: its runs are reported missing below
    const shard = manifests[d]!.shard;
    forEachLine(file, ({ text, number, start, end }) => {
      if (text.trim() === '') return;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (e) {
        throw new SweepError(`${file}:${number}: not a JSON line (${(e as Error).message}); only the last line may be torn`);
      }
      const problem = recordProblem(record);
      if (problem !== null) throw new SweepError(`${file}:${number}: a damaged run record (${problem})`);
      const r = record as { index: number; fingerprint: string };
      if (r.fingerprint !== first.fingerprint) throw new SweepError(`${file}:${number}: a run of another experiment (fingerprint ${r.fingerprint.slice(0, 12)}…)`);
      if (r.index >= total || !inShard(r.index, shard)) throw new SweepError(`${file}:${number}: run p${r.index} is not part of shard ${formatShard(shard)} of this sweep`);
      const seen = where.get(r.index);
      if (seen === undefined) where.set(r.index, { dir: d, start, end: end + 1 });
      else if (seen.dir !== d) {
        throw new SweepError(`run p${r.index} is in both ${o.dirs[seen.dir]} and ${dir} (${file}:${number}); each run must come from exactly one shard folder: were two folders given for one shard?`);
      }
      // The same run twice in one folder (a line written again after a crash) is one run: keep the first.
    });
  });
  if (where.size < total) throw new SweepError(missingMessage(where, total, manifests, o.dirs));

  let outDir: string | null = null;
  if (o.outDir !== undefined) {
    outDir = o.outDir;
    ensureOutDir(outDir);
    const release = acquireLock(outDir);
    try {
      if (existsSync(join(outDir, MANIFEST_FILE)) || existsSync(join(outDir, RESULTS_FILE))) {
        throw new SweepError(`${outDir} already holds a sweep; merge into a new folder`);
      }
      copyInOrder(o.dirs, where, total, outDir);
      writeManifest(outDir, { ...first, shard: WHOLE, shardRuns: total, experimentFile: first.experimentFile === null ? null : resolve(first.experimentFile), createdAt: new Date().toISOString() });
    } finally {
      release();
    }
  }
  return { experiment: first.experiment, fingerprint: first.fingerprint, totalRuns: total, runs: where.size, dirs: o.dirs.length, outDir };
}

function copyInOrder(dirs: readonly string[], where: Map<number, Where>, total: number, outDir: string): void {
  const fds = dirs.map((d) => (existsSync(join(d, RESULTS_FILE)) ? openSync(join(d, RESULTS_FILE), 'r') : -1));
  const out = new ResultsAppender(join(outDir, RESULTS_FILE), 0);
  try {
    for (let i = 0; i < total; i++) {
      const w = where.get(i)!;
      const buf = Buffer.allocUnsafe(w.end - w.start);
      let off = 0;
      while (off < buf.length) off += readSync(fds[w.dir]!, buf, off, buf.length - off, w.start + off);
      out.append(buf.toString('utf8'));
    }
  } finally {
    out.close();
    for (const fd of fds) if (fd >= 0) closeSync(fd);
  }
}

/** "missing 12 of 1000 runs (p3, p11, p19, … p91): shard 4/8 has 0 of 125 in out/s4; …" */
function missingMessage(where: Map<number, Where>, total: number, manifests: SweepManifest[], dirs: readonly string[]): string {
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (!where.has(i)) missing.push(i);
  const list = missing.length <= 8 ? missing.map((i) => `p${i}`).join(', ') : `${missing.slice(0, 6).map((i) => `p${i}`).join(', ')}, … p${missing.at(-1)}`;
  const parts: string[] = [];
  const counts = new Set(manifests.map((m) => m.shard.count));
  if (counts.size === 1) {
    const n = manifests[0]!.shard.count;
    const byShard = new Map<number, number>();
    for (const i of missing) byShard.set((i % n) + 1, (byShard.get((i % n) + 1) ?? 0) + 1);
    for (const [s, k] of [...byShard.entries()].sort((a, b) => a[0] - b[0]).slice(0, 6)) {
      const d = manifests.findIndex((m) => m.shard.index === s);
      parts.push(d === -1 ? `shard ${s}/${n}: no folder given (${k} runs)` : `shard ${s}/${n} in ${dirs[d]}: ${k} runs missing (resume it with --resume)`);
    }
    if (byShard.size > 6) parts.push(`and ${byShard.size - 6} more shards`);
  }
  return `cannot merge: missing ${missing.length} of ${total} runs (${list})${parts.length > 0 ? `; ${parts.join('; ')}` : ''}`;
}
