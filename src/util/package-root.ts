/**
 * livemig's package root: the nearest directory above this module whose package.json is named "livemig".
 * The same walk works from src/ (vitest, tsx), dist/src/ (the built package) and bench/, which is why every
 * caller asks here instead of counting `..`. Low in the tree on purpose: batch, cli and bench all use it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  root: string;
  name: string;
  version: string;
}

let cached: PackageInfo | null | undefined;

/** The root and the package.json fields livemig reads, or null if no livemig package.json is above this file. */
export function findPackage(): PackageInfo | null {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = readPackageJson(join(dir, 'package.json'));
    if (pkg?.name === 'livemig') {
      cached = { root: dir, name: pkg.name, version: typeof pkg.version === 'string' ? pkg.version : 'unknown' };
      return cached;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      cached = null;
      return cached;
    }
    dir = parent;
  }
}

/** The package root directory, or null (a copy of the sources outside any livemig package). */
export function packageRoot(): string | null {
  return findPackage()?.root ?? null;
}

function readPackageJson(file: string): { name?: unknown; version?: unknown } | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return null; // missing or not JSON: not the root, keep walking up
  }
}
