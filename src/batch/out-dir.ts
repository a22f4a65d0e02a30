/**
 * The output-directory protocol of a sweep: check DIR before any work, write the manifest of a new sweep,
 * find the runs a resumed one already has, and append records so that a failing disk loses nothing finished.
 *
 *   manifest.json    the experiment (name, fingerprint, a copy of the file), the shard, the run counts
 *   results.ndjson   one RunRecord per line, in the order runs FINISH (read it with readResults())
 *   sweep.lock       present while a sweep writes the directory (see lock.ts)
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SweepError } from '../errors/sweep-error.js';
import type { Experiment } from '../experiments/types.js';
import { describeManifest, manifestPath, readManifest, writeManifest, type SweepManifest } from './manifest.js';
import { RESULTS_FILE, scanResults } from './results.js';
import { formatShard, inShard, sameShard, type Shard } from './shard.js';

/** Why a path cannot be written, in words, from an errno code. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EIO':
      return 'input/output error';
    case 'ENOTDIR':
      return 'a parent is not a folder';
    case 'ENOENT':
      return 'no such file or folder (this file system does not allow creating it)';
    default:
      return code ?? (e as Error).message;
  }
}

/**
 * Checks `--out` before any work: it is a folder or can be created (each missing level made one at a time,
 * so a path under a file or in /proc fails at once instead of looping), and a file can be created in it.
 * Creates the folder. Throws a one-line SweepError naming `flag`.
 */
export function ensureOutDir(dir: string, flag = '--out'): void {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a parent is a file; walking up finds it and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new SweepError(`${flag} ${dir}: cannot read ${p} (${reason(e)})`);
      missing.push(p);
      const parent = dirname(p);
      if (parent === p) throw new SweepError(`${flag} ${dir}: no such folder and none of its parents exists`);
      p = parent;
      continue;
    }
    if (!st.isDirectory()) {
      throw new SweepError(
        missing.length === 0
          ? `${flag} ${dir} is a file, not a folder; give a folder (it is created if missing)`
          : `${flag} ${dir}: cannot create it: ${p} is a file, not a folder`,
      );
    }
    break;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(m).isDirectory()) continue; // made meanwhile
      throw new SweepError(`${flag} ${dir}: cannot create ${m} (${reason(e)})`);
    }
  }
  // access(W_OK) is not enough: root passes it on a read-only file system. Create and remove a file.
  const probe = join(dir, `.livemig-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (e) {
    throw new SweepError(`${flag} ${dir} is not writable (${reason(e)}); choose a folder you can write to`);
  }
  unlinkSync(probe);
}

interface Prepare {
  outDir: string;
  experiment: Experiment;
  shard: Shard;
  /** Runs in the shard. */
  runs: number;
  resume: boolean;
  file: string | null;
  source: unknown;
}

/** Checks the directory against the request, writes the manifest of a new sweep, and finds the runs done. */
export function prepareDirectory(p: Prepare): { present: Set<number>; droppedBytes: number } {
  const resultsFile = join(p.outDir, RESULTS_FILE);
  const mfile = manifestPath(p.outDir);
  const hasManifest = existsSync(mfile);
  const hasResults = existsSync(resultsFile) && statSync(resultsFile).size > 0;
  if (!p.resume) {
    if (hasManifest || existsSync(resultsFile)) {
      throw new SweepError(
        `${p.outDir} already holds a sweep (${hasManifest ? 'manifest.json' : 'results.ndjson'}); add --resume to continue it, ` +
          'or choose another --out directory',
      );
    }
  } else if (hasManifest) {
    const m = readManifest(p.outDir);
    if (m.fingerprint !== p.experiment.fingerprint) {
      throw new SweepError(
        `cannot resume: ${p.outDir} holds a sweep of ${describeManifest(m)}, but ${p.file ?? 'the experiment'} ("${p.experiment.name}") ` +
          `has fingerprint ${p.experiment.fingerprint.slice(0, 12)}…: the experiment changed since that sweep started. ` +
          'Resume with the same experiment file, or start afresh in another --out directory',
      );
    }
    if (!sameShard(m.shard, p.shard)) {
      throw new SweepError(
        `cannot resume: ${p.outDir} holds shard ${formatShard(m.shard)} of the sweep, not shard ${formatShard(p.shard)}; ` +
          `resume ${m.shard.count === 1 ? 'without --shard' : `with --shard ${formatShard(m.shard)}`}, or use another --out directory for shard ${formatShard(p.shard)}`,
      );
    }
  } else if (hasResults) {
    throw new SweepError(`cannot resume: ${p.outDir} has ${RESULTS_FILE} but no manifest.json, so its runs cannot be checked against the experiment`);
  }
  if (!hasManifest) {
    const manifest: SweepManifest = {
      format: 'livemig-sweep/1',
      experiment: p.experiment.name,
      description: p.experiment.description,
      fingerprint: p.experiment.fingerprint,
      totalRuns: p.experiment.runs.length,
      shard: p.shard,
      shardRuns: p.runs,
      experimentFile: p.file === null ? null : resolve(p.file),
      experimentSource: p.source,
      createdAt: new Date().toISOString(),
    };
    try {
      writeManifest(p.outDir, manifest);
    } catch (e) {
      throw new SweepError(`cannot write ${mfile} (${reason(e)}); nothing was run`);
    }
  }
  const total = p.experiment.runs.length;
  const scan = scanResults(resultsFile, p.experiment.fingerprint, (i) => i < total && inShard(i, p.shard));
  if (!existsSync(resultsFile)) writeFileSync(resultsFile, '');
  return { present: scan.indexes, droppedBytes: scan.droppedBytes };
}

/**
 * Appends whole lines to results.ndjson. A write that fails (ENOSPC, EIO, …) becomes a SweepError saying what
 * was kept and how to resume: lines written before it are complete, a torn part of the failing line is dropped
 * by the resume.
 */
export class ResultsAppender {
  private readonly fd: number;
  /** Lines appended by this appender. */
  appended = 0;

  constructor(
    readonly file: string,
    /** Runs already in the file when the sweep started, for the message. */
    private readonly before: number,
  ) {
    this.fd = openSync(file, 'a');
  }

  /** Appends one complete line: one write call (a regular file takes it whole; the loop is for safety). */
  append(line: string): void {
    const buf = Buffer.from(line, 'utf8');
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      const kept = this.before + this.appended;
      throw new SweepError(
        `cannot write ${this.file} (${reason(e)}): the sweep stopped; the ${kept} runs recorded before it are kept. ` +
          'Make room (or fix the disk), then run the same command with --resume to run the rest',
      );
    }
    this.appended++;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // A close error after a failed write adds nothing the user can act on.
    }
  }
}
