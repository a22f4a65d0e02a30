/**
 * The README as a user runs it: every `livemig …` line of its ```sh blocks runs as written (through a `livemig` on
 * PATH that is this checkout's bin, in a scratch directory holding the shipped experiments), the experiment it
 * shows is the shipped file, and its `livemig compare` table is what the command prints (wall times aside).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The bodies of the fenced blocks of one language. */
function blocks(lang: string): string[] {
  return [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

/** Every `livemig` command line of the sh blocks, in order, without its trailing comment. */
const COMMANDS = blocks('sh')
  .flatMap((b) => b.split('\n'))
  .map((l) => l.replace(/\s+#\s.*$/, '').trim())
  .filter((l) => l.startsWith('livemig '));

describe('README', () => {
  it('shows commands to run', () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(10);
    expect(COMMANDS).toContain('livemig compare --bandwidth 10Gbit/s --policies qemu,qemu+cpu-scheduling,qemu+auto-converge');
  });

  it('every livemig command in it runs as written', { timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'livemig-readme-'));
    cpSync(join(ROOT, 'experiments'), join(dir, 'experiments'), { recursive: true });
    cpSync(join(ROOT, 'schema'), join(dir, 'schema'), { recursive: true });
    const bin = join(dir, '.bin');
    const shim = join(bin, 'livemig');
    mkdirSync(bin);
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'livemig.js')}" "$@"\n`);
    chmodSync(shim, 0o755);
    const failures: string[] = [];
    for (const command of COMMANDS) {
      const r = spawnSync('bash', ['-c', command], {
        cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env['PATH']}`, LIVEMIG_DEBUG: '' },
      });
      if (r.status !== 0) failures.push(`${command}: exit ${r.status}\n${r.stderr}`);
    }
    expect(failures).toEqual([]);
  });

  it("its experiment example is the shipped experiments/bandwidth-sweep.json", () => {
    const shown = blocks('json').map((b) => JSON.parse(b) as { name?: string }).find((j) => j.name === 'bandwidth-sweep');
    expect(shown).toEqual(JSON.parse(readFileSync(join(ROOT, 'experiments', 'bandwidth-sweep.json'), 'utf8')));
  });

  it('its livemig compare output is what livemig compare prints, wall times aside', () => {
    const block = README.split('```\n$ livemig compare\n')[1]!.split('```')[0]!;
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'livemig.js'), 'compare'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, COLUMNS: '' } });
    expect(r.status).toBe(0);
    const noWall = (text: string) => text.trimEnd().split('\n').map((l) => l.replace(/\s+(?:\d+|ms|wall)$/, ''));
    expect(noWall(block)).toEqual(noWall(r.stdout));
  });
});
