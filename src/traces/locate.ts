import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { packageRoot } from '../util/package-root.js';

/**
 * Where a trace named in a workload spec is: an absolute path as is; a relative one from the working
 * directory, else from livemig's own directory, so the shipped traces ("traces/redis-set.lmtrace") work from
 * anywhere and specs (and the reports that echo them) stay the same on every machine.
 */
export function locateTrace(file: string): string {
  if (isAbsolute(file) || existsSync(file)) return file;
  const root = packageRoot();
  const shipped = root === null ? null : join(root, file);
  return shipped !== null && existsSync(shipped) ? shipped : file;
}
