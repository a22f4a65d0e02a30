/**
 * The CLI a researcher meets, through the real executable (bin/livemig.js on dist/): units that cannot be misread,
 * headers that name the bottleneck, presets and controllers from the tables, "did you mean", exports like
 * hyperfine's, a replayable compare --json, sweeps from stdin with a summary table, tables that fit the terminal,
 * completion scripts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRESETS } from '../../src/scenarios/presets.js';
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/api/compare.js';
import { CONTROLLER_TABLE } from '../../src/model/controllers.js';
import { chartLibraryError, CHART_LIBS_MISSING } from '../../src/report/chart-libs.js';
import { LivemigError } from '../../src/errors/livemig-error.js';
import { helpEntries } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'livemig.js');

function livemig(args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT, encoding: 'utf8', input: opts.input, env: { ...process.env, LIVEMIG_DEBUG: '', COLUMNS: '', ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'livemig-i16-'));
const SMALL = ['--memory', '64MiB', '--max-time', '20s'];

describe('units that cannot be misread', () => {
  it('run --max-time 60 exits 2 with the fix in the message', () => {
    const r = livemig(['run', '--max-time', '60']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('livemig: --max-time 60: add a unit, e.g. 60s or 60ms\n');
  });

  it.each([
    [['--memory', '4096'], '--memory 4096: add a unit, e.g. 4096MiB or 4096GiB'],
    [['--bandwidth', '10'], '--bandwidth 10: add a unit, e.g. 10Gbit/s or 10MiB/s'],
  ])('run %j is refused the same way', (args, message) => {
    const r = livemig(['run', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`livemig: ${message}\n`);
  });

  it('compare --bandwidth 10Gbit/s names the 128 MiB/s max-bandwidth cap as the bottleneck, and a title of the scenario run', () => {
    const r = livemig(['compare', '--bandwidth', '10Gbit/s']);
    expect(r.code).toBe(0);
    const [title, , link] = r.stdout.split('\n');
    expect(title).toContain('over a 10Gbit/s link');
    expect(title).toContain('(preset headline with --bandwidth 10Gbit/s)');
    expect(title).not.toContain('1 Gbit/s');
    expect(link).toBe(
      "link 10Gbit/s = 1250.0 MB/s, QEMU max-bandwidth 128MiB/s = 134.2 MB/s: qemu's pre-copy is capped at max-bandwidth, so the cap, not the link, is its bottleneck (raise it with --max-bandwidth)",
    );
  });

  it('run prints the link and the cap in one unit family, and says when the link is the bottleneck', () => {
    const r = livemig(['run', ...SMALL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('link 1Gbit/s = 125.0 MB/s, QEMU max-bandwidth 128MiB/s = 134.2 MB/s: the link is the bottleneck');
    expect(r.stdout).not.toMatch(/GB\/s/);
    const xen = livemig(['run', ...SMALL, '--algorithm', 'xen']);
    expect(xen.stdout).toContain('QEMU max-bandwidth 128MiB/s = 134.2 MB/s (qemu only; not used here)');
  });
});

describe('presets and controllers', () => {
  it('compare --help shows the headline preset values; --preset converging --help the converging ones', () => {
    const headline = helpEntries(livemig(['compare', '--help']).stdout);
    expect(headline.get('--memory')).toContain('(default: 2GiB, from preset headline)');
    expect(headline.get('--write-rate')).toContain('(default: 60000pages/s, from preset headline)');
    expect(headline.get('--max-time')).toContain('(default: 300s, from preset headline)');
    const converging = helpEntries(livemig(['compare', '--preset', 'converging', '--help']).stdout);
    expect(converging.get('--write-rate')).toContain('(default: 5000pages/s, from preset converging)');
    expect(converging.get('--max-time')).toContain('(default: 600s)');
  });

  it('run --preset NAME --help shows that preset, and run --preset runs it with the flags on top', () => {
    const help = helpEntries(livemig(['run', '--preset', 'converging', '--help']).stdout);
    expect(help.get('--hot-fraction')).toContain('(default: 0.05, from preset converging)');
    const plain = helpEntries(livemig(['run', '--help']).stdout);
    expect(plain.get('--memory')).toContain('(default: 4GiB)');
    const r = livemig(['run', '--preset', 'converging', '--algorithm', 'xen', '--memory', '256MiB', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { scenario: { memoryBytes: number; algorithm: string; workloads: { writesPerSec: number; hotFraction: number }[] } };
    expect(report.scenario.memoryBytes).toBe(256 * 1024 ** 2);
    expect(report.scenario.algorithm).toBe('xen');
    expect(report.scenario.workloads[0]).toMatchObject({ writesPerSec: 5000, hotFraction: 0.05 });
    // a workload field flag changes that field of the preset's workload, keeping the rest
    const faster = JSON.parse(livemig(['run', '--preset', 'converging', '--memory', '64MiB', '--write-rate', '8000pages/s', '--json']).stdout) as typeof report;
    expect(faster.scenario.workloads[0]).toMatchObject({ writesPerSec: 8000, hotFraction: 0.05 });
  });

  it('livemig presets lists every preset with its flags and policies', () => {
    const r = livemig(['presets']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^headline\n/);
    expect(r.stdout).toContain('flags:    --memory 2GiB --populated 0.5 --workload hot-cold --write-rate 60000pages/s');
    expect(r.stdout).toContain('\nconverging\n');
    const json = JSON.parse(livemig(['presets', '--json']).stdout) as { name: string; policies: string[] }[];
    expect(json.map((p) => p.name)).toEqual(Object.keys(PRESETS));
  });

  it('livemig controllers lists every controller, parameter, default and source from the table', () => {
    const r = livemig(['controllers', '--wide']);
    expect(r.code).toBe(0);
    for (const [name, c] of Object.entries(CONTROLLER_TABLE)) {
      expect(r.stdout).toContain(`${name}: ${c.doc}`);
      for (const [param, f] of Object.entries(c.params)) {
        expect(r.stdout).toMatch(new RegExp(`^${param} +\\S`, 'm'));
        if ('source' in f && typeof f.source === 'string') expect(r.stdout).toContain(f.source);
      }
    }
    expect(r.stdout).toMatch(/^targetRound +5 +an integer >= 2 and <= 1000/m);
    expect(r.stdout).toMatch(/^tailslow +false/m);
  });
});

describe('did you mean', () => {
  it.each([
    [['compar'], 'Did you mean compare?'],
    [['run', '--bandwith', '1Gbit/s'], 'Did you mean --bandwidth?'],
    [['compare', '--policies', 'qemu,qemu+auto-convrge', ...SMALL], 'did you mean auto-converge?'],
    [['compare', '--policies', 'xne', ...SMALL], 'did you mean xen?'],
    [['run', '--algorithm', 'qmeu', ...SMALL], 'did you mean qemu?'],
    [['compare', '--preset', 'headlin'], 'did you mean headline?'],
  ])('%j', (args, hint) => {
    const r = livemig(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(hint);
  });

  it('a misspelt parameter key names the key, not the value', () => {
    const r = livemig(['run', ...SMALL, '--controller', 'cpu-scheduling:targetround=3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'livemig: invalid --controller parameter: "targetround"; expected a parameter of cpu-scheduling (did you mean targetRound?): targetRound, minShare, target\n',
    );
    expect(r.stderr).not.toMatch(/: 3;/);
  });
});

describe('exports and replay', () => {
  it('run and compare write --export-markdown, --export-csv and --export-json like hyperfine', () => {
    const dir = tmp();
    const md = join(dir, 'r.md');
    const csv = join(dir, 'r.csv');
    const json = join(dir, 'r.json');
    const r = livemig(['compare', ...SMALL, '--policies', 'xen,qemu+auto-converge', '--export-markdown', md, '--export-csv', csv, '--export-json', json]);
    expect(r.code).toBe(0);
    const table = readFileSync(md, 'utf8').split('\n');
    expect(table[0]).toBe('| Policy | Status | Total time [s] | Downtime [ms] | Sent [GiB] | Rounds | Guest CPU lost [%] | Max throttle [%] |');
    expect(table[1]).toBe('| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(table[2]).toMatch(/^\| `xen` \| completed \| \d+\.\d{3} \|/);
    expect(table[3]).toMatch(/^\| `qemu\+auto-converge` \|/);
    const rows = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('totalTimeMs');
    const runs = (JSON.parse(readFileSync(json, 'utf8')) as { format: string; runs: { policy: string; rounds: unknown[] }[] });
    expect(runs.format).toBe('livemig-runs/1');
    expect(runs.runs.map((x) => x.policy)).toEqual(['xen', 'qemu+auto-converge']);
    expect(runs.runs[0]!.rounds.length).toBeGreaterThan(0);
    const one = livemig(['run', ...SMALL, '--export-markdown', '-']);
    expect(one.stdout).toMatch(/^\| Policy \|[^\n]*\n\| :--- [^\n]*\n\| `qemu` \| completed \|/);
  });

  it('refuses an export target that cannot be written before running anything', () => {
    const r = livemig(['compare', '--export-csv', '/nonexistent-dir/x.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent-dir/x.csv: cannot write the csv output');
  });

  it('compare --json carries the scenario, the policies and every report, and replays to the same reports', () => {
    const r = livemig(['compare', ...SMALL, '--json', '--policies', 'xen;qemu+cpu-scheduling:targetRound=3']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { format: string; preset: string; scenario: Record<string, unknown>; policies: { label: string }[]; runs: { policy: string; report: unknown }[] };
    expect(out.format).toBe('livemig-compare/1');
    expect(out.scenario).toMatchObject({ memoryBytes: 64 * 1024 ** 2, maxTimeMs: 20_000 });
    expect(out.policies.map((p) => p.label)).toEqual(['xen', 'qemu+cpu-scheduling:targetRound=3']);
    const again = compare(out.scenario, out.policies as never);
    expect(JSON.parse(JSON.stringify(again.map((x) => x.report)))).toEqual(out.runs.map((x) => x.report));
  });
});

describe('sweeps, tables, completion', () => {
  const experiment = {
    name: 'stdin-sweep',
    base: { memoryBytes: '32MiB', maxTimeMs: '20s', workload: { kind: 'hot-cold', writesPerSec: 8000 } },
    axes: { bandwidthBytesPerSec: ['100Mbit/s', '1Gbit/s'] },
    seeds: [1, 2],
    policies: ['qemu', 'xen+cpu-scheduling'],
  };

  it('sweep - reads the experiment from stdin and ends with a summary table per point and policy', () => {
    const out = join(tmp(), 'o');
    const r = livemig(['sweep', '-', '--out', out, '--workers', '1', '--no-progress'], { input: JSON.stringify(experiment) });
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'results.ndjson']);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Results by point and policy, over 2 seeds (completed runs only):');
    expect(lines[1]).toMatch(/^ *bandwidth +policy +completed +downtime median \(min–max\) +total time median/);
    const body = lines.slice(3).filter((l) => l.trim() !== '');
    expect(body.map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([
      '100Mbit/s qemu 2/2', '100Mbit/s xen+cpu-scheduling 2/2', '1Gbit/s qemu 2/2', '1Gbit/s xen+cpu-scheduling 2/2',
    ]);
  });

  it('sweep - refuses stdin that is not an experiment', () => {
    const r = livemig(['sweep', '-', '--out', join(tmp(), 'o')], { input: '{"name": ' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^livemig: <stdin>: not a valid JSON experiment/);
  });

  it('tables fit the terminal width, naming what was left out; --wide shows every column', () => {
    const narrow = livemig(['compare', ...SMALL, '--policies', 'xen,qemu+auto-converge'], { env: { COLUMNS: '80' } });
    const table = narrow.stdout.split('\n\n')[1]!.trimEnd().split('\n');
    for (const line of table.slice(0, -1)) expect(line.length).toBeLessThanOrEqual(80);
    expect(table.at(-1)).toMatch(/^\(\d columns left out to fit 80 characters: wall, .*; --wide shows all\)$/);
    const wide = livemig(['compare', ...SMALL, '--policies', 'xen,qemu+auto-converge', '--wide'], { env: { COLUMNS: '80' } });
    expect(wide.stdout).toMatch(/ wall\n/);
    expect(wide.stdout).not.toContain('left out');
    const rounds = livemig(['run', ...SMALL], { env: { COLUMNS: '72' } });
    const roundTable = rounds.stdout.split('\n\n')[1]!.split('\n');
    for (const line of roundTable.slice(0, -1)) expect(line.length).toBeLessThanOrEqual(72);
  });

  it.each(['bash', 'zsh', 'fish'])('completion %s lists the commands and their flags', (shell) => {
    const r = livemig(['completion', shell]);
    expect(r.code).toBe(0);
    for (const word of ['compare', 'sweep', 'presets', 'controllers', 'bandwidth', 'export-markdown']) expect(r.stdout).toContain(word);
    expect(r.stdout).toContain(Object.keys(PRESETS).join(' '));
    // Syntax-checked by the shell itself where it is installed (bash always is).
    const file = join(tmp(), `livemig.${shell}`);
    writeFileSync(file, r.stdout);
    const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
    if (shell === 'bash' || !check.error) expect(check.status, check.stderr).toBe(0);
    if (shell === 'bash') {
      const complete = (words: string) => spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${words}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _livemig; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' }).stdout.trim();
      expect(complete('livemig comp')).toBe('compare completion');
      expect(complete('livemig compare --pre')).toBe('--preset');
      expect(complete("livemig compare --preset ''")).toBe(Object.keys(PRESETS).join(' '));
    }
  });

  it('completion refuses an unknown shell with a suggestion', () => {
    const r = livemig(['completion', 'bsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean bash?');
  });
});

describe('install what you use', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;

  it('vega and vega-lite are optional peers, not runtime dependencies of the library', () => {
    expect(Object.keys(pkg['dependencies']!)).not.toContain('vega');
    expect(Object.keys(pkg['dependencies']!)).not.toContain('vega-lite');
    expect(pkg['peerDependenciesMeta']).toEqual({ vega: { optional: true }, 'vega-lite': { optional: true } });
  });

  it('a missing chart library becomes a message saying how to install it', () => {
    const missing = Object.assign(new Error("Cannot find package 'vega-lite' imported from x"), { code: 'ERR_MODULE_NOT_FOUND' });
    const mapped = chartLibraryError(missing);
    expect(mapped).toBeInstanceOf(LivemigError);
    expect((mapped as Error).message).toBe(CHART_LIBS_MISSING);
    expect(CHART_LIBS_MISSING).toContain('npm install vega vega-lite');
    const other = new Error('boom');
    expect(chartLibraryError(other)).toBe(other);
  });

  it('has a LICENSE (MIT, as package.json says), and npm pack ships it and no source maps', () => {
    expect(pkg['license']).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('LICENSE');
    expect(files).toContain('bin/livemig.js');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of files.filter((x) => x.endsWith('.js') && x.startsWith('dist/'))) {
      expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toContain('sourceMappingURL');
    }
  });
});
