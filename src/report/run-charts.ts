/**
 * The per-run charts, as Vega-Lite specs: remaining dirty data per round, throttle and dirty rate over time, one
 * line per policy. Shared by the sweep's HTML report (at one point of the sweep) and the playground (its two
 * columns), so both draw the same charts from the same code. Browser-safe: imports nothing from Node, and only
 * types from Vega-Lite (compiling and rendering are the caller's).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResolvedScenario, RoundRecord, TimelineSample } from '../model/report.js';
import { MiB } from '../units.js';

/** One chart: an id (also its SVG file name), a heading, a caption and its Vega-Lite spec. */
export interface ChartDef {
  id: string;
  /** Across the whole sweep, or at one point of it (one run per policy). */
  scope: 'sweep' | 'point';
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** What a per-run chart reads from a run: a MigrationReport with its policy label, or a sweep's RunRecord. */
export interface ChartRun {
  policy: string;
  scenario: ResolvedScenario;
  rounds: readonly RoundRecord[];
  timeline: readonly TimelineSample[];
}

export const WIDTH = 560;
export const HEIGHT = 260;
/** An axis spanning at least this ratio (max / min, all positive) gets a log scale, so small values stay readable. */
const LOG_SPAN = 100;

/** Drag to pan, wheel to zoom, double-click to reset (in the page; the SVG files are static). */
export const ZOOM = [{ name: 'zoom', select: 'interval' as const, bind: 'scales' as const }];

export const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const, orient: 'right' as const, labelLimit: 400 },
  view: { stroke: null },
};

export type Color = { field: 'policy'; type: 'nominal'; title: string; scale: { domain: string[]; scheme: string } };

/** One colour per policy, in the order given, so every chart colours them the same way. */
export function colorScale(policies: string[]): Color {
  return { field: 'policy', type: 'nominal', title: 'Policy', scale: { domain: policies, scheme: policies.length <= 10 ? 'tableau10' : 'category20' } };
}

/** Linear, or log when positive values span LOG_SPAN or more. */
export function scaleFor(values: number[], zero = true): { type: 'linear' | 'log'; zero?: boolean } {
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

/**
 * The per-run charts of `runs` (one run per policy, same guest); `where` ends each caption ("at bandwidth = …,
 * seed 1"); `policies` fixes the colour order (default: the runs' order). Charts without data are left out.
 */
export function runCharts(runs: readonly ChartRun[], where: string, policies: string[] = runs.map((r) => r.policy)): ChartDef[] {
  const color = colorScale(policies);
  return [remainingChart(runs, where, color), throttleChart(runs, where, color), dirtyRateChart(runs, where, color)].filter((c): c is ChartDef => c !== null);
}

function remainingChart(runs: readonly ChartRun[], where: string, color: Color): ChartDef | null {
  const rows = runs.flatMap((r) =>
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
    caption: `Data still to send at the start of each round, ${where}; the last point of a completed run is the stop-and-copy round.`,
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

function timelineRows(runs: readonly ChartRun[]): { policy: string; tS: number; throttlePct: number; dirtyMiBps: number }[] {
  return runs.flatMap((r) =>
    r.timeline.map((t) => ({
      policy: r.policy,
      tS: t.tMs / 1000,
      throttlePct: t.throttlePct,
      dirtyMiBps: (t.dirtyPagesPerSec * r.scenario.pageSize) / MiB,
    })),
  );
}

const TIME_AXIS = { field: 'tS', type: 'quantitative' as const, title: 'Time since migration start (s)' };

function throttleChart(runs: readonly ChartRun[], where: string, color: Color): ChartDef | null {
  const rows = timelineRows(runs);
  if (rows.length === 0) return null;
  return {
    id: 'throttle-over-time',
    scope: 'point',
    title: 'CPU throttle over time',
    caption: `Mean throttle over the vCPUs in each timeline window (100 ms or a little more; a long step such as a stop-and-copy is one window), ${where}.`,
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

function dirtyRateChart(runs: readonly ChartRun[], where: string, color: Color): ChartDef | null {
  const rows = timelineRows(runs);
  const first = runs[0];
  if (rows.length === 0 || first === undefined) return null;
  const s = first.scenario;
  const rateMiBps = Math.min(s.bandwidthBytesPerSec, s.maxBandwidthBytesPerSec) / MiB;
  return {
    id: 'dirty-rate-over-time',
    scope: 'point',
    title: 'Dirty rate over time',
    caption:
      `Dirty-ring entries (pages newly dirtied) per second over each timeline window (100 ms or a little more; a long step such as a stop-and-copy is one window), as data, ${where}. ` +
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
