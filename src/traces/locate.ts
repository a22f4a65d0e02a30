import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

let root: string | null | undefined;

/** The directory of livemig's package.json, found by walking up from this file (src/ or dist/src/). */
function packageRoot(): string | null {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'livemig') return (root = dir);
    } catch {
      // no package.json here
    }
    const up = dirname(dir);
    if (up === dir) return (root = null);
    dir = up;
  }
}
