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
import { runInProcess, smallSweep, SMALL_SWEEP, TWO_AXIS_SWEEP, tempDir } from './fixtures.js';

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
  let twoAxisFiles: string[];

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
    twoAxisFiles = await writeReport(runInProcess(TWO_AXIS_SWEEP), join(tempDir(), 'two-axis.html'), { description: TWO_AXIS_SWEEP.description! });
  });

  /** Opens a report and returns, per chart, what the rendered SVG shows: axis titles, texts, marks, dashes, scales. */
  async function rendered(file: string) {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 30_000 });
    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      Object.fromEntries(figures.map((f) => {
        const svg = f.querySelector('.chart-view svg')!;
        return [f.getAttribute('data-chart')!, {
          axisTitles: [...svg.querySelectorAll('.role-axis-title text')].map((t) => t.textContent ?? ''),
          texts: [...svg.querySelectorAll('text')].map((t) => t.textContent ?? ''),
          symbols: svg.querySelectorAll('.mark-symbol.role-mark path').length,
          lines: svg.querySelectorAll('.mark-line.role-mark path').length,
          areas: svg.querySelectorAll('.mark-area.role-mark path').length,
          dashes: [...new Set([...svg.querySelectorAll('.mark-line.role-mark path')].map((p) => p.getAttribute('stroke-dasharray') ?? 'solid'))],
          panels: svg.querySelectorAll('.mark-group.role-scope').length,
          legend: [...svg.querySelectorAll('.role-legend-label text')].map((t) => t.textContent ?? ''),
        }];
      })),
    );
    const specs = JSON.parse(await page.$eval('#livemig-charts', (e) => e.textContent ?? '{}')) as Record<string, unknown>;
    await page.close();
    return { charts, specs, problems };
  }

  /** The type of the x scale of a compiled chart. */
  function xScaleType(spec: unknown): string | undefined {
    const scales = (spec as { scales?: { name: string; type?: string }[] }).scales ?? [];
    return scales.find((sc) => sc.name === 'x')?.type;
  }

  it('an experiment over bandwidth: each outcome against bandwidth, series told apart, cancelled runs marked, the trade-off', async () => {
    const { charts, specs, problems } = await rendered(files[0]!);
    expect(problems).toEqual([]);
    for (const outcome of ['downtime', 'total-time', 'data-sent', 'guest-cpu-lost']) {
      const c = charts[`${outcome}-vs-bandwidth`]!;
      expect(c, outcome).toBeDefined();
      expect(c.axisTitles, outcome).toContain('bandwidth (Gbit/s)');
      // one median mark per policy and bandwidth, and a line per policy with its own dash
      expect(c.symbols, outcome).toBeGreaterThanOrEqual(4);
      expect(c.dashes.length, outcome).toBeGreaterThanOrEqual(3);
      expect(c.areas, outcome).toBeGreaterThan(0);
      // a legend names every policy
      expect(c.legend, outcome).toEqual(['qemu', 'qemu+auto-converge', 'xen+cpu-scheduling', 'qemu+dirty-limit']);
    }
    expect(charts['downtime-vs-bandwidth']!.axisTitles).toContain('Downtime (ms)');
    expect(charts['data-sent-vs-bandwidth']!.axisTitles).toContain('Data sent (GiB)');
    expect(charts['guest-cpu-lost-vs-bandwidth']!.axisTitles).toContain('Guest CPU lost (%)');
    // plain qemu is cancelled at 400 Mbit/s in both seeds: two crosses over the medians on the total-time chart
    expect(charts['total-time-vs-bandwidth']!.symbols).toBeGreaterThan(charts['downtime-vs-bandwidth']!.symbols);
    expect(charts['downtime-vs-guest-cpu-lost']!.axisTitles).toEqual(expect.arrayContaining(['Downtime (ms)', 'Guest CPU lost (%)']));
    // no axis is named by its option field
    for (const c of Object.values(charts)) for (const t of c.texts) expect(t).not.toMatch(/BytesPerSec|writesPerSec|Ms\b/);
    // the timelines: one panel per policy, trimmed to the completed runs
    expect(charts['throttle-over-time']!.panels).toBeGreaterThanOrEqual(4);
    expect(xScaleType(specs['downtime-vs-bandwidth'])).toBe('linear');
  });

  it('an experiment over two other axes: charts against each, small multiples over the other, a log axis for the geometric one', async () => {
    const { charts, specs, problems } = await rendered(twoAxisFiles[0]!);
    expect(problems).toEqual([]);
    expect(Object.keys(charts).filter((id) => id.includes('bandwidth'))).toEqual([]);
    const byRate = charts['downtime-vs-write-rate']!;
    expect(byRate.axisTitles).toEqual(expect.arrayContaining(['write-rate (pages/s)', 'Downtime (ms)']));
    // one panel per downtime limit
    expect(byRate.texts).toEqual(expect.arrayContaining(['downtime-limit 30ms', 'downtime-limit 300ms']));
    expect(byRate.dashes.length).toBeGreaterThanOrEqual(3);
    expect(byRate.legend).toEqual(['qemu', 'qemu+auto-converge', 'xen+cpu-scheduling']);
    const byLimit = charts['downtime-vs-downtime-limit']!;
    expect(byLimit.axisTitles).toContain('downtime-limit (ms)');
    expect(byLimit.texts).toEqual(expect.arrayContaining(['write-rate 10000pages/s', 'write-rate 20000pages/s', 'write-rate 40000pages/s']));
    for (const id of ['total-time-vs-write-rate', 'data-sent-vs-write-rate', 'guest-cpu-lost-vs-write-rate', 'total-time-vs-downtime-limit']) {
      expect(charts[id]!.symbols, id).toBeGreaterThan(0);
    }
    // 10000, 20000, 40000 pages/s is a geometric series: log x; 30 ms and 300 ms: two values 10x apart, log too
    const scaleTypes = JSON.stringify(specs['downtime-vs-write-rate']);
    expect(scaleTypes).toContain('"type":"log"');
    expect(charts['downtime-vs-guest-cpu-lost']!.texts).toEqual(expect.arrayContaining(['write-rate 10000pages/s, downtime-limit 30ms']));
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
    expect(charts.length).toBe(8);
    for (const c of charts) {
      expect(c.rendered, c.id ?? '').toBe('true');
      expect(c.surfaces, c.id ?? '').toBe(1);
      expect(c.marks, c.id ?? '').toBeGreaterThan(0);
      expect(c.axisTitles.length, c.id ?? '').toBeGreaterThanOrEqual(2);
    }
    expect(await page.getAttribute('body', 'data-charts-rendered')).toBe('8');
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
    expect(results.length).toBe(8);
    for (const r of results) expect(r).toEqual({ root: 'svg', errors: 0 });
    await page.close();
  });
});
