/**
 * The sweep report: one self-contained HTML page (styles, data and Vega's runtime inline; a Content Security
 * Policy forbids every network load, so it opens from disk anywhere) and one SVG file per chart beside it
 * (report.html -> report-charts/<chart>.svg) for papers.
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import type { RunRecord } from '../model/run-record.js';
import { formatBytes, formatDuration } from '../units.js';
import { type ChartDef, compileChart, describePoint, formatAxisValue, policyOrder, renderSvg, sweepCharts, sweepPoint } from './charts.js';
import { axisPaths } from './csv.js';
import { summarizePolicies } from './policy-summary.js';
import { statusText } from './status.js';

export interface ReportOptions {
  /** Id of a run whose point (axis values and seed) the round and timeline charts show; default the first run. */
  point?: string;
  /** What the sweep was for (the experiment file's description). */
  description?: string;
}

export interface RenderedChart {
  id: string;
  title: string;
  svg: string;
}

export interface RenderedReport {
  html: string;
  charts: RenderedChart[];
}

/** Most runs listed one by one in the page's run table (the CSV export has them all). */
export const MAX_RUN_ROWS = 2000;

/** report.html -> report-charts: the directory of a report's SVG files. */
export function chartsDirFor(htmlFile: string): string {
  const ext = extname(htmlFile);
  return join(dirname(htmlFile), `${basename(htmlFile, ext)}-charts`);
}

/** Writes the page and its SVG files; returns the files written, the page first. */
export async function writeReport(records: readonly RunRecord[], htmlFile: string, options: ReportOptions = {}): Promise<string[]> {
  const dir = chartsDirFor(htmlFile);
  const report = await renderReport(records, { ...options, svgDir: basename(dir) });
  mkdirSync(dirname(htmlFile), { recursive: true });
  writeFileSync(htmlFile, report.html);
  mkdirSync(dir, { recursive: true });
  const files = [htmlFile];
  for (const c of report.charts) {
    const file = join(dir, `${c.id}.svg`);
    writeFileSync(file, c.svg);
    files.push(file);
  }
  return files;
}

/** The page and the charts' SVG; `svgDir` is where the page links the SVG files (relative), if anywhere. */
export async function renderReport(records: readonly RunRecord[], options: ReportOptions & { svgDir?: string } = {}): Promise<RenderedReport> {
  const point = sweepPoint(records, options.point);
  const defs = sweepCharts(records, point);
  const compiled = await Promise.all(defs.map(compileChart));
  const svgs = await Promise.all(compiled.map(renderSvg));
  const specs = Object.fromEntries(defs.map((d, i) => [d.id, compiled[i]]));
  const html = page(records, point, defs, specs, options);
  return { html, charts: defs.map((d, i) => ({ id: d.id, title: d.title, svg: svgs[i]! })) };
}

// ---- the page ----

function page(
  records: readonly RunRecord[],
  point: ReturnType<typeof sweepPoint>,
  defs: ChartDef[],
  specs: Record<string, unknown>,
  options: ReportOptions & { svgDir?: string },
): string {
  const first = records[0]!;
  const name = first.experiment;
  const figure = (d: ChartDef): string => {
    const href = options.svgDir === undefined ? undefined : `${encodeURIComponent(options.svgDir)}/${encodeURIComponent(d.id)}.svg`;
    const link = href === undefined ? '' : ` <a href="${esc(href)}">SVG</a>`;
    return (
      `<figure class="chart" id="chart-${esc(d.id)}" data-chart="${esc(d.id)}">\n` +
      `<h3>${esc(d.title)}</h3>\n<div class="chart-view"></div>\n` +
      `<figcaption>${esc(d.caption)}${link}</figcaption>\n</figure>`
    );
  };
  const vega = vegaBundle();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="livemig">
<title>${esc(name)}: livemig sweep report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${esc(name)}</h1>
<p class="kind">livemig sweep report: ${records.length} run${records.length === 1 ? '' : 's'} of emulated live migration</p>
${options.description ? `<p class="description">${esc(options.description)}</p>\n` : ''}${sweepFacts(records)}
</header>
<main>
<section id="summary">
<h2>Per policy</h2>
${summaryTable(records)}
</section>
<section id="sweep-charts">
<h2>Across the sweep</h2>
<p class="hint">In the charts: hover a mark for its values; drag to pan, scroll to zoom, double-click to reset.</p>
${defs.filter((d) => d.scope === 'sweep').map(figure).join('\n')}
</section>
<section id="point-charts">
<h2>At one point: ${esc(describePoint(point))}</h2>
<p>Runs ${esc(point.runs.map((r) => `${r.id} (${r.policy})`).join(', '))}.</p>
${defs.filter((d) => d.scope === 'point').map(figure).join('\n')}
</section>
<section id="runs">
<details>
<summary>All runs${records.length > MAX_RUN_ROWS ? ` (first ${MAX_RUN_ROWS} of ${records.length}; livemig export --csv has them all)` : ''}</summary>
${runTable(records)}
</details>
</section>
</main>
<noscript><p>The charts need JavaScript; the same charts are in the SVG files next to this page.</p></noscript>
<!--
Vega ${esc(vega.version)} (https://github.com/vega/vega), inlined below under its license:

${vega.license.replace(/--/g, '- -')}
-->
<script>${vega.code}</script>
<script type="application/json" id="livemig-charts">${jsonForScript(specs)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

/** Renders every chart with Vega's SVG renderer; marks each container when done. */
const BOOT = `
(function () {
  var specs = JSON.parse(document.getElementById('livemig-charts').textContent);
  var done = Object.keys(specs).map(function (id) {
    var figure = document.querySelector('figure[data-chart="' + id + '"]');
    var el = figure.querySelector('.chart-view');
    var view = new vega.View(vega.parse(specs[id]), { renderer: 'svg', container: el, hover: true });
    return view.runAsync().then(function () { figure.setAttribute('data-rendered', 'true'); });
  });
  Promise.all(done).then(
    function () { document.body.setAttribute('data-charts-rendered', String(done.length)); },
    function (err) { console.error('livemig report: a chart failed to render', err); }
  );
})();
`;

const STYLE = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; padding: 1em 2em 3em; max-width: 1100px; }
h1 { margin: 0.2em 0; font-size: 1.8em; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 { margin: 0 0 0.4em; font-size: 1.05em; }
.kind { color: #555; margin: 0; }
.hint { color: #555; font-size: 0.95em; }
.description { font-size: 1.05em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 1em; margin: 1em 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #e2e2e2; }
th { text-align: left; background: #f4f4f4; }
td.num, th.num { text-align: right; }
figure.chart { margin: 1.5em 0; }
figcaption { color: #555; max-width: 760px; margin-top: 0.3em; }
details summary { cursor: pointer; font-weight: bold; margin: 1em 0; }
code { font-size: 0.95em; }
`;

function sweepFacts(records: readonly RunRecord[]): string {
  const first = records[0]!;
  const axes = axisPaths(records).map((path) => {
    const values = distinct(records.map((r) => r.params[path]));
    return `<dt>${esc(path)}</dt><dd>${esc(values.map((v) => formatAxisValue(path, v)).join(', '))}</dd>`;
  });
  const seeds = distinct(records.map((r) => r.seed));
  return [
    '<dl class="facts">',
    `<dt>Policies</dt><dd>${esc(policyOrder(records).join(', '))}</dd>`,
    ...axes,
    `<dt>Seeds</dt><dd>${esc(seeds.length <= 12 ? seeds.join(', ') : `${seeds.length} seeds, ${seeds[0]} to ${seeds[seeds.length - 1]}`)}</dd>`,
    `<dt>Fingerprint</dt><dd><code>${esc(first.fingerprint)}</code></dd>`,
    '</dl>',
  ].join('\n');
}

/** Distinct values, compared as JSON, in first-seen order. */
function distinct<T>(xs: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) {
    const k = JSON.stringify(x);
    if (!seen.has(k)) seen.set(k, x);
  }
  return [...seen.values()];
}

function summaryTable(records: readonly RunRecord[]): string {
  const rows = summarizePolicies(records).map((p) =>
    row([
      esc(p.policy),
      num(p.runs),
      num(p.completed),
      num(p.medianDowntimeMs === null ? '–' : formatDuration(p.medianDowntimeMs)),
      num(p.medianTotalTimeMs === null ? '–' : formatDuration(p.medianTotalTimeMs)),
      num(`${p.meanGuestCpuLostPct.toFixed(1)} %`),
    ]),
  );
  return table(
    ['policy', 'runs', 'completed', 'median downtime (completed runs)', 'median total time (completed runs)', 'mean guest CPU lost'],
    rows,
    'policy-summary',
  );
}

function runTable(records: readonly RunRecord[]): string {
  const axes = axisPaths(records);
  const rows = records.slice(0, MAX_RUN_ROWS).map((r) => {
    const s = r.summary;
    return row([
      esc(r.id),
      esc(r.policy),
      num(r.seed),
      ...axes.map((a) => num(formatAxisValue(a, r.params[a]))),
      esc(statusText(s)),
      num(formatDuration(s.totalTimeMs)),
      num(s.downtimeMs === null ? '–' : formatDuration(s.downtimeMs)),
      num(formatBytes(s.transferredBytes)),
      num(s.rounds),
      num(`${s.guestCpuLostPct.toFixed(1)} %`),
    ]);
  });
  return table(['run', 'policy', 'seed', ...axes, 'status', 'total time', 'downtime', 'transferred', 'rounds', 'guest CPU lost'], rows, 'runs-table');
}

function table(headers: string[], rows: string[], id: string): string {
  return `<table id="${id}">\n<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

function row(cells: string[]): string {
  return `<tr>${cells.map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`)).join('')}</tr>`;
}

function num(v: string | number): string {
  return `<td class="num">${esc(String(v))}</td>`;
}

/** Text for HTML content and quoted attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element: no "</script" or "<!--" can appear. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Vega's browser build, version and license, from the installed package. */
function vegaBundle(): { code: string; version: string; license: string } {
  const build = dirname(createRequire(import.meta.url).resolve('vega'));
  const root = dirname(build);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return {
    code: readFileSync(join(build, 'vega.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--'),
    version: pkg.version,
    license: readFileSync(join(root, 'LICENSE'), 'utf8'),
  };
}
