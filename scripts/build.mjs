#!/usr/bin/env node
// Incremental build, run before start, test and bench: the release Wasm only when assembly/ or asconfig.json
// changed since build/release.wasm was written, and tsc (incremental) only when a TypeScript input is newer
// than its last build. On a built tree it spawns nothing, so `npm start` starts at once; on a fresh clone it
// builds everything. `npm run build:full` forces both (and the debug Wasm target).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => join(root, ...p);

/** Newest mtime (ms) under the given files and folders; 0 when none exist. */
function newest(paths, ext) {
  let t = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules') visit(join(p, e));
    } else if (ext === undefined || p.endsWith(ext)) t = Math.max(t, s.mtimeMs);
  };
  for (const p of paths) visit(p);
  return t;
}
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

/** Runs a tool from node_modules, then stamps `output` as built now (a tool may leave an unchanged file alone). */
function run(bin, args, output) {
  const r = spawnSync(process.execPath, [at('node_modules', ...bin), ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  if (existsSync(output)) utimesSync(output, new Date(), new Date());
}

const wasm = at('build', 'release.wasm');
if (mtime(wasm) <= newest([at('assembly'), at('asconfig.json'), at('package-lock.json')])) {
  run(['assemblyscript', 'bin', 'asc.js'], ['assembly/index.ts', '--target', 'release'], wasm);
}

const info = at('dist', '.tsbuildinfo');
const tsInputs = newest([at('src'), at('bench')], '.ts');
const tsConfigs = newest([at('tsconfig.json'), at('tsconfig.build.json'), at('package-lock.json')]);
if (mtime(info) <= Math.max(tsInputs, tsConfigs) || !existsSync(at('dist', 'src', 'cli', 'main.js'))) {
  run(['typescript', 'bin', 'tsc'], ['-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], info);
}
