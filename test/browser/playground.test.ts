/**
 * The playground in real Chromium (Debian's, driven by playwright-core), served by `livemig playground` from a
 * freshly built folder: the numbers shown and exported equal Node's migrate() for the same options bit for bit;
 * changing a control re-runs and redraws the charts; a shared URL restores the scenario; a 1 TiB run shows
 * progress and cancels; no console errors and no request outside the page's own files. Measures (does not
 * assert) the time to the first result of the headline preset. Skipped without /usr/bin/chromium, except with
 * CI=true, where it must run.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { checkExperiment } from '../../src/experiments/load.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { HEADLINE } from '../../src/scenarios/presets.js';
import { MiB } from '../../src/units.js';
import { CHROMIUM, CHROMIUM_ARGS, SKIP_CHROMIUM, chromiumTitle, serveDir } from './helpers.js';

const title = chromiumTitle('playground in headless Chromium');

/** Node's report as `livemig run --json` prints it: the playground's JSON export must be this text exactly. */
const cliJson = (o: MigrationOptions): string => `${JSON.stringify(migrate(o), null, 2)}\n`;

describe.skipIf(SKIP_CHROMIUM)(title, () => {
  let browser: Browser;
  let site: string;
  let url: string;
  let server: ChildProcess;
  const problems: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), 'livemig-site-'));
    execFileSync(process.execPath, ['scripts/build-playground.mjs', '--out', site], { stdio: 'pipe' });
    ({ url, server } = await serveDir(site));
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (site) rmSync(site, { recursive: true, force: true });
  });

  beforeEach(() => {
    problems.length = 0;
    foreign.length = 0;
  });

  async function open(target: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // The page's own files, and the blob: URLs it makes itself (its worker, its downloads).
    page.on('request', (r) => {
      if (!r.url().startsWith(url) && !r.url().startsWith(`blob:${url.replace(/\/$/, '')}`)) foreign.push(r.url());
    });
    await page.goto(target);
    return page;
  }

  /** Waits for a run newer than `after` to be shown in both columns and drawn in the charts; returns its number. */
  async function nextRun(page: Page, after: number): Promise<number> {
    await page.waitForFunction((n) => Number(document.body.dataset['charts'] ?? 0) > n, after, { timeout: 120_000 });
    return Number(await page.getAttribute('body', 'data-charts'));
  }

  /** Clicks a download link as a user would and reads the file Chromium saved. */
  async function exported(page: Page, selector: string): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    return readFileSync((await download.path())!, 'utf8');
  }

  async function summary(page: Page, col: 'a' | 'b'): Promise<Record<string, string>> {
    return page.$$eval(`#col-${col} .summary dd`, (dds) => Object.fromEntries(dds.map((d) => [d.getAttribute('data-field'), d.getAttribute('data-value')])));
  }

  function expectedSummary(o: MigrationOptions): Record<string, string> {
    const s = migrate(o).summary;
    return {
      status: s.status === 'completed' ? 'completed' : `cancelled:${s.reason}`, totalTimeMs: String(s.totalTimeMs), downtimeMs: String(s.downtimeMs),
      transferredBytes: String(s.transferredBytes), guestCpuLostPct: String(s.guestCpuLostPct), rounds: String(s.rounds), maxThrottlePct: String(s.maxThrottlePct),
    };
  }

  it('shows the headline preset at once, equal to Node\'s migrate() bit for bit (and measures the first result)', async () => {
    const t0 = Date.now();
    const page = await open(url);
    await page.waitForSelector('#col-a[data-state=done], #col-b[data-state=done]', { timeout: 120_000 });
    const firstMs = Date.now() - t0;
    await page.waitForSelector('#col-a[data-state=done]', { timeout: 120_000 });
    await page.waitForSelector('#col-b[data-state=done]', { timeout: 120_000 });
    const bothMs = Date.now() - t0;
    await nextRun(page, 0);
    const chartsMs = Date.now() - t0;
    const inPage = await page.getAttribute('body', 'data-first-result-ms');
    console.log(
      `playground, headline preset: first result ${inPage} ms after navigation start (performance.now in the page); ` +
        `from opening a tab: first result ${firstMs} ms, both ${bothMs} ms, charts drawn ${chartsMs} ms (load average ${loadavg()[0]!.toFixed(1)})`,
    );

    const a = { ...HEADLINE.base, algorithm: 'qemu' as const };
    const b = { ...HEADLINE.base, algorithm: 'qemu' as const, controller: 'cpu-scheduling' as const };
    expect(await summary(page, 'a')).toEqual(expectedSummary(a));
    expect(await summary(page, 'b')).toEqual(expectedSummary(b));
    expect(await exported(page, '#col-a .export-json')).toBe(cliJson(a));
    expect(await exported(page, '#col-b .export-json')).toBe(cliJson(b));
    const charts = await page.$$eval('figure[data-chart]', (fs) => fs.map((f) => ({ id: f.getAttribute('data-chart'), marks: f.querySelectorAll('svg .role-mark > *').length })));
    expect(charts.map((c) => c.id)).toEqual(['remaining-per-round', 'throttle-over-time', 'dirty-rate-over-time']);
    for (const c of charts) expect(c.marks, c.id!).toBeGreaterThan(0);
    // Every control has a label and a description (what a screen reader announces).
    const unlabelled = await page.$$eval('input, select', (xs) => xs.filter((x) => (x as HTMLInputElement).labels?.length === 0).map((x) => x.id));
    expect(unlabelled).toEqual([]);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('re-runs when a control changes, with the controls\' scenario equal to Node\'s, and redraws the charts; the URL and the experiment file reproduce it', async () => {
    const page = await open(url);
    let run = await nextRun(page, 0);
    const before = await page.$eval('figure[data-chart="remaining-per-round"] svg', (s) => s.outerHTML);

    await page.fill('#f-memory', '512MiB');
    await page.fill('#f-writeRate', '30000pages/s');
    await page.fill('#f-bandwidth', '2Gbit/s');
    await page.selectOption('#a-f-algorithm', 'xen');
    await page.selectOption('#b-f-controller', 'auto-converge');
    await page.fill('#b-p-f-incrementPct', '20');
    // Typed with the keyboard, as a user would: focus, select all, type.
    await page.focus('#f-downtimeLimit');
    await page.keyboard.type('200ms');
    run = await waitForSettled(page, run);

    const shared = {
      ...HEADLINE.base, memoryBytes: 512 * MiB, bandwidthBytesPerSec: 250_000_000, downtimeLimitMs: 200,
      workload: { kind: 'hot-cold' as const, writesPerSec: 30_000, hotFraction: 0.25, hotProbability: 0.9 },
    };
    const a: MigrationOptions = { ...shared, algorithm: 'xen' };
    const b: MigrationOptions = { ...shared, algorithm: 'qemu', controller: { name: 'auto-converge', incrementPct: 20 } };
    expect(await summary(page, 'a')).toEqual(expectedSummary(a));
    expect(await summary(page, 'b')).toEqual(expectedSummary(b));
    const jsonA = await exported(page, '#col-a .export-json');
    const jsonB = await exported(page, '#col-b .export-json');
    expect(jsonA).toBe(cliJson(a));
    expect(jsonB).toBe(cliJson(b));
    const after = await page.$eval('figure[data-chart="remaining-per-round"] svg', (s) => s.outerHTML);
    expect(after).not.toBe(before);
    expect(await page.getAttribute('figure[data-chart="remaining-per-round"]', 'data-rendered')).toBe(String(run));

    // The experiment file runs the same two policies on the same scenario.
    const experiment = checkExperiment(JSON.parse(await exported(page, '#export-experiment')));
    expect(experiment.runs.map((r) => r.policy)).toEqual(['xen', 'qemu+auto-converge:incrementPct=20']);
    expect(experiment.runs.map((r) => cliJson(r.options))).toEqual([jsonA, jsonB]);

    // A shared link restores every control and gives the same reports.
    const link = await page.inputValue('#share');
    expect(link).toBe(page.url());
    const again = await open(link);
    await nextRun(again, 0);
    for (const id of ['#f-memory', '#f-writeRate', '#f-bandwidth', '#f-downtimeLimit', '#a-f-algorithm', '#b-f-controller', '#b-p-f-incrementPct']) {
      expect(await again.inputValue(id), id).toBe(await page.inputValue(id));
    }
    expect(await exported(again, '#col-a .export-json')).toBe(jsonA);
    expect(await exported(again, '#col-b .export-json')).toBe(jsonB);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await again.close();
    await page.close();
  });

  /** After edits: the newest run, once both columns and the charts show it (edits may start several runs). */
  async function waitForSettled(page: Page, after: number): Promise<number> {
    await page.waitForFunction(
      (n) => {
        const gen = Number(document.body.dataset['charts'] ?? 0);
        const cols = [...document.querySelectorAll('.column')] as HTMLElement[];
        return gen > n && cols.every((c) => c.dataset['state'] === 'done' && c.dataset['run'] === String(gen)) && document.body.dataset['state'] === 'done';
      },
      after,
      { timeout: 120_000 },
    );
    await page.waitForTimeout(400); // past the debounce: no newer run was scheduled by the last keystroke
    return Number(await page.getAttribute('body', 'data-charts'));
  }

  it('shows a 1 TiB run\'s progress and cancels it, the page staying responsive', async () => {
    const page = await open(`${url}#preset=custom&memory=1TiB&bandwidth=10Gbit/s&maxBandwidth=10Gbit/s&a=qemu&b=xen`);
    await page.waitForFunction(() => (document.querySelector('#col-a progress') as HTMLProgressElement).value > 0, undefined, { timeout: 120_000 });
    expect(await page.textContent('#col-a .status')).toMatch(/^Running: round \d+/);
    // The main thread answers while both workers run.
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    await page.click('#col-a .cancel');
    await page.click('#col-b .cancel');
    await page.waitForSelector('#col-a[data-state=cancelled]');
    await page.waitForSelector('#col-b[data-state=cancelled]');
    expect(await page.textContent('#col-a .status')).toMatch(/^Cancelled/);
    expect(await page.isHidden('#col-a progress')).toBe(true);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('names a bad value\'s flag, marks its control invalid, and recovers once it is fixed', async () => {
    const page = await open(`${url}#preset=custom&memory=256MiB`);
    const run = await nextRun(page, 0);
    await page.fill('#f-memory', '12 potatoes');
    await page.waitForSelector('body[data-state=error]', { timeout: 60_000 });
    expect(await page.textContent('#error')).toMatch(/^invalid --memory: "12 potatoes"; expected a size/);
    expect(await page.getAttribute('#f-memory', 'aria-invalid')).toBe('true');
    await page.fill('#f-memory', '128MiB');
    await waitForSettled(page, run);
    expect(await page.isHidden('#error')).toBe(true);
    expect(await page.getAttribute('#f-memory', 'aria-invalid')).toBeNull();
    expect(await summary(page, 'a')).toEqual(expectedSummary({ memoryBytes: 128 * MiB, algorithm: 'qemu' }));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('works opened from disk too (file://: a classic script and a blob: worker, nothing fetched)', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('request', (r) => requests.push(r.url()));
    const index = pathToFileURL(join(site, 'index.html')).href;
    await page.goto(`${index}#preset=custom&memory=256MiB&a=qemu&b=xen`);
    await nextRun(page, 0);
    const o: MigrationOptions = { memoryBytes: 256 * MiB, algorithm: 'xen' };
    expect(await summary(page, 'b')).toEqual(expectedSummary(o));
    expect(problems).toEqual([]);
    expect(requests.filter((r) => !r.startsWith(pathToFileURL(site).href) && !r.startsWith('blob:'))).toEqual([]);
    await page.close();
  });
});
