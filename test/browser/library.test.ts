/**
 * livemig/browser as shipped (dist/src/browser.js), imported by a plain <script type="module"> with no bundler,
 * in real Chromium: migrate() on the page and migrateAsync()/compareAsync() in the package's own Web Worker
 * (found by new URL(…, import.meta.url)) give Node's reports bit for bit (same seed, same report); progress
 * arrives; an AbortSignal rejects with an AbortError. Skipped without /usr/bin/chromium unless CI=true.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/api/compare.js';
import { migrate } from '../../src/api/migrate.js';
import { HEADLINE } from '../../src/scenarios/presets.js';
import { MiB } from '../../src/units.js';
import { CHROMIUM, CHROMIUM_ARGS, SKIP_CHROMIUM, chromiumTitle, serveDir } from './helpers.js';

const title = chromiumTitle('livemig/browser in headless Chromium, from a plain module script');

const OPTIONS = { ...HEADLINE.base, memoryBytes: 512 * MiB, algorithm: 'xen', controller: { name: 'sdps', maxSleepMs: 1 } };
const BASE = { ...HEADLINE.base, memoryBytes: 256 * MiB };
const POLICIES = ['qemu', 'xen+cpu-scheduling:targetRound=4'];

const PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>livemig/browser</title><link rel="icon" href="data:,"></head><body>
<script type="module">
import { migrate, migrateAsync, compareAsync, TiB } from './src/browser.js';
const options = ${JSON.stringify(OPTIONS)};
const out = {};
try {
  out.sync = JSON.stringify(migrate(options));
  const progress = [];
  out.async = JSON.stringify(await migrateAsync(options, { onProgress: (p) => progress.push(p) }));
  out.progress = progress.length;
  out.lastProgressMs = progress.at(-1)?.emulatedMs;
  const rows = await compareAsync(${JSON.stringify(BASE)}, ${JSON.stringify(POLICIES)});
  out.compare = rows.map((r) => ({ policy: r.policy, report: JSON.stringify(r.report) }));
  const ac = new AbortController();
  const err = await migrateAsync({ memoryBytes: TiB }, { signal: ac.signal, onProgress: () => ac.abort() }).catch((e) => e);
  out.abort = { isDomException: err instanceof DOMException, name: err.name };
} catch (e) {
  out.error = String(e && e.stack || e);
}
document.body.dataset.result = JSON.stringify(out);
</script></body></html>`;

describe.skipIf(SKIP_CHROMIUM)(title, () => {
  let browser: Browser;
  let dir: string;
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    // The shipped files as a user's static server would hold them: dist/src/ and a page beside it.
    dir = mkdtempSync(join(tmpdir(), 'livemig-lib-'));
    cpSync(join('dist', 'src'), join(dir, 'src'), { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
    writeFileSync(join(dir, 'index.html'), PAGE);
    ({ url, server } = await serveDir(dir));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs migrate() on the page and migrateAsync()/compareAsync() in a Web Worker, equal to Node bit for bit', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset['result'] !== undefined, undefined, { timeout: 120_000 });
    const out = JSON.parse((await page.getAttribute('body', 'data-result'))!) as Record<string, unknown>;
    expect(out['error']).toBeUndefined();
    const node = JSON.stringify(migrate(OPTIONS as never));
    expect(out['sync']).toBe(node);
    expect(out['async']).toBe(node);
    expect(out['progress']).toBeGreaterThan(0);
    const report = migrate(OPTIONS as never);
    expect(out['lastProgressMs']).toBe(report.timeline[report.timeline.length - 1]!.tMs);
    expect(out['compare']).toEqual(compare(BASE, POLICIES).map((r) => ({ policy: r.policy, report: JSON.stringify(r.report) })));
    expect(out['abort']).toEqual({ isDomException: true, name: 'AbortError' });
    expect(problems).toEqual([]);
    expect(requests.every((r) => r.startsWith(url))).toBe(true);
    expect(requests.some((r) => r.endsWith('/src/api/async-worker-web.js'))).toBe(true);
    await page.close();
  });
});
