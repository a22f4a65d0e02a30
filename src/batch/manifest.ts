import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatShard, type Shard } from './shard.js';
import { MANIFEST_FILE } from './results.js';
import { SweepError } from '../errors/sweep-error.js';

/** DIR/manifest.json: what a sweep directory holds, written when the sweep starts. */
export interface SweepManifest {
  format: 'livemig-sweep/1';
  /** The experiment's name and fingerprint (SHA-256 of its canonical form): a resume must match them. */
  experiment: string;
  description: string;
  fingerprint: string;
  /** Runs of the whole experiment. */
  totalRuns: number;
  /** The slice of the sweep this directory holds (1/1: all of it). */
  shard: Shard;
  /** Runs in this shard. */
  shardRuns: number;
  /** The experiment file as given, and a copy of its content (null when a library caller gave none). */
  experimentFile: string | null;
  experimentSource: unknown;
  /** When the sweep started (ISO 8601); informative only. */
  createdAt: string;
}

export function manifestPath(dir: string): string {
  return join(dir, MANIFEST_FILE);
}

/** Writes the manifest atomically (a temporary file renamed over it). */
export function writeManifest(dir: string, manifest: SweepManifest): void {
  const file = manifestPath(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Reads and checks DIR/manifest.json. */
export function readManifest(dir: string): SweepManifest {
  const file = manifestPath(dir);
  let m: Partial<SweepManifest>;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Partial<SweepManifest>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SweepError(`${file}: cannot read the sweep manifest (${code ?? (e as Error).message})`);
  }
  const shardOk = typeof m.shard === 'object' && m.shard !== null && Number.isInteger(m.shard.index) && Number.isInteger(m.shard.count);
  if (m.format !== 'livemig-sweep/1' || typeof m.fingerprint !== 'string' || typeof m.experiment !== 'string' || !shardOk) {
    throw new SweepError(`${file}: not a livemig sweep manifest (format "livemig-sweep/1")`);
  }
  return m as SweepManifest;
}

export function describeManifest(m: SweepManifest): string {
  return `experiment "${m.experiment}" (fingerprint ${m.fingerprint.slice(0, 12)}…), shard ${formatShard(m.shard)}`;
}
