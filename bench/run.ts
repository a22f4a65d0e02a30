import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bytes, ms, table } from './format.js';
import { GROUPS } from './groups.js';
import { machineInfo } from './machine.js';
import type { BenchGroup, Column, GroupResult, TargetCheck } from './types.js';
import { packageRoot } from '../src/util/package-root.js';

/**
 * `npm run bench` (node --expose-gc dist/bench/run.js): runs the benchmark groups of bench/groups.ts, prints
 * a table per group and writes the whole run as JSON to bench/results/latest.json.
 *
 *   node --expose-gc dist/bench/run.js [group ...] [--out <file>] [--no-save] [--strict] [--list]
 *
 * group: run only these group ids (default: all). --strict: exit 1 when a target is missed.
 */

interface Args {
  groups: string[];
  out: string | null;
  save: boolean;
  strict: boolean;
  list: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { groups: [], out: null, save: true, strict: false, list: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    if (x === '--out') {
      const v = argv[++i];
      if (v === undefined) throw new Error('--out needs a file');
      a.out = v;
    } else if (x === '--no-save') a.save = false;
    else if (x === '--strict') a.strict = true;
    else if (x === '--list') a.list = true;
    else if (x.startsWith('-')) throw new Error(`unknown option ${x}`);
    else a.groups.push(x);
  }
  return a;
}

/** The project root (livemig's package root), or the working directory outside it. */
function projectRoot(): string {
  return packageRoot() ?? process.cwd();
}

function rule(title: string): string {
  return `\n== ${title} ${'='.repeat(Math.max(3, 100 - title.length - 4))}`;
}

function targetLine(t: TargetCheck): string {
  return `  [${t.met ? 'MET' : 'NOT MET'}] ${t.name}: ${t.measured} (target ${t.target})`;
}

/** Columns without their format functions, for the JSON. */
function plainColumns(columns: Column[]): { key: string; label: string }[] {
  return columns.map((c) => ({ key: c.key, label: c.label }));
}

interface GroupRecord extends GroupResult {
  id: string;
  title: string;
  durationMs: number;
}

async function runGroup(g: BenchGroup): Promise<GroupRecord> {
  globalThis.gc?.();
  const t0 = performance.now();
  const r = await g.run();
  const durationMs = performance.now() - t0;
  console.log(rule(`[${g.id}] ${g.title}`));
  for (const n of r.notes) console.log(`  ${n}`);
  console.log('');
  console.log(table(r.columns, r.rows).replace(/^/gm, '  '));
  for (const t of r.subtables ?? []) {
    console.log(`\n  ${t.title}`);
    for (const n of t.notes ?? []) console.log(`  ${n}`);
    console.log(table(t.columns, t.rows).replace(/^/gm, '  '));
  }
  if (r.targets.length > 0) {
    console.log('');
    for (const t of r.targets) console.log(targetLine(t));
  }
  console.log(`  (group took ${ms(durationMs)})`);
  return { id: g.id, title: g.title, ...r, durationMs };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const g of GROUPS) console.log(`${g.id.padEnd(12)} ${g.title}`);
    return;
  }
  const unknown = args.groups.filter((id) => !GROUPS.some((g) => g.id === id));
  if (unknown.length > 0) throw new Error(`unknown group(s): ${unknown.join(', ')} (known: ${GROUPS.map((g) => g.id).join(', ')})`);
  const selected = args.groups.length === 0 ? GROUPS : GROUPS.filter((g) => args.groups.includes(g.id));

  const date = new Date().toISOString();
  const machine = machineInfo();
  console.log(`livemig benchmarks — ${date}`);
  console.log(`  CPU:     ${machine.cpuModel} × ${machine.cores} (logical CPUs)`);
  console.log(`  memory:  ${bytes(machine.totalMemoryBytes)}`);
  console.log(`  OS:      ${machine.platform} ${machine.osRelease} ${machine.arch}`);
  console.log(`  runtime: Node ${machine.node} (V8 ${machine.v8}), tinybench ${machine.tinybench ?? '?'}${globalThis.gc ? '' : ' [no --expose-gc]'}`);
  console.log(`  commit:  ${machine.gitCommit ?? '-'}`);
  console.log(`  groups:  ${selected.map((g) => g.id).join(', ')}`);

  const t0 = performance.now();
  const groups: GroupRecord[] = [];
  for (const g of selected) groups.push(await runGroup(g));
  const durationMs = performance.now() - t0;

  const targets = groups.flatMap((g) => g.targets.map((t) => ({ group: g.id, ...t })));
  console.log(rule('Targets'));
  for (const t of targets) console.log(targetLine(t));
  const missed = targets.filter((t) => !t.met).length;
  console.log(`  ${targets.length - missed} of ${targets.length} met; whole run took ${ms(durationMs)}.`);

  if (args.save) {
    const out = resolve(args.out ?? join(projectRoot(), 'bench', 'results', 'latest.json'));
    const json = {
      format: 'livemig-bench/1',
      date,
      durationMs,
      machine,
      groups: groups.map(({ columns, subtables, ...g }) => ({
        ...g,
        columns: plainColumns(columns),
        ...(subtables ? { subtables: subtables.map((t) => ({ ...t, columns: plainColumns(t.columns) })) } : {}),
      })),
      targets,
    };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`  results: ${out}`);
  }
  if (args.strict && missed > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
