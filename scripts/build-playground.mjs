#!/usr/bin/env node
// Builds the playground (playground/) into a static folder (default site/): index.html, app.js, charts.js (Vega), style.css.
// The emulator's Web Worker is bundled first and embedded in app.js as text (started from a blob: URL), and
// app.js is a classic script, so the folder works served by `livemig playground` and opened from disk alike;
// nothing is loaded from anywhere else. Needs src/core/wasm-bytes.generated.ts (`npm run build` writes it).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = resolve(outFlag > 0 ? process.argv[outFlag + 1] : join(root, 'site'));
const common = { bundle: true, platform: 'browser', format: 'iife', minify: true, write: false, target: 'es2022', legalComments: 'eof', logLevel: 'warning' };

const worker = await build({ ...common, entryPoints: [join(root, 'src', 'api', 'async-worker-web.ts')] });
const app = await build({
  ...common,
  entryPoints: [join(root, 'playground', 'app.ts')],
  define: { __LIVEMIG_WORKER__: JSON.stringify(worker.outputFiles[0].text) },
  // migrateAsync's default worker URL (import.meta.url) is unused here: the page passes its own worker.
  logOverride: { 'empty-import-meta': 'silent' },
});

const charts = await build({ ...common, entryPoints: [join(root, 'playground', 'charts.ts')] });

mkdirSync(out, { recursive: true });
const column = readFileSync(join(root, 'playground', 'column.html'), 'utf8');
const html = readFileSync(join(root, 'playground', 'index.html'), 'utf8').replace(/<!--COLUMN:(\w):(\w)-->/g, (_, id, name) =>
  column.replaceAll('$ID', id).replaceAll('$NAME', name));
writeFileSync(join(out, 'index.html'), html);
writeFileSync(join(out, 'app.js'), app.outputFiles[0].contents);
writeFileSync(join(out, 'charts.js'), charts.outputFiles[0].contents);
copyFileSync(join(root, 'playground', 'style.css'), join(out, 'style.css'));
const licenses = ['vega', 'vega-lite'].map((p) => `${p}:\n\n${readFileSync(join(root, 'node_modules', p, 'LICENSE'), 'utf8')}`).join('\n\n');
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), licenses);
const size = (r) => r.outputFiles[0].contents.length;
console.log(`playground built in ${out}: app.js ${size(app)} B (the worker in it ${size(worker)} B), charts.js ${size(charts)} B`);
