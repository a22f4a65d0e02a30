/**
 * The playground: one page, two policies on the same guest. Every control is derived from the option, workload
 * and controller tables and holds the CLI's flag text ("2GiB", "1Gbit/s"), read by the CLI's own parser
 * (toMigrationOptions), so a scenario here is exactly `livemig run` with those flags. Runs go through
 * migrateAsync() in Web Workers; charts come from the report's run-chart specs (src/report/run-charts.ts).
 */
import { migrateAsync } from '../src/api/migrate-async-web.js';
import type { MigrationProgress } from '../src/api/async.js';
import { scenarioOptions } from '../src/api/scenario-options.js';
import { toMigrationOptions, withFlagName, type ScenarioFlags } from '../src/cli/flags.js';
import { CONTROLLERS, CONTROLLER_TABLE, type BuiltInControllerName } from '../src/model/controllers.js';
import type { FieldSpec } from '../src/model/fields.js';
import { OPTION_ROWS, type OptionSpec } from '../src/model/option-table.js';
import type { MigrationOptions } from '../src/model/options.js';
import type { MigrationReport } from '../src/model/report.js';
import { WORKLOAD_KINDS, WORKLOAD_TABLE, type WorkloadKind, type WorkloadSpec } from '../src/model/workloads.js';
import { runCharts, type ChartDef } from '../src/report/run-charts.js';
import { statusText } from '../src/report/status.js';
import { PRESETS } from '../src/scenarios/presets.js';
import type { ChartRuntime } from './charts.js';
import { formatBytes, formatBytesExact, formatDuration, formatDurationExact, formatRate, formatRateExact } from '../src/units.js';

/** The worker's code, bundled by scripts/build-playground.mjs; started from a blob: URL so the page also works from file://. */
declare const __LIVEMIG_WORKER__: string;
const workerUrl = URL.createObjectURL(new Blob([__LIVEMIG_WORKER__], { type: 'text/javascript' }));
const startWorker = (): Worker => new Worker(workerUrl);

const $ = <T extends HTMLElement>(sel: string, root: ParentNode = document): T => root.querySelector(sel) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & Record<string, unknown> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith('data-') || k.startsWith('aria-') || k === 'for' || k === 'role') e.setAttribute(k, String(v));
    else (e as unknown as Record<string, unknown>)[k] = v;
  }
  e.append(...kids);
  return e;
};

// ---- the controls, from the tables ----

/** "--page-size" -> "pageSize": the key toMigrationOptions reads a flag's text from (commander's). */
const camel = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** A value as its flag is written, exactly (what the CLI's parser reads back as the same number). */
function flagText(f: OptionSpec | FieldSpec, v: unknown): string {
  if (typeof v !== 'number') return String(v);
  switch (f.kind) {
    case 'bytes': return formatBytesExact(v);
    case 'rate': return formatRateExact(v);
    case 'duration': return formatDurationExact(v);
    case 'page-rate': return `${v}pages/s`;
    default: return String(v);
  }
}

function defaultText(f: OptionSpec | FieldSpec): string {
  if (f.defaultText !== undefined) return f.defaultText;
  if (f.default === undefined || f.default === null || typeof f.default === 'function' || typeof f.default === 'object') return '';
  return flagText(f, f.default);
}

interface Control { key: string; flag: string; spec: OptionSpec | FieldSpec; input: HTMLInputElement | HTMLSelectElement; row: HTMLElement }

const GROUPS: Record<string, string> = { guest: 'Guest', workload: 'Workload (each vCPU)', migration: 'Migration', limits: 'Limits' };
/** Shared by both columns; the algorithm and the controller are each column's. */
const PER_POLICY = new Set(['algorithm', 'controller']);
/** Shown up front; the others wait in "More options". */
const MAIN = new Set(['memory', 'pageSize', 'populated', 'vcpus', 'workload', 'writeRate', 'hotFraction', 'bandwidth', 'maxBandwidth', 'downtimeLimit']);

const controls: Control[] = [];

function field(key: string, flag: string, spec: OptionSpec | FieldSpec, prefix = ''): Control {
  const id = `${prefix}f-${key}`;
  const hint = el('span', { className: 'hint', id: `${id}-hint` }, `${spec.doc}${defaultText(spec) ? ` (default ${defaultText(spec)})` : ''}`);
  let input: HTMLInputElement | HTMLSelectElement;
  if (spec.kind === 'boolean') {
    input = el('input', { type: 'checkbox', id, checked: spec.default === true });
  } else if (spec.kind === 'enum' && !spec.rule) {
    input = el('select', { id }, ...(spec.values ?? []).map((v) => el('option', { value: v }, v)));
    input.value = String(spec.default);
  } else {
    input = el('input', { type: 'text', id, placeholder: defaultText(spec), autocomplete: 'off', spellcheck: false });
  }
  input.setAttribute('aria-describedby', hint.id);
  input.name = key;
  const row = el('div', { className: `field kind-${spec.kind}` }, el('label', { for: id }, `${key} `, el('code', {}, flag)), input, hint);
  return { key, flag, spec, input, row };
}

function buildScenarioControls(form: HTMLElement): void {
  const byGroup = new Map<string, HTMLElement[]>();
  const add = (group: string, c: Control): void => {
    controls.push(c);
    (byGroup.get(group) ?? byGroup.set(group, []).get(group)!).push(c.row);
  };
  for (const [, row] of OPTION_ROWS) {
    if (row.flag === undefined || PER_POLICY.has(camel(row.flag))) continue;
    const group = row.group ?? 'migration';
    if (row.kind === 'workload') {
      const kinds: FieldSpec = { kind: 'enum', doc: 'what each vCPU runs', values: WORKLOAD_KINDS, default: (row.default as WorkloadSpec).kind };
      add(group, field('workload', '--workload', kinds));
      const seen = new Set<string>();
      for (const k of WORKLOAD_KINDS) {
        for (const [name, f] of Object.entries(WORKLOAD_TABLE[k].fields as Record<string, FieldSpec>)) {
          if (f.flag === undefined || seen.has(name)) continue;
          seen.add(name);
          add(group, field(camel(f.flag), f.flag, f));
        }
      }
      continue;
    }
    add(group, field(camel(row.flag), row.flag, row));
  }
  const main = el('div', { className: 'groups' });
  const more = el('div', { className: 'groups' });
  for (const [group, rows] of byGroup) {
    const mainRows = rows.filter((r) => MAIN.has((r.querySelector('input,select') as HTMLInputElement).name));
    const moreRows = rows.filter((r) => !mainRows.includes(r));
    if (mainRows.length) main.append(el('fieldset', {}, el('legend', {}, GROUPS[group] ?? group), ...mainRows));
    if (moreRows.length) more.append(el('fieldset', {}, el('legend', {}, GROUPS[group] ?? group), ...moreRows));
  }
  form.append(main, el('details', { id: 'more' }, el('summary', {}, 'More options'), more));
}

/** Hides the workload fields the chosen kind does not have (the CLI refuses them). */
function syncWorkloadFields(): void {
  const kind = (controls.find((c) => c.key === 'workload')!.input.value) as WorkloadKind;
  const fields = WORKLOAD_TABLE[kind].fields as Record<string, FieldSpec>;
  const has = new Set(Object.values(fields).map((f) => f.flag));
  for (const c of controls) {
    const isWorkloadField = WORKLOAD_KINDS.some((k) => Object.values(WORKLOAD_TABLE[k].fields as Record<string, FieldSpec>).some((f) => f.flag === c.flag));
    if (!isWorkloadField) continue;
    c.row.hidden = !has.has(c.flag);
    c.input.disabled = !has.has(c.flag);
  }
}

// ---- one column per policy ----

interface Column {
  id: 'a' | 'b';
  algorithm: HTMLSelectElement;
  controller: HTMLSelectElement;
  params: HTMLElement;
  paramControls: Control[];
  root: HTMLElement;
  abort?: AbortController;
  report?: MigrationReport;
  label: string;
}

function buildColumn(id: 'a' | 'b', root: HTMLElement): Column {
  const algoRow = OPTION_ROWS.find(([n]) => n === 'algorithm')![1];
  const algorithm = field('algorithm', '--algorithm', algoRow, `${id}-`);
  const ctlSpec: FieldSpec = { kind: 'enum', doc: 'CPU-scheduling controller on top of pre-copy', values: CONTROLLERS, default: 'none' };
  const controller = field('controller', '--controller', ctlSpec, `${id}-`);
  const params = el('div', { className: 'params' });
  $('.policy', root).append(algorithm.row, controller.row, params);
  return { id, algorithm: algorithm.input as HTMLSelectElement, controller: controller.input as HTMLSelectElement, params, paramControls: [], root, label: '' };
}

/** Parameter fields of the chosen controller, from CONTROLLER_TABLE (empty = its default). */
function syncParams(col: Column, values: Record<string, string> = {}): void {
  col.params.replaceChildren();
  col.paramControls = [];
  const name = col.controller.value;
  if (name === 'none') return;
  for (const [k, f] of Object.entries(CONTROLLER_TABLE[name as BuiltInControllerName].params as Record<string, FieldSpec>)) {
    const spec: FieldSpec = f.kind === 'boolean' ? { ...f, kind: 'enum', values: ['', 'true', 'false'], default: '' } : f;
    const c = field(k, `:${k}=…`, spec, `${col.id}-p-`);
    if (f.kind === 'boolean') (c.input.firstChild as HTMLOptionElement).textContent = `default (${String(f.default)})`;
    c.input.value = values[k] ?? '';
    col.paramControls.push(c);
    col.params.append(c.row);
  }
}

function controllerText(col: Column): string {
  const params = col.paramControls.filter((c) => c.input.value.trim() !== '').map((c) => `${c.key}=${c.input.value.trim()}`);
  return params.length ? `${col.controller.value}:${params.join(',')}` : col.controller.value;
}

function policyText(col: Column): string {
  const c = controllerText(col);
  return c === 'none' ? col.algorithm.value : `${col.algorithm.value}+${c}`;
}

// ---- scenario <-> flags <-> URL ----

function sharedFlags(): ScenarioFlags {
  const flags: ScenarioFlags = {};
  for (const c of controls) {
    if (c.input.disabled) continue;
    if (c.spec.kind === 'boolean') flags[c.key] = (c.input as HTMLInputElement).checked;
    else if (c.input.value.trim() !== '') flags[c.key] = c.input.value.trim();
  }
  return flags;
}

function columnFlags(col: Column): ScenarioFlags {
  return { ...sharedFlags(), algorithm: col.algorithm.value, controller: controllerText(col) };
}

/** The URL's hash: every control that differs from empty/default, by flag name, then each column's policy. */
function toHash(): string {
  const q = new URLSearchParams();
  q.set('preset', presetSelect.value);
  for (const c of controls) {
    if (c.input.disabled) continue;
    if (c.spec.kind === 'boolean') {
      if ((c.input as HTMLInputElement).checked !== (c.spec.default === true)) q.set(c.key, String((c.input as HTMLInputElement).checked));
    } else if (c.spec.kind === 'enum' && !c.spec.rule) {
      if (c.input.value !== String(c.spec.default)) q.set(c.key, c.input.value);
    } else if (c.input.value.trim() !== '') q.set(c.key, c.input.value.trim());
  }
  for (const col of columns) q.set(col.id, policyText(col));
  return `#${q.toString()}`;
}

function setPolicy(col: Column, text: string): void {
  const plus = text.indexOf('+');
  col.algorithm.value = plus < 0 ? text : text.slice(0, plus);
  const ctl = plus < 0 ? 'none' : text.slice(plus + 1);
  const colon = ctl.indexOf(':');
  col.controller.value = colon < 0 ? ctl : ctl.slice(0, colon);
  const values: Record<string, string> = {};
  if (colon >= 0) for (const kv of ctl.slice(colon + 1).split(',')) {
    const [k, v] = kv.split('=');
    if (k && v !== undefined) values[k] = v;
  }
  syncParams(col, values);
}

/** Fills the controls from a preset's options (as exact flag text), the others back to their defaults. */
function applyPreset(name: string): void {
  const preset = PRESETS[name];
  for (const c of controls) {
    if (c.spec.kind === 'boolean') (c.input as HTMLInputElement).checked = c.spec.default === true;
    else if (c.spec.kind === 'enum' && !c.spec.rule) c.input.value = String(c.spec.default);
    else c.input.value = '';
  }
  if (preset === undefined) return;
  const base = preset.base as Record<string, unknown>;
  for (const [name2, row] of OPTION_ROWS) {
    if (row.flag === undefined || PER_POLICY.has(camel(row.flag)) || base[name2] === undefined) continue;
    if (row.kind === 'workload') {
      const w = base[name2] as Record<string, unknown>;
      set('workload', String(w['kind']));
      for (const [k, v] of Object.entries(w)) {
        const f = (WORKLOAD_TABLE[w['kind'] as WorkloadKind].fields as Record<string, FieldSpec>)[k];
        if (f?.flag) set(camel(f.flag), flagText(f, v));
      }
      continue;
    }
    set(camel(row.flag), flagText(row, base[name2]));
  }
}

function set(key: string, value: string): void {
  const c = controls.find((x) => x.key === key);
  if (!c) return;
  if (c.spec.kind === 'boolean') (c.input as HTMLInputElement).checked = value === 'true';
  else c.input.value = value;
}

function fromHash(hash: string): boolean {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  if (![...q.keys()].length) return false;
  presetSelect.value = q.get('preset') ?? 'custom';
  applyPreset(presetSelect.value);
  for (const c of controls) {
    const v = q.get(c.key);
    if (v !== null) set(c.key, v);
  }
  for (const col of columns) {
    const p = q.get(col.id);
    if (p !== null) setPolicy(col, p);
  }
  return true;
}

// ---- running and showing ----

let generation = 0;
let finished = 0;

function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(runAll, 250);
}
let timer: ReturnType<typeof setTimeout> | undefined;

function runAll(): void {
  syncWorkloadFields();
  history.replaceState(null, '', toHash());
  $<HTMLInputElement>('#share').value = location.href;
  const gen = ++generation;
  errorBox.hidden = true;
  for (const c of [...controls, ...columns.flatMap((x) => x.paramControls)]) c.input.removeAttribute('aria-invalid');
  document.body.dataset['state'] = 'running';
  const runs = columns.map((col) => runColumn(col, gen));
  void Promise.allSettled(runs).then(() => {
    if (gen !== generation) return;
    renderCharts(gen);
  });
}

async function runColumn(col: Column, gen: number): Promise<void> {
  col.abort?.abort();
  const ac = new AbortController();
  col.abort = ac;
  col.label = `${col.id.toUpperCase()}: ${policyText(col)}`;
  $('.policy-label', col.root).textContent = col.label;
  const flags = columnFlags(col);
  $('.cli', col.root).textContent = cliCommand(flags);
  let options: MigrationOptions;
  const status = $('.status', col.root);
  const progress = $<HTMLProgressElement>('progress', col.root);
  const cancel = $<HTMLButtonElement>('.cancel', col.root);
  try {
    options = toMigrationOptions(flags);
    col.root.dataset['state'] = 'running';
    status.textContent = 'Running…';
    progress.hidden = false;
    progress.removeAttribute('value');
    cancel.hidden = false;
    cancel.onclick = () => ac.abort();
    const report = await migrateAsync(options, { signal: ac.signal, worker: startWorker, onProgress: (p) => showProgress(col, p) });
    if (gen !== generation) return;
    col.report = report;
    showReport(col, report);
    // Time from navigation to the first result shown (the browser test reports it).
    document.body.dataset['firstResultMs'] ??= performance.now().toFixed(0);
    // Vega (charts.js) loads once the first result is shown, so its parsing never delays that result.
    void loadCharts();
    col.root.dataset['state'] = 'done';
    col.root.dataset['run'] = String(gen);
  } catch (e) {
    if (ac.signal.aborted) {
      if (gen === generation) {
        col.root.dataset['state'] = 'cancelled';
        status.textContent = 'Cancelled. Change a control to run again.';
        col.report = undefined;
      }
      return;
    }
    showError(col, withFlagName(e, flags));
    col.report = undefined;
    col.root.dataset['state'] = 'error';
  } finally {
    if (col.abort === ac) {
      progress.hidden = true;
      cancel.hidden = true;
    }
    finished++;
    document.body.dataset['finished'] = String(finished);
  }
}

function cliCommand(flags: ScenarioFlags): string {
  const parts = ['livemig run'];
  for (const [k, v] of Object.entries(flags)) {
    const c = controls.find((x) => x.key === k);
    const flag = c?.flag ?? `--${k}`;
    if (typeof v === 'boolean') {
      if (c && v !== (c.spec.default === true)) parts.push(v ? flag : flag.replace(/^--/, '--no-'));
    } else if (v !== undefined && !(k === 'controller' && v === 'none')) parts.push(`${flag} ${/^[\w./:=,+-]+$/.test(v) ? v : `'${v}'`}`);
  }
  return parts.join(' ');
}

function showProgress(col: Column, p: MigrationProgress): void {
  const progress = $<HTMLProgressElement>('progress', col.root);
  progress.max = p.maxTimeMs;
  progress.value = Math.min(p.emulatedMs, p.maxTimeMs);
  $('.status', col.root).textContent =
    `Running: round ${p.round}, ${formatDuration(p.emulatedMs)} emulated, ${formatBytes(p.transferredBytes)} sent, ${p.remainingPages.toLocaleString('en')} of ${p.pages.toLocaleString('en')} pages to send`;
}

const errorBox = el('p', { id: 'error', role: 'alert', hidden: true });

function showError(col: Column, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  $('.status', col.root).textContent = `Error: ${message}`;
  errorBox.textContent = message;
  errorBox.hidden = false;
  const flag = /(--[a-z-]+)/.exec(message)?.[1];
  const c = controls.find((x) => x.flag === flag);
  c?.input.setAttribute('aria-invalid', 'true');
  document.body.dataset['state'] = 'error';
}

/** A summary value: shown for people, the exact number kept in data-value (what the tests compare with Node). */
function dd(label: string, name: string, shown: string, exact: unknown): HTMLElement[] {
  return [el('dt', {}, label), el('dd', { 'data-field': name, 'data-value': String(exact) }, shown)];
}

function showReport(col: Column, r: MigrationReport): void {
  const s = r.summary;
  $('.status', col.root).textContent = s.status === 'completed' ? `Converged in ${s.rounds} rounds.` : `Did not converge: ${statusText(s)}.`;
  $('.summary', col.root).replaceChildren(
    ...dd('Converged', 'status', s.status === 'completed' ? 'yes' : `no: ${statusText(s)}`, s.status === 'completed' ? 'completed' : `cancelled:${s.reason}`),
    ...dd('Total time', 'totalTimeMs', formatDuration(s.totalTimeMs), s.totalTimeMs),
    ...dd('Downtime', 'downtimeMs', s.downtimeMs === null ? '– (the guest still runs at the source)' : formatDuration(s.downtimeMs), s.downtimeMs),
    ...dd('Data sent', 'transferredBytes', formatBytes(s.transferredBytes), s.transferredBytes),
    ...dd('Guest CPU lost', 'guestCpuLostPct', `${s.guestCpuLostPct.toFixed(1)} %`, s.guestCpuLostPct),
    ...dd('Rounds', 'rounds', String(s.rounds), s.rounds),
    ...dd('Max throttle', 'maxThrottlePct', `${s.maxThrottlePct.toFixed(1)} %`, s.maxThrottlePct),
  );
  const pageSize = r.scenario.pageSize;
  const rows = r.rounds.map((x) =>
    el('tr', {},
      el('td', { className: 'num' }, String(x.index)),
      el('td', {}, x.phase),
      el('td', { className: 'num' }, formatDuration(x.endMs - x.startMs)),
      el('td', { className: 'num' }, formatBytes(x.remainingPages * pageSize)),
      el('td', { className: 'num' }, formatBytes(x.bytes)),
      el('td', { className: 'num' }, formatBytes(x.dirtiedPages * pageSize)),
      el('td', { className: 'num' }, formatRate(x.bandwidthBytesPerSec)),
      el('td', { className: 'num' }, `${x.throttlePct.toFixed(1)} %`),
    ),
  );
  $('.rounds tbody', col.root).replaceChildren(...rows);
  $('.rounds-count', col.root).textContent = `${r.rounds.length}`;
  const json = `${JSON.stringify(r, null, 2)}\n`;
  setDownload($<HTMLAnchorElement>('.export-json', col.root), json, `livemig-report-${col.id}.json`);
}

function setDownload(a: HTMLAnchorElement, text: string, name: string): void {
  if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = name;
  a.removeAttribute('aria-disabled');
}

/** The scenario and both policies as an experiment file (`livemig sweep` runs it). */
function experimentFile(): unknown {
  const r = columns.find((c) => c.report)?.report;
  if (!r) return null;
  const { algorithm: _a, controller: _c, seed, ...base } = scenarioOptions(r.scenario) as MigrationOptions & Record<string, unknown>;
  return {
    name: 'playground',
    description: `From the livemig playground: ${columns.map((c) => policyText(c)).join(' vs ')}`,
    base,
    seeds: [seed ?? 1],
    policies: [...new Set(columns.map((c) => policyText(c)))],
  };
}

const views = new Map<string, { finalize(): void }>();

/** charts.js (Vega), loaded once. */
let chartRuntime: Promise<ChartRuntime> | undefined;
function loadCharts(): Promise<ChartRuntime> {
  chartRuntime ??= new Promise((resolve, reject) => {
    const script = el('script', { src: 'charts.js' });
    script.onload = () => resolve((globalThis as unknown as { livemigCharts: ChartRuntime }).livemigCharts);
    script.onerror = () => reject(new Error('livemig playground: charts.js did not load'));
    document.head.append(script);
  });
  return chartRuntime;
}

async function renderCharts(gen: number): Promise<void> {
  const done = columns.filter((c) => c.report);
  const exp = experimentFile();
  if (exp) setDownload($<HTMLAnchorElement>('#export-experiment'), `${JSON.stringify(exp, null, 2)}\n`, 'livemig-playground.experiment.json');
  const charts: ChartDef[] = runCharts(done.map((c) => ({ policy: c.label, ...c.report! })), columns.map((c) => c.label));
  const box = $('#charts');
  for (const v of views.values()) v.finalize();
  views.clear();
  box.replaceChildren(
    ...charts.map((c) =>
      el('figure', { className: 'chart', 'data-chart': c.id },
        el('h3', {}, c.title), el('div', { className: 'chart-view', role: 'img', 'aria-label': `${c.title}: ${c.caption}` }), el('figcaption', {}, c.caption)),
    ),
  );
  const vega = await loadCharts();
  if (gen !== generation) return;
  await Promise.all(charts.map(async (c) => {
    const figure = $(`figure[data-chart="${c.id}"]`, box);
    views.set(c.id, await vega.render(c.spec, $('.chart-view', figure)));
    figure.dataset['rendered'] = String(gen);
  }));
  if (gen === generation) {
    document.body.dataset['state'] = columns.some((c) => c.root.dataset['state'] === 'error') ? 'error' : 'done';
    document.body.dataset['charts'] = String(gen);
  }
}

// ---- the page ----

const presetSelect = $<HTMLSelectElement>('#preset');
presetSelect.append(...Object.values(PRESETS).map((p) => el('option', { value: p.name }, `${p.name}: ${p.description}`)), el('option', { value: 'custom' }, 'custom (defaults)'));
buildScenarioControls($('#scenario'));
$('#scenario').append(errorBox);
const columns: Column[] = [buildColumn('a', $('#col-a')), buildColumn('b', $('#col-b'))];

if (!fromHash(location.hash)) {
  presetSelect.value = 'headline';
  applyPreset('headline');
  setPolicy(columns[0]!, 'qemu');
  setPolicy(columns[1]!, 'qemu+cpu-scheduling');
}
syncWorkloadFields();

presetSelect.addEventListener('change', () => {
  applyPreset(presetSelect.value);
  schedule();
});
$('#scenario').addEventListener('input', (e) => {
  if ((e.target as HTMLElement).id !== 'preset') presetSelect.value = 'custom';
  schedule();
});
for (const col of columns) {
  col.controller.addEventListener('change', () => syncParams(col));
  col.root.addEventListener('input', schedule);
  col.root.addEventListener('change', schedule);
}
$('#copy').addEventListener('click', () => {
  const share = $<HTMLInputElement>('#share');
  share.select();
  void navigator.clipboard?.writeText(share.value).catch(() => undefined);
});
window.addEventListener('hashchange', () => {
  if (location.hash !== toHash() && fromHash(location.hash)) schedule();
});
runAll();
