/**
 * Pre-flight estimates: from what an operator can measure before migrating (RAM size, zero-page share, QEMU's
 * dirty rate and the writable working set), will the migration converge under each policy, how long will it take,
 * how long is the guest down, how much is sent, what does the guest lose, and how much faster may the guest dirty
 * memory before it stops converging (the margin).
 *
 * Each answer comes from an emulation of a VM reduced by a power of two k (memory, working set, write rate,
 * link, max-bandwidth, device state and data cap divided by k; sync cost per GiB multiplied by k; times and
 * ratios unchanged, bytes multiplied back by k). QEMU's rules depend on ratios and times only (threshold =
 * bandwidth × downtime limit, 100 ms windows, 50 ms bursts, auto-converge's byte ratio), so the reduced run
 * keeps them; what it loses is page granularity (fewer pages, more sampling noise). Policies whose rules count
 * pages or absolute rates (xen's 50-page rule, dirty-limit's MB/s quota, a byte target, postcopy's faults) run
 * unreduced.
 * `method: 'closed-form'` (or a run too long for the compute budget) uses instead the geometric pre-copy model of
 * migration-algorithms.md §2.2 with the occupancy correction of §2.3, for policies without a controller or
 * management layer; the answer says which method gave it.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { checkNumber } from '../model/check.js';
import type { MigrationOptions } from '../model/options.js';
import type { MigrationReport } from '../model/report.js';
import { OPTION_TABLE } from '../model/option-table.js';
import { didYouMean } from '../model/suggest.js';
import { parseQueryDirtyRate, writeRateForDistinct } from '../workloads/qemu-dirty-rate.js';

export { writeRateForDistinct };
import { runMigration, withStore } from './migrate.js';
import { type Policy, toPolicy, policyLabel, policyScenario } from './policy.js';
import { resolveOptions } from './resolve.js';
import { resolveManagement } from '../policies/management/registry.js';
import { MAX_RATE_BYTES_PER_SEC } from '../model/bounds.js';

/** The reduced VM has at most this many pages (16384 × 4 KiB = 64 MiB). [REC] a few ms per run */
export const ESTIMATE_TARGET_PAGES = 16_384;
/** Above this many page sends (reduced), an emulation is over budget and the closed form answers. [REC] ~0.5 s */
export const ESTIMATE_BUDGET_PAGE_SENDS = 20_000_000;
/** The policies estimate() answers for when none are given. */
export const ESTIMATE_DEFAULT_POLICIES = ['qemu', 'qemu+auto-converge', 'qemu+dirty-limit', 'qemu+cpu-scheduling'] as const;

/** What an operator measured, and what to answer for. Sizes in bytes, rates in bytes per second, times in ms. */
export interface EstimateOptions {
  /** Guest RAM. */
  memoryBytes: number;
  /** Share of RAM that is zero pages (never written since boot), 0 to 1. @default 0.5 */
  zeroPageFraction?: number;
  /**
   * QEMU's dirty rate (calc-dirty-rate / query-dirty-rate: distinct pages dirtied over the measuring window,
   * per second), bytes per second. Give this and dirtyRateWindowMs, or queryDirtyRate.
   */
  dirtyRateBytesPerSec?: number;
  /** The window the dirty rate was measured over (calc-time). @default 1000 */
  dirtyRateWindowMs?: number;
  /** query-dirty-rate's JSON reply (bare or QMP's {"return": ...}), instead of the two fields above. */
  queryDirtyRate?: unknown;
  /** The writable working set the guest dirties, bytes. @default memoryBytes */
  workingSetBytes?: number;
  /** vCPUs writing (the dirty rate is shared among them). @default 1, or query-dirty-rate's per-vCPU count */
  vcpus?: number;
  /** The rest of the scenario (link, max-bandwidth, downtime limit, QEMU release, management, ...). */
  scenario?: Omit<MigrationOptions, (typeof ESTIMATE_SETS)[number]>;
  /** Policies to answer for. @default ESTIMATE_DEFAULT_POLICIES */
  policies?: readonly (Policy | string)[];
  /** 'auto' emulates (reduced) and falls back to the closed form when over budget. @default 'auto' */
  method?: 'auto' | 'emulation' | 'closed-form';
  /** Bisection steps of the margin search (0 = no margin). @default 8 */
  marginIterations?: number;
}

/** The margin: the dirty rate (QEMU's measure) at which the answer flips, found by bisection. */
export interface EstimateMargin {
  /**
   * 'converges-up-to': the largest rate found that still converges (bisection bracket [rate, rateAbove]);
   * 'converges-at-any-rate': it converges even when the guest dirties its whole working set each window;
   * 'converges-below': it does not converge now; below `rate` it does.
   * 'never-converges': not even at a hundredth of the measured rate.
   */
  kind: 'converges-up-to' | 'converges-at-any-rate' | 'converges-below' | 'never-converges';
  dirtyRateBytesPerSec: number;
  /** The first rate known not to converge (null when none was found). */
  rateAboveBytesPerSec: number | null;
  /** dirtyRateBytesPerSec / the measured rate: 1.8 = the guest may dirty 80 % faster (null when the measured rate is 0). */
  factor: number | null;
  iterations: number;
}

export interface PolicyEstimate {
  policy: string;
  /** 'emulation' at full size, 'reduced-emulation' with `scale` > 1, or 'closed-form'. */
  method: 'emulation' | 'reduced-emulation' | 'closed-form';
  /** The reduction factor k (1 = the real size). */
  scale: number;
  /** Pre-copy converged by itself (a pause or postcopy forced by a management layer does not count). */
  converges: boolean;
  /** 'completed', or how the run ended: 'max-time', 'max-data', 'aborted'. */
  outcome: string;
  totalTimeMs: number;
  /** null when the guest never stopped (not converged, or aborted). */
  downtimeMs: number | null;
  transferredBytes: number;
  guestCpuLostPct: number;
  margin: EstimateMargin | null;
  /** Why this method, what it leaves out. */
  note: string;
}

export interface EstimateResult {
  /** The measurement as read: the write rate that reproduces it (uniform writes over the working set). */
  input: {
    memoryBytes: number; pageSize: number; zeroPageFraction: number; workingSetBytes: number; vcpus: number;
    dirtyRateBytesPerSec: number; dirtyRateWindowMs: number; writesPerSec: number; source: 'query-dirty-rate' | 'options';
  };
  policies: PolicyEstimate[];
}

/** Scenario options estimate sets itself (from the measurement, or per policy), so a scenario must not give them. */
const ESTIMATE_SETS = ['memoryBytes', 'workload', 'populatedFraction', 'vcpus', 'algorithm', 'controller', 'hooks'] as const;

const KEYS = ['memoryBytes', 'zeroPageFraction', 'dirtyRateBytesPerSec', 'dirtyRateWindowMs', 'queryDirtyRate', 'workingSetBytes', 'vcpus', 'scenario', 'policies', 'method', 'marginIterations'];


/** The dirty rate's measuring window: 1 ms to an hour (QEMU's calc-time is whole seconds, 1 to 60). */
const WINDOW_RULE = { min: 1, max: 3_600_000, unit: 'ms' };

interface Measured {
  pageSize: number; pages: number; hotPages: number; zero: number; vcpus: number; rate: number; windowMs: number; source: 'query-dirty-rate' | 'options';
}

function checkInput(o: EstimateOptions): Measured {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InvalidOptionError('estimate options', o, 'an object with memoryBytes and a dirty rate');
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new InvalidOptionError(k, (o as unknown as Record<string, unknown>)[k], `an estimate option (${KEYS.join(', ')})${didYouMean(k, KEYS)}`);
  const sc = o.scenario ?? {};
  if (typeof sc !== 'object' || sc === null || Array.isArray(sc)) throw new InvalidOptionError('scenario', sc, 'an object of scenario options');
  for (const k of ESTIMATE_SETS) {
    if ((sc as Record<string, unknown>)[k] !== undefined) {
      throw new InvalidOptionError(`scenario.${k}`, (sc as Record<string, unknown>)[k], `nothing: estimate sets ${k} itself (${ESTIMATE_SETS.join(', ')} come from its own options and the policies)`);
    }
  }
  const pageSize = (sc as MigrationOptions).pageSize === undefined
    ? (OPTION_TABLE.pageSize.default as number)
    : checkNumber('pageSize', (sc as MigrationOptions).pageSize, OPTION_TABLE.pageSize.rule);
  if ((pageSize & (pageSize - 1)) !== 0) throw new InvalidOptionError('pageSize', pageSize, OPTION_TABLE.pageSize.doc);
  const memory = checkNumber('memoryBytes', o.memoryBytes, OPTION_TABLE.memoryBytes.rule);
  if (memory % pageSize !== 0) throw new InvalidOptionError('memoryBytes', memory, `a whole number of ${pageSize} B pages`);
  const pages = memory / pageSize;
  const zero = o.zeroPageFraction === undefined ? 1 - (OPTION_TABLE.populatedFraction.default as number) : checkNumber('zeroPageFraction', o.zeroPageFraction, { min: 0, max: 1 });
  const wss = o.workingSetBytes === undefined ? memory : checkNumber('workingSetBytes', o.workingSetBytes, { min: pageSize, max: memory, unit: 'B' });
  const hotPages = Math.max(1, Math.floor(wss / pageSize));
  let rate: number;
  let windowMs: number;
  let vcpus = 1;
  let source: Measured['source'] = 'options';
  if (o.queryDirtyRate !== undefined) {
    if (o.dirtyRateBytesPerSec !== undefined) throw new InvalidOptionError('dirtyRateBytesPerSec', o.dirtyRateBytesPerSec, 'nothing when queryDirtyRate is given (it carries the rate)');
    if (o.dirtyRateWindowMs !== undefined) throw new InvalidOptionError('dirtyRateWindowMs', o.dirtyRateWindowMs, 'nothing when queryDirtyRate is given (its calc-time is the window)');
    const q = parseQueryDirtyRate(o.queryDirtyRate, 'queryDirtyRate');
    const perVcpu = q.vcpuMiBps.reduce((a, b) => a + b, 0);
    rate = (q.vcpuMiBps.length > 0 ? perVcpu : q.dirtyRateMiBps!) * 2 ** 20;
    windowMs = checkNumber('queryDirtyRate: calc-time', q.calcTimeMs, WINDOW_RULE);
    vcpus = Math.max(1, q.vcpuMiBps.length);
    source = 'query-dirty-rate';
  } else {
    if (o.dirtyRateBytesPerSec === undefined) throw new InvalidOptionError('dirtyRateBytesPerSec', undefined, 'a dirty rate in bytes per second (or queryDirtyRate: the JSON of query-dirty-rate)');
    rate = checkNumber('dirtyRateBytesPerSec', o.dirtyRateBytesPerSec, { min: 0, minExclusive: true, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' });
    windowMs = o.dirtyRateWindowMs === undefined ? 1000 : checkNumber('dirtyRateWindowMs', o.dirtyRateWindowMs, WINDOW_RULE);
  }
  if (o.vcpus !== undefined) vcpus = checkNumber('vcpus', o.vcpus, OPTION_TABLE.vcpus.rule);
  const limit = (hotPages * pageSize) / (windowMs / 1000);
  if (rate >= limit) {
    throw new InvalidOptionError(o.queryDirtyRate !== undefined ? 'queryDirtyRate: dirty-rate' : 'dirtyRateBytesPerSec', rate,
      `under ${limit.toFixed(0)} B/s: at that rate every page of the ${wss} B working set would be dirty within the ${windowMs} ms window, which no write rate reproduces (give a larger workingSetBytes)`);
  }
  return { pageSize, pages, hotPages, zero, vcpus, rate, windowMs, source };
}

/**
 * The largest power of two k ≤ pages / ESTIMATE_TARGET_PAGES that divides the page count, keeps 64 or more
 * working-set pages, and keeps every value the reduction divides (or multiplies) within its option's range:
 * the link and max-bandwidth at 1 B/s or more, the data cap at a byte or more, the sync cost at its maximum.
 */
function reduction(pages: number, hotPages: number, sc: Record<string, unknown>): number {
  const value = (key: 'bandwidthBytesPerSec' | 'maxBandwidthBytesPerSec' | 'maxDataBytes' | 'syncCostPerGiBMs'): number | null => (sc[key] ?? OPTION_TABLE[key].default) as number | null;
  const fits = (k: number): boolean => {
    const link = value('bandwidthBytesPerSec'), cap = value('maxBandwidthBytesPerSec'), data = value('maxDataBytes'), sync = value('syncCostPerGiBMs');
    return (link === null || link / k >= 1) && (cap === null || cap / k >= 1) && (data === null || Math.round(data / k) >= 1)
      && (sync === null || sync * k <= (OPTION_TABLE.syncCostPerGiBMs.rule.max as number));
  };
  let k = 1;
  while (k * 2 * ESTIMATE_TARGET_PAGES <= pages && pages % (k * 2) === 0 && hotPages / (k * 2) >= 64 && fits(k * 2)) k *= 2;
  return k;
}

/**
 * Whether a policy's rules are ratios and times only, so a reduced VM keeps them. Postcopy is not: its remote
 * faults count pages (a reduced VM would fault k times less), so a policy that may switch to it runs full size.
 */
function reducible(p: Policy, scenario: EstimateOptions['scenario']): boolean {
  if (p.algorithm !== 'qemu') return false;
  const o = { ...(scenario ?? {}), ...(p.options ?? {}) } as Record<string, unknown>;
  // What a reduction by k would not scale (a changing link, other traffic, a cache or compressor sized for the real VM).
  const unscaled = ['linkTrace', 'backgroundTrace', 'backgroundBytesPerSec', 'xbzrle', 'multifdChannels'];
  if (unscaled.some((k) => o[k] !== undefined && o[k] !== null && o[k] !== false && o[k] !== 0)) return false;
  if (Object.keys(o).some((k) => /postcopy/i.test(k) && o[k] !== undefined && o[k] !== null && o[k] !== false)) return false;
  const m = o['management'];
  if (typeof m === 'string' && resolveManagement(m)?.mayStartPostcopy === true) return false;
  const c = p.controller;
  const name = c === undefined ? 'none' : typeof c === 'string' ? c : typeof c === 'object' && 'name' in c ? c.name : 'custom';
  if (name === 'dirty-limit' || name === 'custom' || typeof c === 'function') return false;
  if (name === 'cpu-scheduling' && typeof c === 'object' && c !== null && 'target' in c && c.target !== 'downtime') return false;
  return true;
}

/** migrate() options for one policy at dirty rate `rate`, reduced by k. */
function scenarioFor(o: EstimateOptions, m: Measured, p: Policy, rate: number, k: number): MigrationOptions {
  // The policy's own options (its braces, its management layer) count as the scenario's, and are reduced with it.
  const sc = { ...policyScenario((o.scenario ?? {}) as MigrationOptions, p) } as Record<string, unknown>;
  const T = m.windowMs / 1000;
  const writes = writeRateForDistinct((rate * T) / m.pageSize, m.hotPages, T);
  const memoryBytes = (m.pages / k) * m.pageSize;
  const div = (key: string, dflt: unknown, round = false) => {
    const v = (sc[key] ?? dflt) as number | null;
    if (v !== null && v !== undefined) sc[key] = round ? Math.max(0, Math.round(v / k)) : v / k;
  };
  if (k > 1) {
    div('bandwidthBytesPerSec', OPTION_TABLE.bandwidthBytesPerSec.default);
    div('maxBandwidthBytesPerSec', OPTION_TABLE.maxBandwidthBytesPerSec.default);
    div('availSwitchoverBandwidthBytesPerSec', null);
    div('deviceStateBytes', OPTION_TABLE.deviceStateBytes.default, true);
    div('maxDataBytes', null, true);
    sc['syncCostPerGiBMs'] = ((sc['syncCostPerGiBMs'] ?? OPTION_TABLE.syncCostPerGiBMs.default) as number) * k;
  }
  // Uniform writes over the working set (the region at the start of memory), shared by the vCPUs.
  const regionSize = Math.min(1, m.hotPages / m.pages);
  const workload = { kind: 'uniform' as const, writesPerSec: writes / k / m.vcpus, regionStart: 0, regionSize };
  return {
    ...(sc as MigrationOptions), memoryBytes, populatedFraction: 1 - m.zero, vcpus: m.vcpus, workload,
  };
}

interface Outcome { converges: boolean; report: MigrationReport | null; closed: ClosedForm | null }

function converged(r: MigrationReport): boolean {
  return r.status === 'completed' && !(r.management?.events ?? []).some((e) => e.kind === 'pause' || e.kind === 'postcopy');
}

/** Scenario options the closed form does not model: a scenario that sets them is emulated. */
const CLOSED_FORM_LEAVES_OUT = ['maxDataBytes', 'availSwitchoverBandwidthBytesPerSec'] as const;

/** Thrown from a round hook to stop an emulation that has sent its budget of pages. */
class OverBudget extends Error {}

/**
 * One emulated run. With `budgeted`, it stops once it has sent ESTIMATE_BUDGET_PAGE_SENDS pages (checked at each
 * round's end, so at most one round more) and the policy is refused naming maxTimeMs: a policy the closed form
 * cannot model would otherwise emulate for as long as the time cap lets it.
 */
function emulate(o: EstimateOptions, m: Measured, p: Policy, rate: number, k: number, budgeted: boolean): Outcome {
  let sent = 0;
  const hooks = budgeted ? {
    onRound(r: { normalPages: number; zeroPages: number }) {
      sent += r.normalPages + r.zeroPages;
      if (sent > ESTIMATE_BUDGET_PAGE_SENDS) throw new OverBudget();
    },
  } : {};
  const resolved = resolveOptions({ ...scenarioFor(o, m, p, rate, k), hooks }, k > 1 ? { scale: k } : {});
  try {
    const report = withStore(resolved, (store) => runMigration(resolved, store), false);
    return { converges: converged(report), report, closed: null };
  } catch (err) {
    if (!(err instanceof OverBudget)) throw err;
    const maxTimeMs = o.scenario?.maxTimeMs ?? OPTION_TABLE.maxTimeMs.default;
    throw new InvalidOptionError('maxTimeMs', maxTimeMs,
      `a time cap ${policyLabel(p)} reaches within ${ESTIMATE_BUDGET_PAGE_SENDS} page sends (emulating it sent more; the closed form models plain qemu only, so lower the time cap, or ask for method 'emulation')`);
  }
}

/** The closed form's answer (migration-algorithms.md §2.2 rounds, with §2.3's distinct pages per round). */
interface ClosedForm { converges: boolean; totalTimeMs: number; downtimeMs: number | null; transferredBytes: number; rounds: number }

/**
 * QEMU pre-copy in closed form: round 0 sends every page (zero pages at 9 B, the others at page + 8 B) at the
 * pre-copy rate R = min(link, max-bandwidth); each later round sends the distinct pages dirtied during the one
 * before, H·(1 − e^(−w·T/H)); it stops once a round's data fits link × downtime limit, then sends it and the device
 * state at link speed. It does not converge when a round is no smaller than the one before and still above the
 * threshold, or the time cap is reached. No throttle, no window or burst granularity.
 */
export function closedFormPrecopy(x: {
  pages: number; pageSize: number; zeroFraction: number; hotPages: number; writesPerSec: number; linkBytesPerSec: number; maxBandwidthBytesPerSec: number;
  downtimeLimitMs: number; deviceStateBytes: number; setupTimeMs: number; resumeTimeMs: number; maxTimeMs: number;
}): ClosedForm {
  const R = Math.min(x.linkBytesPerSec, x.maxBandwidthBytesPerSec);
  const pageWire = x.pageSize + 8;
  const zeroPages = Math.round(x.pages * x.zeroFraction);
  let bytes = (x.pages - zeroPages) * pageWire + zeroPages * 9;
  let sent = 0;
  let t = x.setupTimeMs;
  const threshold = (x.linkBytesPerSec * x.downtimeLimitMs) / 1000;
  let prev = Number.POSITIVE_INFINITY;
  for (let round = 1; round <= 100_000; round++) {
    const dt = (bytes / R) * 1000;
    if (t + dt >= x.maxTimeMs) return { converges: false, totalTimeMs: x.maxTimeMs, downtimeMs: null, transferredBytes: sent + ((x.maxTimeMs - t) / 1000) * R, rounds: round };
    t += dt;
    sent += bytes;
    const dirty = x.hotPages * -Math.expm1((-x.writesPerSec * dt) / 1000 / x.hotPages);
    const next = dirty * pageWire;
    if (next <= threshold) {
      const down = ((next + x.deviceStateBytes) / x.linkBytesPerSec) * 1000 + x.resumeTimeMs;
      return { converges: true, totalTimeMs: t + down, downtimeMs: down, transferredBytes: sent + next + x.deviceStateBytes, rounds: round + 1 };
    }
    if (next >= prev && round > 2) return { converges: false, totalTimeMs: x.maxTimeMs, downtimeMs: null, transferredBytes: sent + ((x.maxTimeMs - t) / 1000) * R, rounds: round };
    prev = next;
    bytes = next;
  }
  return { converges: false, totalTimeMs: x.maxTimeMs, downtimeMs: null, transferredBytes: sent, rounds: 100_000 };
}

function closedForm(o: EstimateOptions, m: Measured, rate: number): Outcome {
  const r = resolveOptions(scenarioFor(o, m, { algorithm: 'qemu' }, rate, 1)).scenario;
  const T = m.windowMs / 1000;
  const c = closedFormPrecopy({
    pages: m.pages, pageSize: m.pageSize, zeroFraction: m.zero, hotPages: m.hotPages, writesPerSec: writeRateForDistinct((rate * T) / m.pageSize, m.hotPages, T),
    linkBytesPerSec: r.bandwidthBytesPerSec, maxBandwidthBytesPerSec: r.maxBandwidthBytesPerSec, downtimeLimitMs: r.downtimeLimitMs, deviceStateBytes: r.deviceStateBytes,
    setupTimeMs: r.setupTimeMs, resumeTimeMs: r.resumeTimeMs, maxTimeMs: r.maxTimeMs,
  });
  return { converges: c.converges, report: null, closed: c };
}

/** The page sends an emulation would make at most (the time cap at the pre-copy rate), reduced by k. */
function emulationCost(o: EstimateOptions, m: Measured, k: number): number {
  const sc = (o.scenario ?? {}) as MigrationOptions;
  const link = sc.bandwidthBytesPerSec ?? (OPTION_TABLE.bandwidthBytesPerSec.default as number);
  const maxTime = sc.maxTimeMs ?? (OPTION_TABLE.maxTimeMs.default as number);
  return ((link / k) * (maxTime / 1000)) / m.pageSize;
}

/**
 * Answers, per policy: converges or not, total time, downtime, data sent, guest CPU lost, and the margin.
 * Throws InvalidOptionError naming the field on bad input (a malformed query-dirty-rate reply included).
 *
 * @example
 * const e = estimate({ memoryBytes: 8 * GiB, dirtyRateBytesPerSec: 200 * MiB, workingSetBytes: 1 * GiB,
 *   scenario: { bandwidthBytesPerSec: 1.25e9 }, policies: ['qemu', 'qemu@nova'] });
 */
export function estimate(options: EstimateOptions): EstimateResult {
  const m = checkInput(options);
  const method = options.method ?? 'auto';
  if (!['auto', 'emulation', 'closed-form'].includes(method)) throw new InvalidOptionError('method', method, 'one of auto, emulation, closed-form');
  const iterations = options.marginIterations === undefined ? 8 : checkNumber('marginIterations', options.marginIterations, { min: 0, max: 30, integer: true });
  const given = options.policies ?? ESTIMATE_DEFAULT_POLICIES;
  if (!Array.isArray(given) || given.length === 0) throw new InvalidOptionError('policies', given, 'a non-empty list of policies ("qemu+auto-converge@nova", ...)');
  const policies = given.map((p, i) => toPolicy(p, `policies[${i}]`));
  // Check the whole scenario once, at full size, so errors name the user's values.
  resolveOptions(scenarioFor(options, m, { algorithm: 'qemu' }, m.rate, 1));
  const T = m.windowMs / 1000;
  const out = policies.map((p): PolicyEstimate => {
    const management = p.options?.management ?? options.scenario?.management;
    // What the closed form models: plain qemu pre-copy, with no data cap or switchover bandwidth (it has neither).
    const unmodelled = CLOSED_FORM_LEAVES_OUT.filter((k) => (options.scenario as Record<string, unknown> | undefined)?.[k] != null);
    const plain = (p.controller === undefined || p.controller === 'none') && (management === undefined || management === 'none') && p.algorithm === 'qemu'
      && Object.keys(p.options ?? {}).every((k) => k === 'management') && unmodelled.length === 0;
    const k = reducible(p, options.scenario) ? reduction(m.pages, m.hotPages, policyScenario((options.scenario ?? {}) as MigrationOptions, p) as Record<string, unknown>) : 1;
    const overBudget = emulationCost(options, m, k) > ESTIMATE_BUDGET_PAGE_SENDS;
    const useClosed = plain && (method === 'closed-form' || (method === 'auto' && overBudget));
    if (method === 'closed-form' && !plain) throw new InvalidOptionError('method', method, `'auto' or 'emulation' for ${policyLabel(p)} (the closed form has no controller, management layer, ${CLOSED_FORM_LEAVES_OUT.join(' or ')}; it models plain qemu pre-copy)`);
    // 'auto' bounds an emulation it cannot replace by the closed form; 'emulation' runs as long as asked.
    const budgeted = method === 'auto' && !plain && overBudget;
    const run = (rate: number): Outcome => (useClosed ? closedForm(options, m, rate) : emulate(options, m, p, rate, k, budgeted));
    const now = run(m.rate);
    const margin = iterations === 0 ? null : searchMargin(run, now.converges, m.rate, ((m.hotPages * m.pageSize) / T) * 0.999, iterations);
    const methodName = useClosed ? 'closed-form' : k > 1 ? 'reduced-emulation' : 'emulation';
    const note = useClosed
      ? (method === 'closed-form' ? 'closed form, as asked' : `closed form: emulating up to the time cap would take over ${ESTIMATE_BUDGET_PAGE_SENDS} page sends`) + ' (migration-algorithms.md §2.2 with §2.3; no window, burst or throttle detail)'
      : k > 1 ? `emulated on a VM reduced ${k}× (memory, working set, write rate, link, caps and device state ÷ ${k}; bytes × ${k})` : 'emulated at full size';
    if (now.report !== null) {
      const s = now.report.summary;
      return {
        policy: policyLabel(p), method: methodName, scale: k, converges: now.converges, outcome: s.status === 'completed' ? 'completed' : s.reason,
        totalTimeMs: s.totalTimeMs, downtimeMs: s.downtimeMs, transferredBytes: s.transferredBytes * k, guestCpuLostPct: s.guestCpuLostPct, margin, note,
      };
    }
    const c = now.closed!;
    return {
      policy: policyLabel(p), method: methodName, scale: 1, converges: c.converges, outcome: c.converges ? 'completed' : 'max-time',
      totalTimeMs: c.totalTimeMs, downtimeMs: c.downtimeMs, transferredBytes: Math.round(c.transferredBytes), guestCpuLostPct: c.converges ? (c.downtimeMs! / c.totalTimeMs) * 100 : 0, margin, note,
    };
  });
  return {
    input: {
      memoryBytes: m.pages * m.pageSize, pageSize: m.pageSize, zeroPageFraction: m.zero, workingSetBytes: m.hotPages * m.pageSize, vcpus: m.vcpus,
      dirtyRateBytesPerSec: m.rate, dirtyRateWindowMs: m.windowMs, writesPerSec: writeRateForDistinct((m.rate * T) / m.pageSize, m.hotPages, T), source: m.source,
    },
    policies: out,
  };
}

/**
 * Bisection over the dirty rate (at most `iterations` runs after the first probe): converging now, up to `ceiling`
 * (the whole working set dirty in each measuring window); not converging now, down to a hundredth of the rate.
 */
/** x as a multiple of the measured rate; none for a guest measured at 0 B/s (a query-dirty-rate of an idle guest), or one so slow that the multiple overflows a double. */
function ratio(x: number, rate: number): number | null {
  const r = x / rate;
  return rate > 0 && Number.isFinite(r) ? r : null;
}

/** Narrows [lo, hi] (lo converges, hi does not) by iterations − 1 halvings; returns the last bracket. */
function bisect(run: (rate: number) => Outcome, lo: number, hi: number, iterations: number): [number, number] {
  for (let i = 1; i < iterations; i++) {
    const mid = (lo + hi) / 2;
    if (run(mid).converges) lo = mid;
    else hi = mid;
  }
  return [lo, hi];
}

function searchMargin(run: (rate: number) => Outcome, convergesNow: boolean, rate: number, ceiling: number, iterations: number): EstimateMargin {
  if (convergesNow) {
    if (run(ceiling).converges) return { kind: 'converges-at-any-rate', dirtyRateBytesPerSec: ceiling, rateAboveBytesPerSec: null, factor: ratio(ceiling, rate), iterations: 1 };
    const [lo, hi] = bisect(run, rate, ceiling, iterations);
    return { kind: 'converges-up-to', dirtyRateBytesPerSec: lo, rateAboveBytesPerSec: hi, factor: ratio(lo, rate), iterations };
  }
  const floor = rate / 100;
  if (!run(floor).converges) return { kind: 'never-converges', dirtyRateBytesPerSec: 0, rateAboveBytesPerSec: floor, factor: 0, iterations: 1 };
  const [lo, hi] = bisect(run, floor, rate, iterations);
  return { kind: 'converges-below', dirtyRateBytesPerSec: lo, rateAboveBytesPerSec: hi, factor: ratio(lo, rate), iterations };
}
