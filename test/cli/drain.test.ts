import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drain } from '../../src/api/drain.js';
import { parseDrainFile } from '../../src/experiments/drain-file.js';
import { runCli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'livemig-drain-'));
const FILE = join(dir, 'host.json');
const DRAIN = {
  bandwidthBytesPerSec: '400Mbit/s',
  hostMemoryBytes: '1GiB',
  base: { maxBandwidthBytesPerSec: '400Mbit/s' },
  vms: [
    { name: 'db', count: 2, memoryBytes: '64MiB', workload: { kind: 'hot-cold', writesPerSec: 4000 } },
    { name: 'web', memoryBytes: '32MiB', algorithm: 'xen' },
  ],
};
writeFileSync(FILE, JSON.stringify(DRAIN));

describe('livemig drain', () => {
  it('--help says what a drain file holds and how to read the table', async () => {
    const r = await runCli('drain', '--help');
    expect(r.code).toBe(0);
    for (const s of ['--concurrency', '--order', '--host-memory', '--link-trace', '--background', '--rtt', 'A drain file', 'max-min', 'makespan']) expect(r.stdout).toContain(s);
  });
  it('the example file in --help is a valid drain', async () => {
    const help = (await runCli('drain', '--help')).stdout;
    const example = help.split('Example:\n\n')[1]!.split('\n\nExamples:')[0]!;
    const f = join(dir, 'example.json');
    writeFileSync(f, example);
    const r = await runCli('drain', f, '--host-memory', '64GiB', '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { summary: { vms: number }; drain: { concurrency: number; order: string } };
    expect(report.summary.vms).toBe(4);
    expect(report.drain).toMatchObject({ concurrency: 2, order: 'largest-first' });
  });
  it('a file: the table is the library drain of the same options', async () => {
    const r = await runCli('drain', FILE, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(drain(parseDrainFile(JSON.stringify(DRAIN), FILE)))));
    const t = await runCli('drain', FILE, '--wide');
    expect(t.stdout).toMatch(/^Drain of 3 VMs \(160 MiB of a 1 GiB host\), 1 at a time, order given; link 400Mbit\/s/);
    for (const name of ['db-1', 'db-2', 'web']) expect(t.stdout).toContain(name);
  });
  it('several --concurrency values: one row per drain, then each drain', async () => {
    const r = await runCli('drain', FILE, '--concurrency', '1,2,3', '--order', 'largest-first', '--link-trace', 'experiments/drains/link-quarter.csv');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toContain('link trace experiments/drains/link-quarter.csv');
    expect(lines.filter((l) => /^\s+[123]\s+largest-first/.test(l))).toHaveLength(3);
    expect(r.stdout.match(/^Drain of 3 VMs/gm)).toHaveLength(4);
  });
  it('bad input: exit 2, naming the flag or the file field', async () => {
    const cases: [string[], RegExp][] = [
      [[FILE, '--concurrency', '0'], /invalid --concurrency: "0"/],
      [[FILE, '--host-memory', '100MiB'], /invalid .*host\.json: vms: .*hostMemoryBytes/],
      [[FILE, '--order', 'random'], /invalid --order: "random"/],
      [[FILE, '--link-trace', join(dir, 'missing.csv')], /invalid --link-trace/],
      [[], /invalid file: .*a drain file or --preset/],
      [['--preset', 'host-9'], /invalid --preset: "host-9".*did you mean host-8/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli('drain', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ vms: [{ memoryBytes: 'lots' }] }));
    const r = await runCli('drain', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: vms\[0\]\.memoryBytes/);
  });
});
