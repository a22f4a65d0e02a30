import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The native baseline (bench/native/touch.c), compiled once per run with the system `cc -O3` into
 * dist/bench/native/. When no C compiler exists, `nativeTool()` returns null and groups report
 * "skipped: no C compiler".
 */

const here = dirname(fileURLToPath(import.meta.url));
/** bench/native/touch.c from dist/bench/ or from bench/ (vitest). */
function source(): string {
  for (const p of [join(here, '..', '..', 'bench', 'native', 'touch.c'), join(here, 'native', 'touch.c')]) if (existsSync(p)) return p;
  throw new Error('bench/native/touch.c not found');
}

let tool: string | null | undefined;

export function nativeTool(): string | null {
  if (tool !== undefined) return tool;
  const src = source();
  const out = join(here, 'native', 'touch');
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(dirname(out), { recursive: true });
    const r = spawnSync('cc', ['-O3', '-o', out, src], { stdio: 'pipe' });
    if (r.error !== undefined || r.status !== 0) {
      tool = null;
      return tool;
    }
  }
  tool = out;
  return tool;
}

/** `cc --version`'s first line, for the notes. */
export function compilerVersion(): string {
  try {
    return execFileSync('cc', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  } catch {
    return 'none';
  }
}

export function nativeTouch(pattern: 'uniform' | 'hot-cold', pages: number, k: number, calls: number, seed: number, hotPages: number, hotProb32: number): { fresh: number; nsPerTouch: number } {
  const out = execFileSync(nativeTool()!, ['touch', pattern === 'uniform' ? 'uniform' : 'hotcold', String(pages), String(k), String(calls), String(seed), String(hotPages), String(hotProb32)], { encoding: 'utf8' });
  return JSON.parse(out) as { fresh: number; nsPerTouch: number };
}

/** The machine's read bandwidth over a buffer of `bytes` (best of `passes`), GB/s; null without a C compiler. */
export function readBandwidthGBps(bytes: number, passes: number): number | null {
  if (nativeTool() === null) return null;
  const out = execFileSync(nativeTool()!, ['read', String(Math.round(bytes)), String(passes)], { encoding: 'utf8' });
  return (JSON.parse(out) as { GBps: number }).GBps;
}
