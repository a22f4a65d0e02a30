/**
 * The sweep report's charts, as Vega-Lite specs (https://vega.github.io/vega-lite/), compiled to Vega once here:
 * the HTML page renders the compiled specs with Vega's runtime, and renderSvg() writes the same charts as
 * standalone SVG files for papers. The charts follow the experiment's axes:
 *
 * - per outcome (downtime, total time, data sent, guest CPU lost) and per swept axis, the median across seeds with
 *   a min–max band, one series per policy (colour and dash and shape), small multiples over the other axes, a log
 *   x axis when the axis values are a geometric series, cancelled runs as crosses;
 * - the trade-off: downtime against guest CPU lost, one mark per policy at each point;
 * - at one point of the sweep (one set of axis values and one seed), the per-run charts of run-charts.ts.
 *
 * Axes are named as users write them (`bandwidth`, from the option table's flags: axes.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Spec as VegaSpec } from 'vega';
import type { RunRecord } from '../model/run-record.js';
import { LivemigError } from '../errors/livemig-error.js';
import { axisLabel, axisScale, axisValueText, isGeometric, pointText } from './axes.js';
import { axisPaths } from './csv.js';
import { OUTCOMES, summarizePoints, type PointSummary } from './point-summary.js';
import {
  type ChartDef, type Color, type SweepPoint, CONFIG, HEIGHT, WIDTH, ZOOM, colorScale, describePoint, dirtyRateChart, policyOrder,
  remainingChart, scaleFor, throttleChart,
} from './run-charts.js';
import { statusText } from './status.js';
import { loadVega, loadVegaLite } from './chart-libs.js';

export type { ChartDef, SweepPoint };
export { describePoint, policyOrder };

/** Most panels of small multiples in one row. */
const FACET_COLUMNS = 3;

/** The point of `id`'s run, or of the first run. */
export function sweepPoint(records: readonly RunRecord[], id?: string): SweepPoint {
  const chosen = id === undefined ? records[0] : records.find((r) => r.id === id);
  if (chosen === undefined) {
    if (id === undefined) throw new LivemigError('no runs in the results');
    const some = records.slice(0, 5).map((r) => r.id).join(', ');
    throw new LivemigError(`no run "${id}" in the results (runs are ${some}${records.length > 5 ? ', ...' : ''})`);
  }
  const key = pointKey(chosen);
  return { params: chosen.params, seed: chosen.seed, runs: records.filter((r) => pointKey(r) === key) };
}

/** The runs of one sweep point share this key (their axis values and seed). */
export function pointKey(r: RunRecord): string {
  return JSON.stringify([r.params, r.seed]);
}

/** Every chart of the report, the point charts at `point`. Charts without data are left out. */
export function sweepCharts(records: readonly RunRecord[], point: SweepPoint): ChartDef[] {
  const color = colorScale(policyOrder(records));
  const summaries = summarizePoints(records);
  const axes = axisPaths(records);
  const perAxis = axes.flatMap((axis) => OUTCOMES.map((o) => outcomeChart(records, summaries, axes, axis, o, color)));
  return [
    ...perAxis,
    ...(axes.length === 0 ? OUTCOMES.map((o) => byPolicyChart(summaries, o, color)) : []),
    tradeOffChart(summaries, axes, color),
    remainingChart(point, color),
    throttleChart(point, color),
    dirtyRateChart(point, color),
  ].filter((c): c is ChartDef => c !== null);
}

type Outcome = (typeof OUTCOMES)[number];

interface SeriesRow {
  policy: string;
  x: number;
  xText: string;
  facet: string;
  median: number;
  lo: number;
  hi: number;
  runs: string;
}

/** The "other axes" text of a point: the small multiple it belongs in. */
function facetOf(params: Record<string, unknown>, others: readonly string[]): string {
  return others.length === 0 ? '' : pointText(params, others);
}

/** One outcome against one axis: median and min–max band per policy, small multiples over the other axes. */
function outcomeChart(
  records: readonly RunRecord[], summaries: readonly PointSummary[], axes: readonly string[], axis: string, o: Outcome, color: Color,
): ChartDef | null {
  const others = axes.filter((a) => a !== axis);
  const xs = summaries.map((s) => s.params[axis]).filter((v): v is number => typeof v === 'number');
  if (xs.length !== summaries.length) return null; // a non-numeric axis (an enum) is left to the tables
  const xScale = axisScale(axis, xs);
  const logX = isGeometric(xs);
  const rows: SeriesRow[] = summaries.flatMap((s): SeriesRow[] => {
    const v = s.outcomes[o.id];
    if (v === null) return [];
    return [{
      policy: s.policy, x: (s.params[axis] as number) * xScale.factor, xText: axisValueText(axis, s.params[axis]), facet: facetOf(s.params, others),
      median: v.median * o.factor, lo: v.min * o.factor, hi: v.max * o.factor, runs: `${s.completed}/${s.runs} completed`,
    }];
  });
  // Cancelled runs are marked where their outcome is defined (a cancelled run has no downtime).
  const cancelled = records.filter((r) => r.summary.status !== 'completed' && o.of(r) !== null).map((r) => ({
    policy: r.policy, x: (r.params[axis] as number) * xScale.factor, xText: axisValueText(axis, r.params[axis]), facet: facetOf(r.params, others),
    value: (o.of(r) as number) * o.factor, run: r.id, seed: r.seed, status: statusText(r.summary),
  }));
  if (rows.length === 0 && cancelled.length === 0) return null;
  const yTitle = `${o.title} (${o.unit})`;
  const yScale = scaleFor([...rows.flatMap((r) => [r.lo, r.hi]), ...cancelled.map((c) => c.value)]);
  const positive = (v: number) => yScale.type !== 'log' || v > 0;
  const x = { field: 'x', type: 'quantitative' as const, title: xScale.title, scale: logX ? { type: 'log' as const, nice: false, padding: 12 } : { zero: false, padding: 12 }, axis: logX ? { values: [...new Set(xs.map((v) => v * xScale.factor))] } : {} };
  const y = { type: 'quantitative' as const, title: yTitle, scale: yScale };
  const tooltip = [
    { field: 'policy' }, { field: 'xText', title: axisLabel(axis) }, ...(others.length > 0 ? [{ field: 'facet', title: 'at' }] : []),
    { field: 'median', title: `median ${o.title.toLowerCase()} (${o.unit})`, format: '.4~g' }, { field: 'lo', title: 'min', format: '.4~g' },
    { field: 'hi', title: 'max', format: '.4~g' }, { field: 'runs' },
  ];
  const layers: Record<string, unknown>[] = [
    {
      data: { values: rows.filter((r) => positive(r.lo)) },
      mark: { type: 'area', opacity: 0.14, clip: true },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: color.color },
    },
    {
      data: { values: rows.filter((r) => positive(r.median)) },
      mark: { type: 'line', strokeWidth: 1.8, clip: true },
      encoding: { x, y: { ...y, field: 'median' }, color: color.color, strokeDash: color.strokeDash },
    },
    {
      data: { values: rows.filter((r) => positive(r.median)) },
      ...(others.length === 0 ? { params: ZOOM } : {}),
      // Hollow shapes: policies with identical results show as overlapping outlines instead of hiding each other.
      mark: { type: 'point', filled: false, strokeWidth: 1.6, size: 55, opacity: 0.95, clip: true },
      encoding: { x, y: { ...y, field: 'median' }, color: color.color, shape: color.shape, tooltip },
    },
  ];
  if (cancelled.length > 0) {
    layers.push({
      data: { values: cancelled.filter((c) => positive(c.value)) },
      mark: { type: 'point', shape: 'cross', size: 70, strokeWidth: 1.5, filled: false, clip: true },
      encoding: {
        x, y: { ...y, field: 'value' }, color: color.color,
        tooltip: [{ field: 'run' }, { field: 'policy' }, { field: 'seed' }, { field: 'status' }, { field: 'xText', title: axisLabel(axis) }, { field: 'value', title: yTitle, format: '.4~g' }],
      },
    });
  }
  const facets = [...new Set([...rows.map((r) => r.facet), ...cancelled.map((c) => c.facet)])];
  const single = facets.length <= 1;
  const label = axisLabel(axis);
  const spec = single
    ? { width: WIDTH, height: HEIGHT, config: CONFIG, layer: layers }
    : {
        config: CONFIG,
        // Layers carry their own data; the facet field comes from each.
        facet: { field: 'facet', type: 'ordinal', title: others.map(axisLabel).join(', '), sort: facets },
        columns: Math.min(FACET_COLUMNS, facets.length),
        spec: { width: 250, height: 170, layer: layers },
        resolve: { scale: { x: 'shared', y: 'shared' } },
      };
  // Layered data under a facet: put the union in the facet's data and filter per layer.
  const finalSpec = single ? spec : facetedData(spec as FacetSpec);
  return {
    id: `${o.id}-vs-${label}`,
    scope: 'sweep',
    title: `${o.title} against ${label}`,
    caption:
      `${o.id === 'downtime' ? 'Downtime of the completed runs' : `${o.title} of the completed runs`}: the median across seeds per policy, ` +
      `the band from the lowest to the highest seed${cancelled.length > 0 ? '; a cross is a cancelled run' : ''}.` +
      `${logX ? ` The ${label} axis is logarithmic (its values are a geometric series).` : ''}` +
      `${single ? '' : ` One panel per ${others.map(axisLabel).join(' × ')}.`}`,
    spec: finalSpec as unknown as TopLevelSpec,
  };
}

interface FacetSpec { facet: unknown; spec: { layer: { data?: { values: Record<string, unknown>[] }; transform?: unknown[] }[] } }

/** A faceted layered chart needs one data source: tag each layer's rows and filter them back out per layer. */
function facetedData(spec: FacetSpec): Record<string, unknown> {
  const values: Record<string, unknown>[] = [];
  const layer = spec.spec.layer.map((l, i) => {
    for (const v of l.data?.values ?? []) values.push({ ...v, layerIndex: i });
    const { data: _data, ...rest } = l;
    return { ...rest, transform: [{ filter: `datum.layerIndex === ${i}` }, ...(l.transform ?? [])] };
  });
  return { ...spec, data: { values }, spec: { ...spec.spec, layer } };
}

/** Without axes: each outcome per policy, median and min–max across seeds. */
function byPolicyChart(summaries: readonly PointSummary[], o: Outcome, color: Color): ChartDef | null {
  const rows = summaries.flatMap((s) => {
    const v = s.outcomes[o.id];
    return v === null ? [] : [{ policy: s.policy, median: v.median * o.factor, lo: v.min * o.factor, hi: v.max * o.factor, runs: `${s.completed}/${s.runs} completed` }];
  });
  if (rows.length === 0) return null;
  const x = { field: 'policy', type: 'nominal' as const, title: 'Policy', sort: color.color.scale.domain, axis: { labelAngle: -30 } };
  const yTitle = `${o.title} (${o.unit})`;
  return {
    id: `${o.id}-by-policy`,
    scope: 'sweep',
    title: `${o.title} per policy`,
    caption: `Median across seeds of the completed runs, with the range from the lowest to the highest seed.`,
    spec: {
      width: WIDTH, height: HEIGHT, config: CONFIG, data: { values: rows },
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' }, color: color.color } },
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y: { field: 'median', type: 'quantitative', title: yTitle }, color: color.color, shape: color.shape, tooltip: [{ field: 'policy' }, { field: 'median', format: '.4~g' }, { field: 'runs' }] } },
      ],
    },
  };
}

/** The trade-off of the seed paper: downtime against the guest CPU it cost, one mark per policy at each point. */
function tradeOffChart(summaries: readonly PointSummary[], axes: readonly string[], color: Color): ChartDef | null {
  const rows = summaries.flatMap((s) => {
    const d = s.outcomes.downtime;
    const c = s.outcomes['guest-cpu-lost'];
    if (d === null || c === null) return [];
    return [{ policy: s.policy, point: pointText(s.params, axes) || 'all runs', downtimeMs: d.median, cpuLostPct: c.median, runs: `${s.completed}/${s.runs} completed` }];
  });
  if (rows.length === 0) return null;
  const points = [...new Set(rows.map((r) => r.point))];
  const facet = points.length > 1 && points.length <= 12;
  const xScale = scaleFor(rows.map((r) => r.downtimeMs));
  const shown = xScale.type === 'log' ? rows.filter((r) => r.downtimeMs > 0) : rows;
  const layer = {
    mark: { type: 'point', filled: false, strokeWidth: 1.6, size: 70, opacity: 0.95 },
    encoding: {
      x: { field: 'downtimeMs', type: 'quantitative', title: 'Downtime (ms)', scale: xScale },
      y: { field: 'cpuLostPct', type: 'quantitative', title: 'Guest CPU lost (%)', scale: { zero: true } },
      color: color.color, shape: color.shape,
      tooltip: [{ field: 'policy' }, { field: 'point' }, { field: 'downtimeMs', title: 'median downtime (ms)', format: '.4~g' }, { field: 'cpuLostPct', title: 'median guest CPU lost (%)', format: '.3~g' }, { field: 'runs' }],
    },
  };
  const spec = facet
    ? { config: CONFIG, data: { values: shown }, facet: { field: 'point', type: 'ordinal', title: axes.map(axisLabel).join(', '), sort: points }, columns: Math.min(FACET_COLUMNS, points.length), spec: { width: 250, height: 170, ...layer } }
    : { width: WIDTH, height: HEIGHT, config: CONFIG, data: { values: shown }, params: ZOOM, ...layer };
  return {
    id: 'downtime-vs-guest-cpu-lost',
    scope: 'sweep',
    title: 'Trade-off: downtime against guest CPU lost',
    caption:
      'Each mark is one policy at one point of the sweep (medians across seeds of the completed runs): lower left is better on both. ' +
      (facet ? 'One panel per point.' : points.length > 1 ? 'All points in one panel (hover a mark for its point).' : ''),
    spec: spec as unknown as TopLevelSpec,
  };
}

/** An axis value for people, as its flag takes it: "10Gbit/s", "64MiB", "300ms". */
export function formatAxisValue(path: string, v: unknown): string {
  return axisValueText(path, v);
}

/** The chart as a Vega spec (what the page and the SVG renderer run), without the schema URL. */
export async function compileChart(chart: ChartDef): Promise<VegaSpec> {
  const { compile } = await loadVegaLite();
  const spec = compile(chart.spec).spec as VegaSpec & { $schema?: string };
  delete spec.$schema;
  return spec;
}

/** Renders a compiled chart to a standalone SVG document (no browser: Vega's headless view). */
export async function renderSvg(spec: VegaSpec): Promise<string> {
  const vega = await loadVega();
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
