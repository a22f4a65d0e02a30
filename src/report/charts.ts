/**
 * The sweep report's charts, as Vega-Lite specs (https://vega.github.io/vega-lite/), compiled to Vega once here:
 * the HTML page renders the compiled specs with Vega's runtime, and renderSvg() writes the same charts as
 * standalone SVG files for papers. Charts use human units (MiB, s, Gbit/s) and every axis title names its unit.
 *
 * Two kinds of chart:
 * - across the sweep, from the summaries: downtime and total time against bandwidth, one colour per policy,
 *   one point per run, a line through the median of the completed runs at each bandwidth;
 * - at one point of the sweep (one set of axis values and one seed: every policy run there), from the rounds
 *   and the timelines: remaining dirty data per round, throttle and dirty rate over time.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Spec as VegaSpec } from 'vega';
import type { RunRecord } from '../model/run-record.js';
import { MiB } from '../units.js';
import { LivemigError } from '../errors/livemig-error.js';
import { formatBytes, formatDuration, formatRate } from '../units.js';
import { statusText } from './status.js';

/** One chart: an id (also its SVG file name), a heading, a caption and its Vega-Lite spec. */
export interface ChartDef {
  id: string;
  /** Across the whole sweep, or at one point of it. */
  scope: 'sweep' | 'point';
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** One point of the sweep: the runs of every policy at the same axis values and seed. */
export interface SweepPoint {
  params: Record<string, unknown>;
  seed: number;
  runs: RunRecord[];
}

const WIDTH = 560;
const HEIGHT = 260;
/** An axis spanning at least this ratio (max / min, all positive) gets a log scale, so small values stay readable. */
const LOG_SPAN = 100;

/** Drag to pan, wheel to zoom, double-click to reset (in the page; the SVG files are static). */
const ZOOM = [{ name: 'zoom', select: 'interval' as const, bind: 'scales' as const }];

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, orient: 'right' as const, labelLimit: 400 },
  view: { stroke: null },
};

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

function pointKey(r: RunRecord): string {
  return JSON.stringify([r.params, r.seed]);
}

/** Policies in the order they first appear: every chart colours them the same way. */
export function policyOrder(records: readonly RunRecord[]): string[] {
  return [...new Set(records.map((r) => r.policy))];
}

/** The bandwidth the sweep varies: the link (bandwidthBytesPerSec) unless only max-bandwidth is an axis. */
export function bandwidthOf(records: readonly RunRecord[]): { title: string; bytesPerSec: (r: RunRecord) => number } {
  const axes = new Set(records.flatMap((r) => Object.keys(r.params)));
  if (!axes.has('bandwidthBytesPerSec') && axes.has('maxBandwidthBytesPerSec')) {
    return { title: 'Max bandwidth (Gbit/s)', bytesPerSec: (r) => r.scenario.maxBandwidthBytesPerSec };
  }
  return { title: 'Link bandwidth (Gbit/s)', bytesPerSec: (r) => r.scenario.bandwidthBytesPerSec };
}

/** Every chart of the report, the point charts at `point`. Charts without data are left out. */
export function sweepCharts(records: readonly RunRecord[], point: SweepPoint): ChartDef[] {
  const color = colorScale(policyOrder(records));
  return [
    downtimeChart(records, color),
    totalTimeChart(records, color),
    remainingChart(point, color),
    throttleChart(point, color),
    dirtyRateChart(point, color),
  ].filter((c): c is ChartDef => c !== null);
}

type Color = { field: 'policy'; type: 'nominal'; title: string; scale: { domain: string[]; scheme: string } };

function colorScale(policies: string[]): Color {
  return { field: 'policy', type: 'nominal', title: 'Policy', scale: { domain: policies, scheme: policies.length <= 10 ? 'tableau10' : 'category20' } };
}

/** Linear, or log when positive values span LOG_SPAN or more. */
function scaleFor(values: number[], zero = true): { type: 'linear' | 'log'; zero?: boolean } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min <= max && min > 0 && max / min >= LOG_SPAN) return { type: 'log' };
  return { type: 'linear', zero };
}

interface RunRow {
  id: string;
  policy: string;
  seed: number;
  status: string;
  params: string;
  bandwidthGbps: number;
  downtimeMs: number | null;
  totalTimeS: number;
}

function runRows(records: readonly RunRecord[]): RunRow[] {
  const bw = bandwidthOf(records);
  return records.map((r) => ({
    id: r.id,
    policy: r.policy,
    seed: r.seed,
    status: statusText(r.summary),
    params: Object.entries(r.params).map(([k, v]) => `${k} = ${formatAxisValue(k, v)}`).join('; '),
    bandwidthGbps: (bw.bytesPerSec(r) * 8) / 1e9,
    downtimeMs: r.summary.downtimeMs,
    totalTimeS: r.summary.totalTimeMs / 1000,
  }));
}

/** Points per run plus a median line per policy, y against bandwidth. */
function againstBandwidth(
  rows: RunRow[], yField: 'downtimeMs' | 'totalTimeS', yTitle: string, xTitle: string, color: Color,
): TopLevelSpec {
  const x = { field: 'bandwidthGbps', type: 'quantitative' as const, title: xTitle, scale: scaleFor(rows.map((r) => r.bandwidthGbps), false) };
  const y = { field: yField, type: 'quantitative' as const, title: yTitle, scale: scaleFor(rows.map((r) => r[yField] ?? NaN)) };
  // Completed runs are dots; each way of being cancelled gets its own shape, a cross first.
  const statuses = [...new Set(rows.map((r) => r.status))].sort((a, b) => Number(b === 'completed') - Number(a === 'completed') || a.localeCompare(b));
  const outlines = ['cross', 'triangle-up', 'diamond', 'square'];
  const shapes = statuses.map((st) => (st === 'completed' ? 'circle' : outlines[statuses.filter((x) => x !== 'completed').indexOf(st) % outlines.length]!));
  return {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values: rows as unknown as Record<string, unknown>[] },
    layer: [
      {
        transform: [{ filter: "datum.status === 'completed'" }],
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: { x, y: { ...y, aggregate: 'median' }, color },
      },
      {
        params: ZOOM,
        mark: { type: 'point', size: 40, opacity: 0.85, filled: true, clip: true },
        encoding: {
          x,
          y,
          color,
          shape: { field: 'status', type: 'nominal', title: 'Status', scale: { domain: statuses, range: shapes } },
          tooltip: [
            { field: 'id', title: 'run' }, { field: 'policy' }, { field: 'seed' }, { field: 'params' }, { field: 'status' },
            { field: yField, title: yTitle, format: '.4~g' }, { field: 'bandwidthGbps', title: xTitle, format: '.4~g' },
          ],
        },
      },
    ],
  };
}

/** A per-run metric against bandwidth: one point per run with that metric, medians joined per policy. */
function bandwidthChart(
  records: readonly RunRecord[], color: Color,
  c: { id: string; title: string; caption: string; field: 'downtimeMs' | 'totalTimeS'; axis: string },
): ChartDef | null {
  const rows = runRows(records).filter((r) => r[c.field] !== null);
  if (rows.length === 0) return null;
  return { id: c.id, scope: 'sweep', title: c.title, caption: c.caption, spec: againstBandwidth(rows, c.field, c.axis, bandwidthOf(records).title, color) };
}

function downtimeChart(records: readonly RunRecord[], color: Color): ChartDef | null {
  return bandwidthChart(records, color, {
    id: 'downtime-vs-bandwidth',
    title: 'Downtime against bandwidth',
    caption: 'One point per completed run (a cancelled run has no downtime); the line joins the medians per policy.',
    field: 'downtimeMs',
    axis: 'Downtime (ms)',
  });
}

function totalTimeChart(records: readonly RunRecord[], color: Color): ChartDef | null {
  return bandwidthChart(records, color, {
    id: 'total-time-vs-bandwidth',
    title: 'Total migration time against bandwidth',
    caption: 'One point per run, cancelled runs at the time they were cancelled; the line joins the medians of the completed runs per policy.',
    field: 'totalTimeS',
    axis: 'Total time (s)',
  });
}

/** An axis value for people, by the unit its path ends with: "50.0 MB/s (400.00 Mbit/s)", "64 MiB", "300.0 ms". */
export function formatAxisValue(path: string, v: unknown): string {
  if (typeof v === 'number') {
    if (path.endsWith('BytesPerSec')) return formatRate(v);
    if (path.endsWith('Bytes')) return formatBytes(v);
    if (path.endsWith('Ms')) return formatDuration(v);
    return String(v);
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The point named for captions: "bandwidthBytesPerSec = 125.0 MB/s (1.00 Gbit/s), seed 1". */
export function describePoint(point: SweepPoint): string {
  const params = Object.entries(point.params).map(([k, v]) => `${k} = ${formatAxisValue(k, v)}`);
  return [...params, `seed ${point.seed}`].join(', ');
}

function remainingChart(point: SweepPoint, color: Color): ChartDef | null {
  const rows = point.runs.flatMap((r) =>
    r.rounds.map((round) => ({
      policy: r.policy,
      round: round.index,
      phase: round.phase,
      remainingMiB: (round.remainingPages * r.scenario.pageSize) / MiB,
    })),
  );
  if (rows.length === 0) return null;
  const x = { field: 'round', type: 'quantitative' as const, title: 'Round (dirty-log sync)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'remainingMiB', type: 'quantitative' as const, title: 'Remaining dirty data at round start (MiB)', scale: scaleFor(rows.map((r) => r.remainingMiB)) };
  return {
    id: 'remaining-per-round',
    scope: 'point',
    title: 'Remaining dirty data per round',
    caption: `Data still to send at the start of each round, at ${describePoint(point)}; the last point of a completed run is the stop-and-copy round.`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      data: { values: rows },
      params: ZOOM,
      mark: { type: 'line', point: true, strokeWidth: 1.5, clip: true },
      encoding: {
        x, y, color,
        tooltip: [{ field: 'policy' }, { field: 'round' }, { field: 'phase' }, { field: 'remainingMiB', title: 'remaining (MiB)', format: '.4~g' }],
      },
    },
  };
}

function timelineRows(point: SweepPoint): { policy: string; tS: number; throttlePct: number; dirtyMiBps: number }[] {
  return point.runs.flatMap((r) =>
    r.timeline.map((t) => ({
      policy: r.policy,
      tS: t.tMs / 1000,
      throttlePct: t.throttlePct,
      dirtyMiBps: (t.dirtyPagesPerSec * r.scenario.pageSize) / MiB,
    })),
  );
}

const TIME_AXIS = { field: 'tS', type: 'quantitative' as const, title: 'Time since migration start (s)' };

function throttleChart(point: SweepPoint, color: Color): ChartDef | null {
  const rows = timelineRows(point);
  if (rows.length === 0) return null;
  return {
    id: 'throttle-over-time',
    scope: 'point',
    title: 'CPU throttle over time',
    caption: `Mean throttle over the vCPUs in each timeline window (100 ms or a little more; a long step such as a stop-and-copy is one window), at ${describePoint(point)}.`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      data: { values: rows },
      params: ZOOM,
      mark: { type: 'line', interpolate: 'step-before', strokeWidth: 1.5, clip: true },
      encoding: {
        x: TIME_AXIS,
        y: { field: 'throttlePct', type: 'quantitative', title: 'Throttle (%)', scale: { domain: [0, 100] } },
        color,
        tooltip: [{ field: 'policy' }, { field: 'tS', title: 'time (s)', format: '.3f' }, { field: 'throttlePct', title: 'throttle (%)', format: '.1f' }],
      },
    },
  };
}

function dirtyRateChart(point: SweepPoint, color: Color): ChartDef | null {
  const rows = timelineRows(point);
  const first = point.runs[0];
  if (rows.length === 0 || first === undefined) return null;
  const s = first.scenario;
  const rateMiBps = Math.min(s.bandwidthBytesPerSec, s.maxBandwidthBytesPerSec) / MiB;
  return {
    id: 'dirty-rate-over-time',
    scope: 'point',
    title: 'Dirty rate over time',
    caption:
      `Dirty-ring entries (pages newly dirtied) per second over each timeline window (100 ms or a little more; a long step such as a stop-and-copy is one window), as data, at ${describePoint(point)}. ` +
      `The dashed line is the migration's rate limit (link or max-bandwidth, whichever is lower): ${rateMiBps.toFixed(1)} MiB/s.`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      layer: [
        {
          data: { values: rows },
          params: ZOOM,
          mark: { type: 'line', strokeWidth: 1, opacity: 0.85, clip: true },
          encoding: {
            x: TIME_AXIS,
            y: { field: 'dirtyMiBps', type: 'quantitative', title: 'Dirty rate (MiB/s)' },
            color,
            tooltip: [{ field: 'policy' }, { field: 'tS', title: 'time (s)', format: '.3f' }, { field: 'dirtyMiBps', title: 'dirty rate (MiB/s)', format: '.4~g' }],
          },
        },
        {
          data: { values: [{ rateMiBps }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: '#555', clip: true },
          encoding: { y: { field: 'rateMiBps', type: 'quantitative' } },
        },
      ],
    },
  };
}

/** The chart as a Vega spec (what the page and the SVG renderer run), without the schema URL. */
export async function compileChart(chart: ChartDef): Promise<VegaSpec> {
  const { compile } = await import('vega-lite');
  const spec = compile(chart.spec).spec as VegaSpec & { $schema?: string };
  delete spec.$schema;
  return spec;
}

/** Renders a compiled chart to a standalone SVG document (no browser: Vega's headless view). */
export async function renderSvg(spec: VegaSpec): Promise<string> {
  const vega = await import('vega');
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
