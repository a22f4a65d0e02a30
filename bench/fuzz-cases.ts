/**
 * Fuzz cases for livemig's inputs, shared by the property tests (test/fuzz/) and `npm run fuzz` (bench/fuzz.ts):
 * migrate() options, `livemig run` flags and experiment files, each mostly valid with one field broken now and
 * then. Every case is judged the same way: an invalid input must get a LivemigError naming the broken field; a
 * valid one must give a report that passes the invariant checker, within a work bound, the same bytes twice.
 */
import fc from 'fast-check';
import { main } from '../src/cli/main.js';
import { checkReport, runMigration } from '../src/api/migrate.js';
import { resolveOptions } from '../src/api/resolve.js';
import { WasmPageStore } from '../src/core/wasm-page-store.js';
import type { PageStore } from '../src/core/page-store.js';
import { InvalidOptionError } from '../src/errors/invalid-option-error.js';
import { LivemigError } from '../src/errors/livemig-error.js';
import { checkExperiment } from '../src/experiments/load.js';
import { ALGORITHMS } from '../src/model/algorithms.js';
import { CONTROLLERS } from '../src/model/controllers.js';
import { OPTION_TABLE } from '../src/model/option-table.js';
import type { MigrationOptions } from '../src/model/options.js';
import type { MigrationReport } from '../src/model/report.js';
import type { WorkloadSpec } from '../src/model/workloads.js';

/** A case and, when one field was broken on purpose, its name (the error must name it). */
export type FuzzCase =
  | { kind: 'migrate'; options: Record<string, unknown>; broken: string | null }
  | { kind: 'cli'; argv: string[]; broken: string | null }
  | { kind: 'experiment'; json: unknown; broken: string | null }
  | { kind: 'controller'; options: Record<string, unknown>; plan: ControllerCall[] };

/** One actuator call a fuzzed custom controller makes (in turn, one per sync or window). */
export type ControllerCall =
  | { call: 'share'; share: number }
  | { call: 'cycle'; vcpu: number; cycle: { runMs: number; sleepMs: number } | null }
  | { call: 'stop' };

/** How a case went. Anything but 'ok' and 'user-error' is a finding. */
export type Verdict = 'ok' | 'user-error' | 'crash' | 'wrong-error' | 'non-finite' | 'invariant' | 'work-bound' | 'nondeterministic';

export interface Outcome {
  verdict: Verdict;
  detail?: string;
}

/** The fuzzed ranges stay where one case costs milliseconds: at most this much emulated writing per run. */
const MAX_WRITES = 2e7;

const logUniform = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.double({ min: Math.log10(lo), max: Math.log10(hi), noNaN: true, noDefaultInfinity: true }).map((x) => Math.min(hi, Math.max(lo, 10 ** x)));
const logInt = (lo: number, hi: number): fc.Arbitrary<number> => logUniform(lo, hi).map((x) => Math.min(hi, Math.max(lo, Math.round(x))));
const fraction = fc.oneof(fc.constantFrom(0, 1, 0.5), fc.double({ min: 0, max: 1, noNaN: true }));

const writer = (kind: 'uniform' | 'sequential' | 'hot-cold'): fc.Arbitrary<WorkloadSpec> =>
  fc.record({
    writesPerSec: fc.oneof(fc.constant(0), logUniform(1, 1e6)),
    start: fc.double({ min: 0, max: 0.99, noNaN: true }),
    size: fc.double({ min: 0.001, max: 1, noNaN: true }),
    hotFraction: fc.double({ min: 0.001, max: 1, noNaN: true }),
    hotProbability: fraction,
  }, { requiredKeys: ['writesPerSec'] }).map((w) => {
    const spec: Record<string, unknown> = { kind, writesPerSec: w.writesPerSec };
    if (w.start !== undefined) spec['regionStart'] = w.start;
    if (w.size !== undefined) spec['regionSize'] = Math.min(w.size, 1 - ((spec['regionStart'] as number | undefined) ?? 0));
    if (kind === 'hot-cold' && w.hotFraction !== undefined) spec['hotFraction'] = w.hotFraction;
    if (kind === 'hot-cold' && w.hotProbability !== undefined) spec['hotProbability'] = w.hotProbability;
    return spec as unknown as WorkloadSpec;
  });

const workloadSpec: fc.Arbitrary<WorkloadSpec> = fc.oneof(
  fc.constant({ kind: 'idle' } as WorkloadSpec), fc.constant({ kind: 'compute' } as WorkloadSpec),
  writer('uniform'), writer('sequential'), writer('hot-cold'),
);

/** A management spec that turns on QEMU's auto-converge (refused with another controller: a typed error, not fuzzed). */
const AUTO_CONVERGE_FLAG = /auto[-_]converge=true|allowAutoConverge=true/;

/** A management option's text: nova, kubevirt or libvirt-timeout, every option drawn within its range. */
const managementSpec: fc.Arbitrary<string> = fc.oneof(
  fc.record({
    d: fc.integer({ min: 100, max: 2_000_000 }), n: fc.integer({ min: 3, max: 50 }), delay: fc.integer({ min: 3, max: 1000 }), t: fc.integer({ min: 0, max: 5000 }),
    action: fc.constantFrom('abort', 'force_complete'), pc: fc.boolean(), ac: fc.boolean(), bw: fc.integer({ min: 0, max: 100_000 }), disk: fc.constantFrom(0, 1, 2.5, 100),
  }).map((r) => `nova:live_migration_downtime=${r.d},live_migration_downtime_steps=${r.n},live_migration_downtime_delay=${r.delay},live_migration_completion_timeout=${r.t},` +
    `live_migration_timeout_action=${r.action},live_migration_permit_post_copy=${r.pc},live_migration_permit_auto_converge=${r.ac},live_migration_bandwidth=${r.bw},disk_gib=${r.disk}`),
  fc.record({ c: fc.integer({ min: 0, max: 5000 }), p: fc.integer({ min: 0, max: 5000 }), ac: fc.boolean(), pc: fc.boolean(), wd: fc.boolean(), bw: fc.integer({ min: 0, max: 100_000 }) })
    .map((r) => `kubevirt:completionTimeoutPerGiB=${r.c},progressTimeout=${r.p},allowAutoConverge=${r.ac},allowPostCopy=${r.pc},allowWorkloadDisruption=${r.wd},bandwidthPerMigration=${r.bw}Mi`),
  fc.record({ t: fc.integer({ min: 1, max: 5000 }), pc: fc.boolean(), ac: fc.boolean() })
    .map((r) => `libvirt-timeout:timeout=${r.t}${r.pc ? ',postcopy,timeout-postcopy' : ''},auto-converge=${r.ac}`),
);

/** Valid migrate() options (each field present or not), small enough to run in milliseconds. */
export const validOptions: fc.Arbitrary<Record<string, unknown>> = fc.record({
  pageSize: fc.constantFrom(512, 4096, 65536, 2 * 1024 * 1024),
  pageCount: logInt(1, 16384),
  populatedFraction: fraction,
  vcpus: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(8, 32)),
  workload: workloadSpec,
  workloadList: fc.boolean(),
  bandwidthBytesPerSec: fc.oneof(fc.constantFrom(1, 1e13), logUniform(1, 1e13)),
  algorithm: fc.constantFrom(...ALGORITHMS),
  downtimeLimitMs: logUniform(1e-3, 2e6),
  maxBandwidthBytesPerSec: fc.oneof(fc.constant(1), logUniform(1, 1e13)),
  setupTimeMs: fc.oneof(fc.constant(0), logUniform(1e-3, 3.6e6)),
  deviceStateBytes: fc.oneof(fc.constant(0), logInt(1, 1e12)),
  resumeTimeMs: fc.oneof(fc.constant(0), logUniform(1e-3, 3.6e6)),
  maxTimeMs: logUniform(1e-3, 1e6),
  maxDataBytes: logInt(1, 2 ** 53),
  xenSkipRule: fc.boolean(),
  controller: fc.constantFrom(...CONTROLLERS),
  seed: fc.oneof(fc.constantFrom(0, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff })),
  // Postcopy (qemu only; the other algorithms refuse these, so they are drawn only with qemu).
  postcopyAfterSyncs: fc.integer({ min: 1, max: 40 }),
  postcopyAfterMs: fc.oneof(fc.constant(0), logUniform(1e-3, 1e6)),
  postcopyStallSyncs: fc.integer({ min: 1, max: 10 }),
  postcopyPreempt: fc.boolean(),
  postcopyFaultLatencyMs: fc.oneof(fc.constant(0), logUniform(1e-3, 6e4)),
  maxPostcopyBandwidthBytesPerSec: fc.oneof(fc.constant(1), logUniform(1, 1e13)),
  postcopyReadsPerWrite: fc.oneof(fc.constant(0), logUniform(1e-3, 1e6)),
  // A management layer (qemu only), with its options drawn within their ranges.
  management: managementSpec,
}, { requiredKeys: ['pageCount', 'workloadList'] }).map((r) => {
  const o: Record<string, unknown> = {};
  const pageSize = r.pageSize ?? 4096;
  if (r.pageSize !== undefined) o['pageSize'] = r.pageSize;
  o['memoryBytes'] = Math.max(1, r.pageCount) * pageSize;
  for (const k of ['populatedFraction', 'bandwidthBytesPerSec', 'algorithm', 'downtimeLimitMs', 'maxBandwidthBytesPerSec', 'setupTimeMs',
    'deviceStateBytes', 'resumeTimeMs', 'maxTimeMs', 'maxDataBytes', 'xenSkipRule', 'controller', 'seed'] as const) {
    if (r[k] !== undefined) o[k] = r[k];
  }
  if ((r.algorithm ?? 'qemu') === 'qemu') {
    for (const k of ['postcopyAfterSyncs', 'postcopyAfterMs', 'postcopyStallSyncs', 'postcopyFaultLatencyMs', 'maxPostcopyBandwidthBytesPerSec', 'postcopyReadsPerWrite'] as const) {
      if (r[k] !== undefined) o[k] = r[k];
    }
    // postcopy-preempt needs the postcopy-ram capability, which a trigger turns on.
    if (r.postcopyPreempt !== undefined && (r.postcopyAfterSyncs ?? r.postcopyAfterMs ?? r.postcopyStallSyncs) !== undefined) o['postcopyPreempt'] = r.postcopyPreempt;
    // A layer's auto-converge flag may only meet no controller or auto-converge itself.
    if (r.management !== undefined && ([undefined, 'none', 'auto-converge'].includes(r.controller) || !AUTO_CONVERGE_FLAG.test(r.management))) o['management'] = r.management;
  }
  const vcpus = r.vcpus ?? 1;
  if (r.workload !== undefined) {
    if (r.workloadList) o['workload'] = Array.from({ length: vcpus }, () => r.workload);
    else o['workload'] = r.workload;
  }
  if (r.vcpus !== undefined && !(r.workloadList && r.workload !== undefined && vcpus !== (o['workload'] as unknown[]).length)) o['vcpus'] = vcpus;
  // Keep the emulated writing bounded (the cap is what bounds it): scale the time cap down if need be.
  const rate = r.workload !== undefined && 'writesPerSec' in r.workload ? r.workload.writesPerSec : r.workload === undefined ? 25_000 : 0;
  const maxTime = (o['maxTimeMs'] as number | undefined) ?? 600_000;
  if (rate * vcpus * maxTime / 1000 > MAX_WRITES) o['maxTimeMs'] = Math.max(1e-3, (MAX_WRITES * 1000) / (rate * vcpus));
  return o;
});

/** Values no option accepts, whatever its type and range. */
const WRONG_VALUES: readonly unknown[] = [
  null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'text', '', {}, [], -1, 1e300, -1e-300, true, [1], { valueOf: 1 },
];
/** Wrong only for an integer field. */
const FRACTIONAL = 1.5;
const SCALAR_NAMES = (Object.keys(OPTION_TABLE) as (keyof typeof OPTION_TABLE)[]).filter((k) => !('derived' in OPTION_TABLE[k]) && k !== 'workload' && k !== 'controller');

/** migrate() options with one field broken, or an unknown key added; `broken` is the field the error must name. */
export const brokenOptions: fc.Arbitrary<{ options: Record<string, unknown>; broken: string }> = fc.tuple(
  validOptions,
  fc.constantFrom(...SCALAR_NAMES, 'workload', 'controller', 'unknown'),
  fc.constantFrom(...WRONG_VALUES, FRACTIONAL),
  fc.constantFrom('bandwdith', 'memory', 'trace', 'hook', '__proto__', 'constructor'),
).filter(([, field, value]) => {
  const row = (OPTION_TABLE as Record<string, { kind: string; rule?: { integer?: boolean } }>)[field];
  // 1.5 is wrong only where a whole number is required; booleans and enums refuse every value here but true.
  if (value === FRACTIONAL) return row?.rule?.integer === true;
  if (value === true) return row?.kind !== 'boolean';
  // An empty list or object is a wrong workload, but {} / [] for a controller could be read as a spec: skip.
  if (field === 'controller' && typeof value === 'object' && value !== null) return false;
  return true;
}).map(([options, field, value, unknownKey]) => {
  const o = { ...options };
  if (field === 'unknown') {
    Object.defineProperty(o, unknownKey, { value: 1, enumerable: true, configurable: true, writable: true });
    return { options: o, broken: unknownKey };
  }
  o[field] = value;
  return { options: o, broken: field };
});

/** `livemig run` flags for some options (one workload for every vCPU, as the CLI has): [flag, text or null]. */
function flagsFor(o: Record<string, unknown>): [string, string | null][] {
  const flags: [string, string | null][] = [];
  const unit: Record<string, string> = { bytes: 'B', rate: 'B/s', duration: 'ms', 'page-rate': 'pages/s' };
  for (const [name, value] of Object.entries(o)) {
    const row = (OPTION_TABLE as Record<string, { kind: string; flag?: string; default?: unknown }>)[name];
    if (row === undefined || row.flag === undefined) continue;
    if (row.kind === 'workload') {
      const w = (Array.isArray(value) ? value[0] : value) as Record<string, unknown>;
      flags.push(['--workload', String(w['kind'])]);
      const names: Record<string, string> = { writesPerSec: '--write-rate', regionStart: '--region-start', regionSize: '--region-size', hotFraction: '--hot-fraction', hotProbability: '--hot-probability' };
      for (const [k, v] of Object.entries(w)) if (k !== 'kind') flags.push([names[k]!, k === 'writesPerSec' ? `${String(v)}pages/s` : String(v)]);
    } else if (row.kind === 'boolean') {
      if (value === false) flags.push(['--no-xen-skip', null]);
    } else {
      flags.push([row.flag, `${String(value)}${unit[row.kind] ?? ''}`]);
    }
  }
  return flags;
}

const BAD_TEXT = ['', 'abc', 'NaN', 'Infinity', '1e999', '5 parsecs', '0x10', '1,5', '-1', '--', '٣', '1e'];

/** `livemig run` command lines: valid flags, or one flag's text replaced by garbage, or an unknown flag. */
export const cliCase: fc.Arbitrary<{ argv: string[]; broken: string | null }> = fc.tuple(
  validOptions.map((o) => { if (Array.isArray(o['workload'])) { o['vcpus'] = (o['workload'] as unknown[]).length; } return o; }),
  fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.nat(), fc.constantFrom(...BAD_TEXT),
).map(([o, json, mode, pick, bad]) => {
  const flags = flagsFor(o);
  const base = ['node', 'livemig', 'run', ...(json ? ['--json'] : [])];
  const flat = (fs: [string, string | null][]) => fs.flatMap(([f, t]) => (t === null ? [f] : [f, t]));
  const valued = flags.map((f, i) => [f, i] as const).filter(([[, t]]) => t !== null);
  if (mode === 0 && valued.length > 0) {
    const [[flag], i] = valued[pick % valued.length]!;
    const f = flags.slice();
    f[i] = [flag, bad];
    return { argv: [...base, ...flat(f)], broken: flag };
  }
  if (mode === 1) return { argv: [...base, ...flat(flags), '--bogus-flag', '1'], broken: '--bogus-flag' };
  return { argv: [...base, ...flat(flags)], broken: null };
});

/** Experiment files: small valid ones, and ones with one part broken. */
export const experimentCase: fc.Arbitrary<{ json: unknown; broken: string | null }> = fc.tuple(
  fc.integer({ min: 0, max: 9 }),
  fc.constantFrom(...WRONG_VALUES),
  fc.array(logUniform(1e6, 1e10), { minLength: 1, maxLength: 3 }),
  fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 4 }),
).map(([mode, wrong, bandwidths, start, count]) => {
  const ok = { name: 'fuzz', base: { memoryBytes: 1024 * 1024 }, axes: { bandwidthBytesPerSec: bandwidths }, seeds: [1, 2], policies: ['qemu', 'xen+cpu-scheduling'] };
  // {} is a fine base and any non-empty string a fine name: use null there instead.
  const notObject = typeof wrong === 'object' && wrong !== null && !Array.isArray(wrong) && Object.keys(wrong).length === 0 ? null : wrong;
  const notName = typeof wrong === 'string' && wrong.trim() !== '' ? null : wrong;
  switch (mode) {
    case 0: return { json: { ...ok, base: notObject }, broken: '$.base' };
    case 1: return { json: { ...ok, axes: { bandwidthBytesPerSec: [...bandwidths, wrong] } }, broken: '$.axes.bandwidthBytesPerSec' };
    case 2: return { json: { ...ok, seeds: { start, count: 0xffffffff - start + 2 } }, broken: '$.seeds' };
    case 3: return { json: { ...ok, axes: { 'workload.__proto__': [1] } }, broken: '$.axes' };
    case 4: return { json: { ...ok, policies: [wrong] }, broken: '$.policies' };
    case 5: return { json: { ...ok, seeds: { start, count, extra: wrong } }, broken: '$.seeds' };
    case 6: return { json: { ...ok, name: notName }, broken: '$.name' };
    default: return { json: { ...ok, seeds: { start: Math.min(start, 0xffffffff - count + 1), count } }, broken: null };
  }
});

const oddNumber = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1.5, 1e308, -0, 5e-324, 1e-300, 0.0009);
const controllerCall: fc.Arbitrary<ControllerCall> = fc.oneof(
  { weight: 4, arbitrary: fc.oneof(fc.double({ min: 0.01, max: 1, noNaN: true }), oddNumber).map((share): ControllerCall => ({ call: 'share', share })) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-1, 1.5, 99)),
      fc.option(fc.record({ runMs: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), oddNumber), sleepMs: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), oddNumber) })))
      .map(([vcpu, cycle]): ControllerCall => ({ call: 'cycle', vcpu, cycle })),
  },
  { weight: 1, arbitrary: fc.constant<ControllerCall>({ call: 'stop' }) },
);

/** Whether an actuator call is one the controller API accepts (for a VM of `vcpus` vCPUs). */
export function callIsValid(c: ControllerCall, vcpus: number): boolean {
  if (c.call === 'stop') return true;
  if (c.call === 'share') return c.share > 0 && c.share <= 1;
  if (!Number.isInteger(c.vcpu) || c.vcpu < 0 || c.vcpu >= vcpus) return false;
  if (c.cycle === null) return true;
  const ok = (x: number) => Number.isFinite(x) && x >= 0;
  return ok(c.cycle.runMs) && ok(c.cycle.sleepMs) && c.cycle.runMs + c.cycle.sleepMs >= 0.001 && Number.isFinite(c.cycle.runMs + c.cycle.sleepMs);
}

/** A custom controller making random actuator calls, some of them invalid, on a valid scenario. */
export const controllerCase: fc.Arbitrary<{ options: Record<string, unknown>; plan: ControllerCall[] }> = fc.tuple(
  validOptions, fc.array(controllerCall, { minLength: 1, maxLength: 12 }),
).map(([options, plan]) => {
  // The custom controller would meet a layer's auto-converge flag (a typed refusal): leave such a layer out.
  const { management, ...rest } = options;
  return { options: typeof management === 'string' && AUTO_CONVERGE_FLAG.test(management) ? rest : options, plan };
});

export const anyCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 1, arbitrary: controllerCase.map(({ options, plan }): FuzzCase => ({ kind: 'controller', options, plan })) },
  { weight: 5, arbitrary: validOptions.map((options): FuzzCase => ({ kind: 'migrate', options, broken: null })) },
  { weight: 3, arbitrary: brokenOptions.map(({ options, broken }): FuzzCase => ({ kind: 'migrate', options, broken })) },
  { weight: 2, arbitrary: cliCase.map(({ argv, broken }): FuzzCase => ({ kind: 'cli', argv, broken })) },
  { weight: 1, arbitrary: experimentCase.map(({ json, broken }): FuzzCase => ({ kind: 'experiment', json, broken })) },
);

/** Case `index` of the stream seeded by `seed`: the same pair always gives the same case. */
export function caseAt(seed: number, index: number): FuzzCase {
  return fc.sample(anyCase, { seed: (Math.imul(seed | 0, 0x9e3779b1) + index) | 0, numRuns: 1 })[0]!;
}

/** A run on a page store that counts the core calls and the page writes asked of it. */
export function countedRun(options: MigrationOptions): { report: MigrationReport; coreCalls: number; writes: number; windows: number } {
  let windows = 0;
  const resolved = resolveOptions({ ...options, hooks: { onWindow: () => { windows++; } } });
  const inner = new WasmPageStore(resolved.scenario.pages);
  let coreCalls = 0;
  let writes = 0;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: number[]) => {
        if (prop === 'scanSend' || prop === 'syncDirtyLog' || prop === 'countBits' || String(prop).startsWith('touch')) coreCalls++;
        if (prop === 'touchUniform' || prop === 'touchSequential') writes += args[3]!;
        if (prop === 'touchHotCold') writes += args[6]!;
        return (v as (...a: number[]) => unknown).apply(target, args);
      };
    },
  }) as PageStore;
  return { report: runMigration(resolved, store), coreCalls, writes, windows };
}

/**
 * The work a report allows: the core calls of its windows, rounds and sending passes (Xen's 1024-page batches),
 * per vCPU; and no more writes than the vCPUs' rates over the run's emulated time.
 */
export function workViolation(run: ReturnType<typeof countedRun>): string | null {
  const r = run.report;
  const m = r.summary;
  const vcpus = r.scenario.vcpus;
  const sent = m.normalPages + m.zeroPages + m.skippedPages;
  const steps = run.windows + r.rounds.length + sent / 1024 + 4;
  const callBound = 8 * steps * (vcpus + 2);
  if (run.coreCalls > callBound) return `${run.coreCalls} core calls for ${run.windows} windows, ${r.rounds.length} rounds, ${sent} pages (bound ${Math.round(callBound)})`;
  const rate = r.scenario.workloads.reduce((a, w) => a + ('writesPerSec' in w ? w.writesPerSec : 0), 0);
  const writeBound = (rate * m.totalTimeMs) / 1000 + vcpus;
  if (run.writes > writeBound * (1 + 1e-9)) return `${run.writes} writes in ${m.totalTimeMs} ms at ${rate} writes/s`;
  return null;
}

const NON_FINITE = /\b(NaN|Infinity)\b/;

/** Runs one case and judges it; `determinism` also runs a valid one twice and compares the bytes. */
export async function judge(c: FuzzCase, determinism = false): Promise<Outcome> {
  try {
    if (c.kind === 'migrate') return judgeMigrate(c.options, c.broken, determinism);
    if (c.kind === 'experiment') return judgeExperiment(c.json, c.broken);
    if (c.kind === 'controller') return judgeController(c.options, c.plan);
    return await judgeCli(c.argv, c.broken);
  } catch (e) {
    return { verdict: 'crash', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

function judgeMigrate(options: Record<string, unknown>, broken: string | null, determinism: boolean): Outcome {
  let run: ReturnType<typeof countedRun>;
  try {
    run = countedRun(options as MigrationOptions);
  } catch (e) {
    if (!(e instanceof LivemigError)) return { verdict: 'crash', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    if (broken === null) return { verdict: 'wrong-error', detail: `valid options refused: ${e.message}` };
    if (!(e instanceof InvalidOptionError) || !(e.field === broken || e.field.startsWith(`${broken}.`) || e.field.startsWith(`${broken}[`) ||
      // a list of the wrong length for vcpus is refused as either
      (broken === 'vcpus' && e.field === 'workload') || (broken === 'workload' && e.field === 'vcpus'))) {
      return { verdict: 'wrong-error', detail: `broke ${broken}, got: ${e.message}` };
    }
    return { verdict: 'user-error' };
  }
  if (broken !== null) return { verdict: 'wrong-error', detail: `broken ${broken} (${String(options[broken])}) was accepted` };
  const bad = checkReport(run.report);
  if (bad.length > 0) return { verdict: bad.some((b) => NON_FINITE.test(b)) ? 'non-finite' : 'invariant', detail: bad.join('; ') };
  const json = JSON.stringify(run.report);
  const work = workViolation(run);
  if (work !== null) return { verdict: 'work-bound', detail: work };
  if (determinism && JSON.stringify(countedRun(options as MigrationOptions).report) !== json) return { verdict: 'nondeterministic' };
  return { verdict: 'ok' };
}

function judgeController(options: Record<string, unknown>, plan: ControllerCall[]): Outcome {
  let next = 0;
  let lastInvalid = false;
  let acceptedInvalid: ControllerCall | null = null;
  let vcpus = 1;
  const act = (ctx: import('../src/model/controller.js').ControllerContext): void => {
    const c = plan[next++ % plan.length]!;
    vcpus = ctx.vcpus.length;
    lastInvalid = !callIsValid(c, vcpus);
    if (c.call === 'share') ctx.setCpuShare(c.share);
    else if (c.call === 'cycle') ctx.setVcpuDutyCycle(c.vcpu, c.cycle);
    if (lastInvalid) acceptedInvalid ??= c;
  };
  const controller = {
    name: 'fuzz',
    onSync: (_e: unknown, ctx: import('../src/model/controller.js').ControllerContext) => act(ctx),
    onWindow: (_e: unknown, ctx: import('../src/model/controller.js').ControllerContext) => act(ctx),
    shouldStopAndCopy: () => plan[next % plan.length]!.call === 'stop',
  };
  let run: ReturnType<typeof countedRun>;
  try {
    run = countedRun({ ...options, controller } as MigrationOptions);
  } catch (e) {
    if (!(e instanceof LivemigError)) return { verdict: 'crash', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    if (!lastInvalid) return { verdict: 'wrong-error', detail: `a valid controller call refused: ${e.message}` };
    if (!(e instanceof InvalidOptionError) || !e.field.startsWith('controller fuzz: ')) return { verdict: 'wrong-error', detail: `an invalid call, but: ${e.message}` };
    return { verdict: 'user-error' };
  }
  if (acceptedInvalid !== null) return { verdict: 'wrong-error', detail: `invalid call accepted (${JSON.stringify(acceptedInvalid)}, ${vcpus} vCPUs)` };
  const bad = checkReport(run.report);
  if (bad.length > 0) return { verdict: bad.some((b) => NON_FINITE.test(b)) ? 'non-finite' : 'invariant', detail: bad.join('; ') };
  const work = workViolation(run);
  if (work !== null) return { verdict: 'work-bound', detail: work };
  return { verdict: 'ok' };
}

function judgeExperiment(json: unknown, broken: string | null): Outcome {
  try {
    const e = checkExperiment(json, 'fuzz.json');
    if (broken !== null) return { verdict: 'wrong-error', detail: `broken ${broken} was accepted` };
    if (e.runs.length === 0) return { verdict: 'wrong-error', detail: 'no runs' };
    return { verdict: 'ok' };
  } catch (e) {
    if (!(e instanceof LivemigError)) return { verdict: 'crash', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    if (broken === null) return { verdict: 'wrong-error', detail: `valid experiment refused: ${e.message}` };
    if (!e.message.includes(broken)) return { verdict: 'wrong-error', detail: `broke ${broken}, got: ${e.message}` };
    return { verdict: 'user-error' };
  }
}

async function judgeCli(argv: string[], broken: string | null): Promise<Outcome> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  if (code === 70 || /internal error/.test(err)) return { verdict: 'crash', detail: `${argv.slice(2).join(' ')}: ${err.trim()}` };
  if (broken !== null) {
    if (code !== 2) return { verdict: 'wrong-error', detail: `${argv.slice(2).join(' ')}: exit ${code}, broken ${broken}` };
    if (!err.includes(broken) && !/unknown option|argument missing/.test(err)) return { verdict: 'wrong-error', detail: `${argv.slice(2).join(' ')}: ${err.trim()}` };
    return { verdict: 'user-error' };
  }
  if (code !== 0) return { verdict: 'wrong-error', detail: `${argv.slice(2).join(' ')}: exit ${code}: ${err.trim()}` };
  if (NON_FINITE.test(out)) return { verdict: 'non-finite', detail: `${argv.slice(2).join(' ')}: ${out.slice(0, 300)}` };
  if (argv.includes('--json')) {
    const report = JSON.parse(out) as MigrationReport;
    // JSON writes NaN and Infinity as null: no null may stand where the report has a number.
    const nulls: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (v === null && path !== '.summary.downtimeMs') nulls.push(path);
      else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk({ summary: report.summary, rounds: report.rounds, timeline: report.timeline }, '');
    if (nulls.length > 0) return { verdict: 'non-finite', detail: `null at ${nulls.slice(0, 5).join(', ')}` };
    const bad = checkReport(report);
    if (bad.length > 0) return { verdict: bad.some((b) => NON_FINITE.test(b) || /null/.test(b)) ? 'non-finite' : 'invariant', detail: bad.join('; ') };
  }
  return { verdict: 'ok' };
}
