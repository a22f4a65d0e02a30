import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartsDirFor, renderReport, writeReport } from '../../src/report/html.js';
import { sweepPoint } from '../../src/report/charts.js';
import { SMALL_SWEEP, smallSweep, tempDir } from './fixtures.js';
import { xmlProblems } from './xml.js';

const CHART_IDS = ['downtime-vs-bandwidth', 'total-time-vs-bandwidth', 'remaining-per-round', 'throttle-over-time', 'dirty-rate-over-time'];

/** The page's markup with script bodies and comments taken out (the Vega bundle's own strings are code, not references). */
function markup(html: string): string {
  return html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '<script></script>').replace(/<!--[\s\S]*?-->/g, '');
}

describe('HTML report', () => {
  const records = smallSweep();
  let dir: string;
  let html: string;
  let files: string[];

  beforeAll(async () => {
    dir = tempDir();
    files = await writeReport(records, join(dir, 'report.html'), { description: SMALL_SWEEP.description! });
    html = readFileSync(join(dir, 'report.html'), 'utf8');
  });

  it('is self-contained: no external scripts, styles, images or links; a CSP forbids network loads', () => {
    const m = markup(html);
    expect(m).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(m).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
    expect(m).not.toMatch(/<link\b/i);
    expect(m).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src 'none';`);
    // Vega's runtime and the chart specs are inline.
    expect(html).toMatch(/<script>!function\(t,e\)\{"object"==typeof exports/);
    expect(html).toContain('<script type="application/json" id="livemig-charts">');
    expect(html).toContain('Copyright (c) 2015-2023, University of Washington Interactive Data Lab');
  });

  it('says what the sweep was: title, heading and description, escaped', () => {
    expect(html).toContain('<title>report-fixture: livemig sweep report</title>');
    expect(html).toContain('<h1>report-fixture</h1>');
    expect(html).toContain('Fixture sweep for the report tests, with &quot;quotes&quot;, commas, and &lt;angle brackets&gt;');
    expect(html).not.toContain('<angle brackets>');
    expect(html).toContain('qemu, qemu+auto-converge, xen+cpu-scheduling, qemu+dirty-limit');
    expect(html).toContain('50.0 MB/s (400.00 Mbit/s), 125.0 MB/s (1.00 Gbit/s)');
    expect(html).toContain(records[0]!.fingerprint);
  });

  it('has a summary row per policy', () => {
    const table = /<table id="policy-summary">([\s\S]*?)<\/table>/.exec(html)![1]!;
    const rows = [...table.matchAll(/<tr><td>([^<]*)<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual([
      ['qemu', '4', '2'],
      ['qemu+auto-converge', '4', '4'],
      ['xen+cpu-scheduling', '4', '4'],
      ['qemu+dirty-limit', '4', '4'],
    ]);
    expect(table).toContain('median downtime');
    expect(table).toContain('mean guest CPU lost');
  });

  it('has one chart container per chart, each with a compiled spec, axis titles carrying units', () => {
    const ids = [...html.matchAll(/<figure class="chart" id="chart-([\w-]+)" data-chart="\1">/g)].map((m) => m[1]);
    expect(ids.sort()).toEqual([...CHART_IDS].sort());
    const specs = JSON.parse(/<script type="application\/json" id="livemig-charts">([\s\S]*?)<\/script>/.exec(html)![1]!) as Record<string, { axes?: { title?: string }[] }>;
    expect(Object.keys(specs).sort()).toEqual([...CHART_IDS].sort());
    for (const [id, spec] of Object.entries(specs)) {
      const titles = (spec.axes ?? []).map((a) => a.title).filter((t): t is string => typeof t === 'string');
      expect(titles.length, id).toBeGreaterThanOrEqual(2);
      for (const t of titles) expect(t, `${id}: ${t}`).toMatch(/\((ms|s|MiB|MiB\/s|Gbit\/s|%)\)$|^Round/);
    }
  });

  it('writes one SVG file per chart next to the page, each a well-formed <svg> document', () => {
    const svgDir = chartsDirFor(join(dir, 'report.html'));
    expect(svgDir).toBe(join(dir, 'report-charts'));
    expect(readdirSync(svgDir).sort()).toEqual(CHART_IDS.map((id) => `${id}.svg`).sort());
    expect(files).toEqual([join(dir, 'report.html'), ...CHART_IDS.map((id) => join(svgDir, `${id}.svg`))]);
    for (const id of CHART_IDS) {
      const svg = readFileSync(join(svgDir, `${id}.svg`), 'utf8');
      expect(svg.startsWith('<svg'), id).toBe(true);
      expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(xmlProblems(svg), id).toEqual([]);
      expect(svg).toMatch(/class="mark-(line|symbol)[^"]*role-mark/);
      expect(html).toContain(`<a href="report-charts/${id}.svg">SVG</a>`);
    }
  });

  it('shows the rounds and timelines at the chosen point', async () => {
    const point = sweepPoint(records, 'p5');
    expect(point.runs.map((r) => r.id)).toEqual(['p4', 'p5', 'p6', 'p7']);
    const r = await renderReport(records, { point: 'p5' });
    expect(r.html).toContain('<h2>At one point: bandwidthBytesPerSec = 50.0 MB/s (400.00 Mbit/s), seed 2</h2>');
    expect(r.charts.map((c) => c.id).sort()).toEqual([...CHART_IDS].sort());
    await expect(renderReport(records, { point: 'p999' })).rejects.toThrow(/no run "p999"/);
  });

  it('leaves out the downtime chart when no run completed', async () => {
    const cancelled = records.filter((r) => r.summary.status === 'cancelled');
    const r = await renderReport(cancelled);
    expect(r.charts.map((c) => c.id)).not.toContain('downtime-vs-bandwidth');
    expect(r.html).not.toContain('data-chart="downtime-vs-bandwidth"');
  });

  it('is the same page for the same results', async () => {
    const again = await renderReport(records, { description: SMALL_SWEEP.description!, svgDir: 'report-charts' });
    expect(again.html).toBe(html);
  });
});

describe('the XML check used on the SVG files', () => {
  it('catches broken documents', () => {
    expect(xmlProblems('<svg><g></g></svg>')).toEqual([]);
    expect(xmlProblems('<svg><g></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg a=b></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg><text>a & b</text></svg>')).not.toEqual([]);
    expect(xmlProblems('<svg><text>a &amp; b</text></svg>')).toEqual([]);
  });
});
