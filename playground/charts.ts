/**
 * The chart runtime of the playground (Vega and Vega-Lite's compiler), bundled apart as charts.js and loaded
 * once the first result is shown, so parsing its ~800 KB never delays that result. Renders the run-chart specs
 * of src/report/run-charts.ts.
 */
import { parse, View, type Spec as VegaSpec } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface ChartRuntime {
  render(spec: TopLevelSpec, container: HTMLElement): Promise<{ finalize(): void }>;
}

const runtime: ChartRuntime = {
  async render(spec, container) {
    const view = new View(parse(compile(spec).spec as VegaSpec), { renderer: 'svg', container, hover: true });
    await view.runAsync();
    return view;
  },
};
(globalThis as unknown as { livemigCharts: ChartRuntime }).livemigCharts = runtime;
