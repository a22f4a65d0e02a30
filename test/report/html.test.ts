import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartsDirFor, renderReport, writeReport } from '../../src/report/html.js';
import { sweepPoint } from '../../src/report/charts.js';
import { SMALL_SWEEP, smallSweep, tempDir } from './fixtures.js';
import { xmlProblems } from './xml.js';

const CHART_IDS = [
  'downtime-vs-bandwidth', 'total-time-vs-bandwidth', 'data-sent-vs-bandwidth', 'guest-cpu-lost-vs-bandwidth', 'downtime-vs-guest-cpu-lost',
  'remaining-per-round', 'throttle-over-time', 'dirty-rate-over-time',
];

/** Every axis title in a compiled Vega spec, faceted ones (axes inside group marks) included. */
function axisTitles(spec: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown, inAxes: boolean): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, inAxes));
    else if (typeof node === 'object' && node !== null) {
      for (const [k, v] of Object.entries(node)) {
        if (inAxes && k === 'title' && typeof v === 'string') out.push(v);
        walk(v, k === 'axes' || (inAxes && k !== 'encode'));
      }
    }
  };
  walk(spec, false);
  return [...new Set(out)];
}

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
    expect(html).toContain('<dt>bandwidth</dt><dd>400Mbit/s, 1Gbit/s</dd>');
    expect(html).toContain(records[0]!.fingerprint);
  });

  it('has a summary row per point and policy (not pooled over the axis), with the spread across seeds', () => {
    const table = /<table id="policy-summary">([\s\S]*?)<\/table>/.exec(html)![1]!;
    const rows = [...table.matchAll(/<tr><td class="num">([^<]*)<\/td><td>([^<]*)<\/td><td class="num">([^<]*)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual([
      ['400Mbit/s', 'qemu', '0/2'],
      ['400Mbit/s', 'qemu+auto-converge', '2/2'],
      ['400Mbit/s', 'xen+cpu-scheduling', '2/2'],
      ['400Mbit/s', 'qemu+dirty-limit', '2/2'],
      ['1Gbit/s', 'qemu', '2/2'],
      ['1Gbit/s', 'qemu+auto-converge', '2/2'],
      ['1Gbit/s', 'xen+cpu-scheduling', '2/2'],
      ['1Gbit/s', 'qemu+dirty-limit', '2/2'],
    ]);
    expect(table).toContain('<th>bandwidth</th>');
    expect(table).toContain('<th>Guest CPU lost (%)</th>');
    expect(table).toMatch(/\d+\.\d \[\d+\.\d–\d+\.\d\]/);
  });

  it('has one chart container per chart, each with a compiled spec, axis titles carrying units', () => {
    const ids = [...html.matchAll(/<figure class="chart" id="chart-([\w-]+)" data-chart="\1">/g)].map((m) => m[1]);
    expect(ids.sort()).toEqual([...CHART_IDS].sort());
    const specs = JSON.parse(/<script type="application\/json" id="livemig-charts">([\s\S]*?)<\/script>/.exec(html)![1]!) as Record<string, unknown>;
    expect(Object.keys(specs).sort()).toEqual([...CHART_IDS].sort());
    for (const [id, spec] of Object.entries(specs)) {
      const titles = axisTitles(spec);
      expect(titles.length, id).toBeGreaterThanOrEqual(2);
      for (const t of titles) expect(t, `${id}: ${t}`).toMatch(/\((ms|s|GiB|MiB|MiB\/s|Gbit\/s|%)\)$|^Round/);
    }
    // the swept axis as a user writes it
    expect(axisTitles(specs['downtime-vs-bandwidth'])).toContain('bandwidth (Gbit/s)');
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
    expect(r.html).toContain('<h2>At one point: bandwidth 400Mbit/s, seed 2</h2>');
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
