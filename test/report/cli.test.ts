import { guestperfPath } from '../../src/report/guestperf.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerExport } from '../../src/cli/commands/export.js';
import { registerReport } from '../../src/cli/commands/report.js';
import { buildProgram, EXIT_USAGE } from '../../src/cli/main.js';
import { runSweep } from '../../src/batch/sweep.js';
import { readResults } from '../../src/batch/results.js';
import { EXPORTERS } from '../../src/report/exporters.js';
import { LivemigError } from '../../src/errors/livemig-error.js';
import { checkExperiment } from '../../src/experiments/load.js';
import { SMALL_SWEEP, runInProcess, smallSweep, tempDir, writeSweepDir } from './fixtures.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `livemig <args>` in-process, with export and report registered (main.ts may not list them yet). */
async function livemig(...args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t) };
  const program = buildProgram(io);
  const has = (name: string): boolean => program.commands.some((c) => c.name() === name);
  if (!has('export')) registerExport(program, io);
  if (!has('report')) registerReport(program, io);
  try {
    await program.parseAsync(['node', 'livemig', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (err instanceof CommanderError) return { code: err.exitCode === 0 ? 0 : EXIT_USAGE, stdout, stderr };
    if (err instanceof LivemigError) return { code: EXIT_USAGE, stdout, stderr: `${stderr}livemig: ${err.message}\n` };
    throw err;
  }
}

describe('livemig export', () => {
  const records = smallSweep();
  const sweep = writeSweepDir(records);

  it('writes the CSV from a sweep directory or its NDJSON file', async () => {
    const out = tempDir();
    const a = await livemig('export', sweep, '--csv', join(out, 'a.csv'));
    expect(a.code).toBe(0);
    expect(a.stderr).toContain(`wrote ${records.length} runs`);
    const b = await livemig('export', join(sweep, 'results.ndjson'), '--csv', join(out, 'b.csv'));
    expect(b.code).toBe(0);
    const text = readFileSync(join(out, 'a.csv'), 'utf8');
    expect(text).toBe(readFileSync(join(out, 'b.csv'), 'utf8'));
    expect(text.split('\r\n')[0]).toMatch(/^id,index,experiment,policy,algorithm,controller,seed,param_bandwidthBytesPerSec,status,/);
  });

  it('writes the CSV to stdout with --csv -', async () => {
    const { code, stdout } = await livemig('export', sweep, '--csv', '-');
    expect(code).toBe(0);
    expect(stdout.split('\r\n').length).toBe(records.length + 2);
  });

  it('writes guestperf reports and the CSV together', async () => {
    const out = tempDir();
    const { code, stderr } = await livemig('export', sweep, '--guestperf', join(out, 'gp'), '--csv', join(out, 'runs.csv'));
    expect(code).toBe(0);
    expect(stderr).toContain(`wrote ${records.length} guestperf reports`);
    expect(existsSync(join(out, 'runs.csv'))).toBe(true);
    for (const r of records) expect(existsSync(join(out, 'gp', guestperfPath(r)))).toBe(true);
  });

  it('refuses to run with nothing to write', async () => {
    const { code, stderr } = await livemig('export', sweep);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain('nothing to write: give --csv FILE, --guestperf DIR, or both');
  });

  it('reads the shards of one sweep together, in index order', async () => {
    const dir = tempDir();
    const [a, b] = [join(dir, 'a.ndjson'), join(dir, 'b.ndjson')];
    writeFileSync(a, records.filter((r) => r.index % 2 === 1).map((r) => `${JSON.stringify(r)}\n`).join(''));
    writeFileSync(b, records.filter((r) => r.index % 2 === 0).map((r) => `${JSON.stringify(r)}\n`).join(''));
    const split = await livemig('export', a, b, '--csv', '-');
    const whole = await livemig('export', sweep, '--csv', '-');
    expect(split.code).toBe(0);
    expect(split.stdout).toBe(whole.stdout);
  });

  it('names a missing or malformed results path', async () => {
    const missing = await livemig('export', '/nonexistent/sweep', '--csv', '-');
    expect(missing.code).toBe(EXIT_USAGE);
    expect(missing.stderr).toContain('/nonexistent/sweep: no such results file');
    const bad = join(tempDir(), 'bad.ndjson');
    writeFileSync(bad, `${JSON.stringify(records[0])}\n{"format": "something-else"}\n`);
    const wrong = await livemig('export', bad, '--csv', '-');
    expect(wrong.code).toBe(EXIT_USAGE);
    expect(wrong.stderr).toContain(`${bad}:2: not a livemig run record`);
    const empty = join(tempDir(), 'empty.ndjson');
    writeFileSync(empty, '');
    expect((await livemig('export', empty, '--csv', '-')).stderr).toContain(`${empty}: no runs in the results`);
  });

  it('refuses results that mix experiments', async () => {
    const other = runInProcess({ name: 'other', base: { memoryBytes: 8 * 1024 ** 2 } });
    const mixed = join(tempDir(), 'mixed.ndjson');
    writeFileSync(mixed, [...records.slice(0, 2), ...other].map((r) => `${JSON.stringify(r)}\n`).join(''));
    const { code, stderr } = await livemig('export', mixed, '--csv', '-');
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain('results of different experiments cannot be mixed');
  });

  it('names an output it cannot write', async () => {
    const { code, stderr } = await livemig('export', sweep, '--csv', '/nonexistent/dir/out.csv');
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain('/nonexistent/dir/out.csv: cannot write the csv output: its folder /nonexistent/dir does not exist');
    const dir = await livemig('export', sweep, '--csv', tmpdir());
    expect(dir.code).toBe(EXIT_USAGE);
    expect(dir.stderr).toMatch(/cannot write the csv output: it is a directory/);
    const gp = await livemig('export', sweep, '--guestperf', join(sweep, 'results.ndjson', 'x'));
    expect(gp.code).toBe(EXIT_USAGE);
    expect(gp.stderr).toMatch(/cannot write the guestperf output: .*results\.ndjson is a file, not a directory/);
  });
});

describe('livemig report', () => {
  const records = smallSweep();
  const sweep = writeSweepDir(records);

  it('writes the page and its SVG charts, with the description from the sweep manifest', async () => {
    const out = tempDir();
    const { code, stdout, stderr } = await livemig('report', sweep, '-o', join(out, 'sweep.html'));
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('and 8 SVG charts');
    const html = readFileSync(join(out, 'sweep.html'), 'utf8');
    expect(html).toContain('Fixture sweep for the report tests');
    expect(existsSync(join(out, 'sweep-charts', 'downtime-vs-bandwidth.svg'))).toBe(true);
  });

  it('takes --point and --experiment', async () => {
    const out = tempDir();
    const expFile = join(tempDir(), 'exp.json');
    writeFileSync(expFile, JSON.stringify({ ...SMALL_SWEEP, description: 'Another description, same sweep' }));
    const { code } = await livemig('report', join(sweep, 'results.ndjson'), '-o', join(out, 'r.html'), '--point', 'p4', '--experiment', expFile);
    expect(code).toBe(0);
    const html = readFileSync(join(out, 'r.html'), 'utf8');
    expect(html).toContain('Another description, same sweep');
    expect(html).toContain('At one point: bandwidth 400Mbit/s, seed 2');
  });

  it('refuses an experiment file the results did not come from, and an unknown point', async () => {
    const out = tempDir();
    const expFile = join(tempDir(), 'exp.json');
    writeFileSync(expFile, JSON.stringify({ ...SMALL_SWEEP, seeds: [7] }));
    const wrong = await livemig('report', sweep, '-o', join(out, 'r.html'), '--experiment', expFile);
    expect(wrong.code).toBe(EXIT_USAGE);
    expect(wrong.stderr).toMatch(/exp\.json: this experiment \(fingerprint \w+\) is not the one the results came from/);
    const point = await livemig('report', sweep, '-o', join(out, 'r.html'), '--point', 'p99');
    expect(point.code).toBe(EXIT_USAGE);
    expect(point.stderr).toContain('no run "p99" in the results (runs are p0, p1, p2, p3, p4, ...)');
  });

  it('keeps rounds and timelines of the chosen point only, and writes the same page as from every record in full (issue 9)', async () => {
    // The command reads the results twice (the point, then that point's details) so a results file of
    // gigabytes needs the memory of its summaries only; the page must not change for it.
    const out = tempDir();
    const full = readResults(sweep);
    const light = readResults(sweep, { detail: (r) => r.seed === 2 });
    expect(light.map((r) => r.summary)).toEqual(full.map((r) => r.summary));
    for (const [i, r] of light.entries()) {
      expect(r.rounds.length > 0).toBe(r.seed === 2);
      expect(r.timeline).toEqual(r.seed === 2 ? full[i]!.timeline : []);
    }
    for (const point of [undefined, 'p4']) {
      const args = point === undefined ? [] : ['--point', point];
      const { code } = await livemig('report', sweep, '-o', join(out, 'cli.html'), ...args);
      expect(code).toBe(0);
      await EXPORTERS.html.write(full, join(out, 'full.html'), point === undefined ? {} : { point });
      const strip = (html: string) => html.replace(/\b(cli|full)-charts\b/g, 'charts');
      expect(strip(readFileSync(join(out, 'cli.html'), 'utf8')).replace(/<p class="description">[^<]*<\/p>\n/, ''))
        .toBe(strip(readFileSync(join(out, 'full.html'), 'utf8')).replace(/<p class="description">[^<]*<\/p>\n/, ''));
    }
  });

  it('reports a sweep written by the sweep runner', async () => {
    const out = tempDir();
    const summary = await runSweep({ experiment: checkExperiment(SMALL_SWEEP, 'fixture'), source: SMALL_SWEEP, outDir: join(out, 'sweep'), workers: 2 });
    expect(summary.done).toBe(records.length);
    const { code } = await livemig('report', join(out, 'sweep'), '-o', join(out, 'report.html'));
    expect(code).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Fixture sweep for the report tests');
    // The runner's records are the in-process ones, so the page is the same whatever wrote them.
    const fromFixture = await livemig('report', sweep, '-o', join(out, 'fixture', 'report.html'));
    expect(fromFixture.code).toBe(0);
    expect(html).toBe(readFileSync(join(out, 'fixture', 'report.html'), 'utf8'));
  });

  it('requires -o', async () => {
    const { code, stderr } = await livemig('report', sweep);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain("required option '-o, --output <file>' not specified");
  });
});
