/**
 * livemig/browser bundles for the browser: esbuild (platform=browser) must resolve every import without Node's
 * built-ins, and the bundle must hold nothing of the CLI, the sweeps, file I/O or the chart runtime. Prints the
 * bundle's size, minified and gzipped.
 */
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Fails the build on any import of a Node built-in, naming the importer. */
const noNode: Plugin = {
  name: 'no-node',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      NODE_BUILTINS.has(args.path) || args.path.startsWith('node:')
        ? { errors: [{ text: `Node import "${args.path}" from ${args.importer}` }] }
        : undefined,
    );
  },
};

async function bundle(entry: string) {
  const result = await build({
    entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true,
    logLevel: 'silent', plugins: [noNode],
  });
  const code = result.outputFiles[0]!.contents;
  return { code, inputs: Object.keys(result.metafile.inputs), gzip: gzipSync(code, { level: 9 }).length };
}

describe('livemig/browser bundle', () => {
  it('bundles src/browser.ts for platform=browser with no Node import, and says how big it is', async () => {
    const { code, inputs, gzip } = await bundle('src/browser.ts');
    for (const dir of ['src/cli/', 'src/batch/', 'src/experiments/load', 'src/report/html', 'src/report/charts.ts', 'node_modules/']) {
      expect(inputs.filter((i) => i.startsWith(dir)), dir).toEqual([]);
    }
    expect(inputs).toContain('src/core/wasm-loader.ts');
    console.log(`livemig/browser bundle: ${code.length} B minified, ${gzip} B gzipped (${inputs.length} modules)`);
    expect(gzip).toBeLessThan(100 * 1024);
  });

  it('bundles the Web Worker entry the same way', async () => {
    const { code, gzip } = await bundle('src/api/async-worker-web.ts');
    console.log(`livemig/browser worker bundle: ${code.length} B minified, ${gzip} B gzipped`);
    expect(code.length).toBeGreaterThan(0);
  });

  it('refuses a Node import (the check itself works)', async () => {
    await expect(bundle('src/index.ts')).rejects.toThrow(/Node import "node:/);
  });
});
