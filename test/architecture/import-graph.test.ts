/**
 * The layers of src/, checked on the real import graph (every static import and export-from, type-only ones
 * included, read with TypeScript's own pre-processor): no import circle, and no import from a lower layer to a
 * higher one. A new folder must be given its layer here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Layer of each top-level part of src/, bottom first. A module may import its own layer or any below it. */
export const LAYERS: Record<string, number> = {
  errors: 0,
  'units.ts': 1, util: 1,
  model: 2,
  core: 3, traces: 3,
  workloads: 4,
  engine: 5,
  policies: 6,
  api: 7,
  scenarios: 8, experiments: 8,
  report: 9, validate: 9,
  batch: 10, queue: 10, record: 10,
  cli: 11,
  'index.ts': 12, 'browser.ts': 12,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** module (relative to src/) -> the src modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = info.importedFiles
      .map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => relative(SRC, resolve(dirname(file), name.replace(/\.js$/, '.ts'))));
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

function layerOf(module: string): number | undefined {
  return LAYERS[module.split('/')[0]!];
}

/** Every strongly connected component of more than one module (or a module importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('is read from every module', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('api/migrate.ts')).toContain('engine/context.ts');
  });

  it('gives every module a layer', () => {
    const unplaced = [...graph.keys()].filter((m) => layerOf(m) === undefined);
    expect(unplaced, 'add these folders to LAYERS in test/architecture/import-graph.test.ts').toEqual([]);
  });

  it('has no import circle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import from a lower layer to a higher one', () => {
    const upward: string[] = [];
    for (const [from, deps] of graph) {
      for (const to of deps) {
        const a = layerOf(from);
        const b = layerOf(to);
        if (a !== undefined && b !== undefined && b > a) upward.push(`${from} -> ${to}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps the model at the bottom: it imports only errors/, units and itself', () => {
    const model = [...graph].filter(([m]) => m.startsWith('model/')).flatMap(([m, deps]) => deps.map((d) => [m, d] as const));
    expect(model.filter(([, d]) => !/^(errors\/|units\.ts$|model\/)/.test(d)).map(([m, d]) => `${m} -> ${d}`)).toEqual([]);
  });

  it('the checker itself catches a circle and an upward import', () => {
    const fake = new Map([['a/x.ts', ['b/y.ts']], ['b/y.ts', ['a/x.ts']], ['c/z.ts', []]]);
    expect(cycles(fake)).toEqual([['a/x.ts', 'b/y.ts']]);
  });
});
