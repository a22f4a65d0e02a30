/**
 * One shape for every way a sweep's results leave livemig (like hyperfine's exporters): an id, what it writes,
 * whether its target is a file or a directory, and `write`. Every target is checked before any work starts, so a
 * bad path fails at once rather than after the expensive part.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LivemigError } from '../errors/livemig-error.js';
import type { RunRecord } from '../model/run-record.js';

export interface Exporter<O = Record<string, never>> {
  /** Its name, e.g. 'csv'; the CLI flag and the registry key. */
  readonly id: string;
  /** One line for --help: what it writes. */
  readonly writes: string;
  /** A file ('-' is standard output where the exporter allows it) or a directory. */
  readonly target: 'file' | 'directory';
  /** Creates the folders a target needs (directory targets always do). */
  readonly createsFolders?: boolean;
  /** Writes `records` to `target`; returns the files written (empty when written to standard output). */
  write(records: readonly RunRecord[], target: string, options?: O): Promise<string[]>;
}

/**
 * Refuses a target that cannot be written, naming it: a file target that is a directory, or whose folder is
 * missing, not a folder or not writable; a directory target that is a file, or sits where it cannot be created.
 * (Failures while writing, a full disk say, are still reported by the caller.)
 */
export function checkTarget(exporter: Pick<Exporter, 'id' | 'target' | 'createsFolders'>, target: string): void {
  const fail = (why: string): never => {
    throw new LivemigError(`${target}: cannot write the ${exporter.id} output: ${why}`);
  };
  if (typeof target !== 'string' || target === '') fail('an empty path');
  if (exporter.target === 'file' && target === '-') return;
  const path = resolve(target);
  if (existsSync(path)) {
    const st = statSync(path);
    if (exporter.target === 'file' && st.isDirectory()) fail('it is a directory; give a file name');
    if (exporter.target === 'directory' && !st.isDirectory()) fail('it is a file; give a directory');
    writable(path, fail);
    return;
  }
  // Unless the exporter creates folders, a file goes into a folder that exists (a mistyped folder is an error, not
  // a new tree); otherwise the nearest existing ancestor must be a writable folder.
  let dir = dirname(path);
  if (exporter.target === 'file' && exporter.createsFolders !== true && !existsSync(dir)) fail(`its folder ${dir} does not exist`);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) fail(`${dir} is a file, not a directory`);
  writable(dir, fail);
}

function writable(path: string, fail: (why: string) => never): void {
  try {
    accessSync(path, constants.W_OK);
  } catch {
    fail(`${path} is not writable`);
  }
}
