/**
 * Opens the HTML report in a real headless browser (Debian's Chromium driven by playwright-core): no console
 * errors, no page errors, no request leaving the file, and every chart rendered with marks in it.
 * Without /usr/bin/chromium the test is skipped, except in CI (CI=true), where it must run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/html.js';
import { smallSweep, SMALL_SWEEP, tempDir } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && process.env['CI'] !== 'true';
const title = skip
  ? `HTML report in headless Chromium: SKIPPED, ${CHROMIUM} not found (apt-get install chromium; with CI=true this test runs and fails instead)`
  : 'HTML report in headless Chromium';
if (skip) console.warn(title);

describe.skipIf(skip)(title, () => {
  let context: BrowserContext;
  let profile: string;
  let files: string[];

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'livemig-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
      ],
    });
    files = await writeReport(smallSweep(), join(tempDir(), 'report.html'), { description: SMALL_SWEEP.description! });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders every chart from disk with no errors and no network', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(files[0]!).href;
    await page.goto(url);
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 30_000 });

    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((f) => ({
        id: f.getAttribute('data-chart'),
        rendered: f.getAttribute('data-rendered'),
        surfaces: f.querySelectorAll('.chart-view svg, .chart-view canvas').length,
        marks: f.querySelectorAll('.chart-view svg .role-mark > *').length,
        axisTitles: [...f.querySelectorAll('.chart-view svg .role-axis-title text')].map((t) => t.textContent),
      })),
    );
    expect(charts.length).toBe(5);
    for (const c of charts) {
      expect(c.rendered, c.id ?? '').toBe('true');
      expect(c.surfaces, c.id ?? '').toBe(1);
      expect(c.marks, c.id ?? '').toBeGreaterThan(0);
      expect(c.axisTitles.length, c.id ?? '').toBeGreaterThanOrEqual(2);
    }
    expect(await page.getAttribute('body', 'data-charts-rendered')).toBe('5');
    expect(await page.title()).toBe('report-fixture: livemig sweep report');
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('parses every SVG file as an SVG document', async () => {
    const page = await context.newPage();
    const svgs = files.slice(1).map((f) => readFileSync(f, 'utf8'));
    const results = await page.evaluate((texts) =>
      texts.map((t) => {
        const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
        return { root: doc.documentElement.nodeName, errors: doc.getElementsByTagName('parsererror').length };
      }),
    svgs);
    expect(results.length).toBe(5);
    for (const r of results) expect(r).toEqual({ root: 'svg', errors: 0 });
    await page.close();
  });
});
