import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { peakRssKiB } from '../../bench/peak-rss.js';

// The bench's child processes (one-tib, drain) report their peak RSS. getrusage's maxRSS of a child carries its
// parent's size on Linux; bench/peak-rss.ts reads the child's own high-water mark instead.
const procfs = existsSync('/proc/self/status');
const built = join(import.meta.dirname, '../../dist/bench/peak-rss.js');

describe('peakRssKiB', () => {
  it('is at least the current resident set', () => {
    expect(peakRssKiB() * 1024).toBeGreaterThanOrEqual(process.memoryUsage().rss * 0.9);
  });

  it.skipIf(!procfs)('in a child spawned by a large parent, is the child\'s peak, not the parent\'s', (ctx) => {
    const held = Buffer.alloc(384 * 1024 * 1024, 1); // the parent's resident set grows by 384 MiB
    const r = spawnSync(process.execPath, ['--input-type=module', '-e',
      `import { peakRssKiB } from ${JSON.stringify(built)}; console.log(JSON.stringify([peakRssKiB(), process.resourceUsage().maxRSS]))`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [peak, maxRss] = JSON.parse(r.stdout) as [number, number];
    expect(held[held.length - 1]).toBe(1);
    expect(peak).toBeLessThan(192 * 1024); // a bare node child is tens of MiB
    // Where getrusage does not count the parent's pages, the two agree and this test cannot tell them apart.
    if (maxRss <= 384 * 1024) ctx.skip('this kernel does not fold the parent into a child\'s maxRSS');
  });
});
