/**
 * Charts of single runs (rounds and timelines), as Vega-Lite specs: remaining dirty data per round, throttle and
 * dirty rate over time. Browser-safe (no Node imports, vega-lite only as types), so the playground can build the
 * same charts from a report in the page; the sweep report (charts.ts) draws them at one point of a sweep.
 *
 * Policies are told apart by colour and by dash or shape (a grey print or a colour-blind reader still can).
 * Time series are trimmed to the completed runs: a cancelled run (300 s of a guest that never converges) is cut
 * at the end of the longest completed run and marked "cancelled at …", instead of stretching the axis, and the
 * timelines are faceted per policy instead of overlaid.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunRecord } from '../model/run-record.js';
import { MiB, formatDuration } from '../units.js';
import { pointText } from './axes.js';
import { finiteExtent } from '../util/extent.js';

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

export const WIDTH = 560;
export const HEIGHT = 260;
/** An axis spanning at least this ratio (max / min, all positive) gets a log scale, so small values stay readable. */
export const LOG_SPAN = 100;

/** Drag to pan, wheel to zoom, double-click to reset (in the page; the SVG files are static). */
export const ZOOM = [{ name: 'zoom', select: 'interval' as const, bind: 'scales' as const }];

export const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, orient: 'right' as const, labelLimit: 400, symbolStrokeWidth: 2, symbolSize: 80, symbolOpacity: 1 },
  header: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const },
  view: { stroke: '#ddd' },
};

/** Dash patterns and point shapes, one per policy (cycled), so series differ by more than colour. */
const DASHES = [[1, 0], [7, 3], [2, 2], [9, 3, 2, 3], [4, 4], [1, 3], [12, 4], [4, 2, 1, 2, 1, 2], [6, 6], [3, 6]];
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'triangle-down', 'cross', 'triangle-right', 'triangle-left', 'wedge', 'arrow'];

/** The encodings that tell policies apart; every chart of a report uses the same, so a policy looks the same everywhere. */
export interface PolicyStyle {
  color: { field: 'policy'; type: 'nominal'; title: string; scale: { domain: string[]; scheme: string } };
  strokeDash: { field: 'policy'; type: 'nominal'; title: string; scale: { domain: string[]; range: number[][] } };
  shape: { field: 'policy'; type: 'nominal'; title: string; scale: { domain: string[]; range: string[] } };
}
/** The colour encoding of the policies (kept under its old name: charts take it as `color`). */
export type Color = PolicyStyle;

export function colorScale(policies: string[]): PolicyStyle {
  const domain = policies;
  return {
    color: { field: 'policy', type: 'nominal', title: 'Policy', scale: { domain, scheme: policies.length <= 10 ? 'tableau10' : 'category20' } },
    strokeDash: { field: 'policy', type: 'nominal', title: 'Policy', scale: { domain, range: policies.map((_, i) => DASHES[i % DASHES.length]!) } },
    shape: { field: 'policy', type: 'nominal', title: 'Policy', scale: { domain, range: policies.map((_, i) => SHAPES[i % SHAPES.length]!) } },
  };
}

/** Policies in the order they first appear: every chart styles them the same way. */
export function policyOrder(records: readonly RunRecord[]): string[] {
  return [...new Set(records.map((r) => r.policy))];
}

/** Linear, or log when positive values span LOG_SPAN or more. */
export function scaleFor(values: number[], zero = true): { type: 'linear' | 'log'; zero?: boolean } {
  const { min, max } = finiteExtent(values);
  if (min <= max && min > 0 && max / min >= LOG_SPAN) return { type: 'log' };
  return { type: 'linear', zero };
}

/** The point named for captions: "bandwidth 1Gbit/s, seed 1". */
export function describePoint(point: Pick<SweepPoint, 'params' | 'seed'>): string {
  return [pointText(point.params), `seed ${point.seed}`].filter((s) => s !== '').join(', ');
}

export function remainingChart(point: SweepPoint, color: Color): ChartDef | null {
  const rows = point.runs.flatMap((r) =>
    r.rounds.map((round) => ({
      policy: r.policy,
      round: round.index,
      phase: round.phase,
      remainingMiB: (round.remainingPages * r.scenario.pageSize) / MiB,
    })),
  );
  if (rows.length === 0) return null;
  const scale = scaleFor(rows.map((r) => r.remainingMiB));
  // A log axis cannot show 0 (a run that ends with nothing left): those points are left out there.
  const shown = scale.type === 'log' ? rows.filter((r) => r.remainingMiB > 0) : rows;
  const x = { field: 'round', type: 'quantitative' as const, title: 'Round (dirty-log sync)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'remainingMiB', type: 'quantitative' as const, title: 'Remaining dirty data at round start (MiB)', scale };
  return {
    id: 'remaining-per-round',
    scope: 'point',
    title: 'Remaining dirty data per round',
    caption: `Data still to send at the start of each round, at ${describePoint(point)}; the last point of a completed run is the stop-and-copy round.`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      data: { values: shown },
      params: ZOOM,
      mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 1.5, clip: true },
      encoding: {
        x, y, color: color.color, strokeDash: color.strokeDash, shape: color.shape,
        tooltip: [{ field: 'policy' }, { field: 'round' }, { field: 'phase' }, { field: 'remainingMiB', title: 'remaining (MiB)', format: '.4~g' }],
      },
    },
  };
}

/**
 * The end of the time axis: the longest completed run (a little margin), so one cancelled run does not stretch
 * it; every run's end when none completed.
 */
export function timeEndS(runs: readonly RunRecord[]): number {
  const done = runs.filter((r) => r.summary.status === 'completed');
  const ends = (done.length > 0 ? done : runs).map((r) => r.summary.totalTimeMs / 1000);
  return Math.max(1e-3, ...ends) * 1.03;
}

interface TimeRow { kind: 'sample' | 'cancelled'; policy: string; tS: number; throttlePct: number; dirtyMiBps: number; limitMiBps: number; label: string }

/** The timeline samples up to the time axis's end, and one "cancelled at …" row per run cut there. */
function timelineRows(point: SweepPoint, endS: number): TimeRow[] {
  return point.runs.flatMap((r): TimeRow[] => {
    const limitMiBps = Math.min(r.scenario.bandwidthBytesPerSec, r.scenario.maxBandwidthBytesPerSec) / MiB;
    const samples = r.timeline
      .filter((t) => t.tMs / 1000 <= endS)
      .map((t) => ({ kind: 'sample' as const, policy: r.policy, tS: t.tMs / 1000, throttlePct: t.throttlePct, dirtyMiBps: (t.dirtyPagesPerSec * r.scenario.pageSize) / MiB, limitMiBps, label: '' }));
    if (r.summary.status === 'completed' || r.summary.totalTimeMs / 1000 <= endS) return samples;
    const label = `cancelled (${r.summary.reason}) at ${formatDuration(r.summary.totalTimeMs)} →`;
    return [...samples, { kind: 'cancelled', policy: r.policy, tS: endS, throttlePct: 0, dirtyMiBps: 0, limitMiBps, label }];
  });
}

/** A timeline chart: one panel per policy (lines of different policies would tangle), cancelled runs marked. */
function timelineFacets(point: SweepPoint, color: Color, c: { id: string; title: string; caption: string; y: Record<string, unknown>; field: 'throttlePct' | 'dirtyMiBps'; interpolate?: 'step-before'; limit?: boolean }): ChartDef | null {
  const endS = timeEndS(point.runs);
  const rows = timelineRows(point, endS);
  if (!rows.some((r) => r.kind === 'sample')) return null;
  const x = { field: 'tS', type: 'quantitative' as const, title: 'Time since migration start (s)', scale: { domain: [0, endS], nice: false } };
  const layers: Record<string, unknown>[] = [
    {
      transform: [{ filter: "datum.kind === 'sample'" }],
      mark: { type: 'line', strokeWidth: 1.3, clip: true, ...(c.interpolate ? { interpolate: c.interpolate } : {}) },
      encoding: {
        x, y: { field: c.field, ...c.y }, color: color.color, strokeDash: color.strokeDash,
        tooltip: [{ field: 'policy' }, { field: 'tS', title: 'time (s)', format: '.3f' }, { field: c.field, title: String(c.y['title']), format: '.4~g' }],
      },
    },
    {
      transform: [{ filter: "datum.kind === 'cancelled'" }],
      mark: { type: 'text', align: 'right', baseline: 'top', dx: -4, dy: 4, fontSize: 11, color: '#b00' },
      encoding: { x, y: { value: 0 }, text: { field: 'label' } },
    },
  ];
  if (c.limit) {
    layers.push({
      transform: [{ filter: "datum.kind === 'sample'" }],
      mark: { type: 'rule', strokeDash: [6, 4], color: '#555' },
      encoding: { y: { field: 'limitMiBps', aggregate: 'max', type: 'quantitative' } },
    });
  }
  return {
    id: c.id,
    scope: 'point',
    title: c.title,
    caption: `${c.caption} One panel per policy, at ${describePoint(point)}; the time axis ends with the longest completed run, and a run cancelled later is marked where it is cut.`,
    spec: {
      config: CONFIG,
      data: { values: rows },
      facet: { row: { field: 'policy', type: 'nominal', title: null, sort: color.color.scale.domain, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 200 } } },
      spacing: 6,
      // Panels tall enough for the y title, which every row repeats.
      spec: { width: WIDTH, height: 80, layer: layers },
    } as unknown as TopLevelSpec,
  };
}

export function throttleChart(point: SweepPoint, color: Color): ChartDef | null {
  return timelineFacets(point, color, {
    id: 'throttle-over-time',
    title: 'CPU throttle over time',
    caption: 'Mean throttle over the vCPUs in each timeline window (100 ms or a little more; a long step such as a stop-and-copy is one window).',
    field: 'throttlePct',
    y: { type: 'quantitative', title: 'Throttle (%)', scale: { domain: [0, 100] }, axis: { tickCount: 3 } },
    interpolate: 'step-before',
  });
}

export function dirtyRateChart(point: SweepPoint, color: Color): ChartDef | null {
  const first = point.runs[0];
  if (first === undefined) return null;
  const s = first.scenario;
  const rateMiBps = Math.min(s.bandwidthBytesPerSec, s.maxBandwidthBytesPerSec) / MiB;
  return timelineFacets(point, color, {
    id: 'dirty-rate-over-time',
    title: 'Dirty rate over time',
    caption:
      'Dirty-ring entries (pages newly dirtied) per second over each timeline window, as data. ' +
      `The dashed line is the migration's rate limit (link or max-bandwidth, whichever is lower): ${rateMiBps.toFixed(1)} MiB/s.`,
    field: 'dirtyMiBps',
    y: { type: 'quantitative', title: 'Dirty (MiB/s)', axis: { tickCount: 3 } },
    limit: true,
  });
}

/** What a per-run chart reads from a run: a sweep's RunRecord, or a MigrationReport with its policy label. */
export type ChartRun = Pick<RunRecord, 'policy' | 'scenario' | 'summary' | 'rounds' | 'timeline'>;

/**
 * The per-run charts of `runs` (one run per policy, same guest), outside a sweep (the playground): the same
 * builders as the sweep report's point charts; `policies` fixes the colour order (default: the runs' order).
 * Charts without data are left out.
 */
export function runCharts(runs: readonly ChartRun[], policies: string[] = runs.map((r) => r.policy)): ChartDef[] {
  const point: SweepPoint = { params: {}, seed: runs[0]?.scenario.seed ?? 0, runs: runs as RunRecord[] };
  const color = colorScale(policies);
  return [remainingChart(point, color), throttleChart(point, color), dirtyRateChart(point, color)].filter((c): c is ChartDef => c !== null);
}
