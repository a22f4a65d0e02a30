/**
 * drain(): several VMs migrating from one host over one shared link, `concurrency` at a time, in an order.
 *
 * How the shares are computed (the design, and why). Each migration runs in the ordinary engine with a link
 * whose capacity varies in time: its max-min share of the drain's link (src/engine/link-share.ts). The shares
 * only change when the set of running migrations changes, that is when one ends (and the next in line starts).
 * So the drain is run event by event, which gives the lockstep result exactly: with the running set fixed from
 * the last event on, every running migration is emulated with its share from then on held; the earliest end
 * among them is the true next event (nothing changes any migration's link before it); there the ended one
 * leaves, the next VMs start, and the migrations whose share changes from that moment are emulated again from
 * their start with the new share after it (the engine is deterministic, so their past is the same). A
 * migration whose share does not change is not run again. This needs no iteration and no tolerance, unlike a
 * fixed point on completion times, and each run is a plain migrate() (every report passes the same checks).
 * It costs one run per migration plus one per share change of a running migration (the report counts them).
 *
 * A slot is held, and its share kept, until the migration ends (the guest resumes at the destination), as
 * nova and KubeVirt count a migration until it completes; a cancelled migration ends at its max time.
 */
import type { PageStore } from '../core/page-store.js';
import { invariantChecksOn } from '../engine/invariants.js';
import { drainViolations } from './drain-invariants.js';
import { flowSegments } from '../engine/link-share.js';
import { CapacityError } from '../errors/capacity-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { DRAIN_LINK_FIELDS, DRAIN_LINK_ROWS, DRAIN_TABLE, MAX_DRAIN_VMS, type DrainOptions, type DrainOrder, type DrainReport, type DrainVm, type DrainVmResult } from '../model/drain.js';
import { checkField, type FieldSpec } from '../model/fields.js';
import type { ResolvedScenario } from '../model/option-table.js';
import type { MigrationOptions, ResolvedOptions } from '../model/options.js';
import type { MigrationReport } from '../model/report.js';
import type { WorkloadSpec } from '../model/workloads.js';
import { didYouMean } from '../model/suggest.js';
import { PiecewiseRate, type RateSegment } from '../model/piecewise-rate.js';
import { linkCapacityOf } from './link-capacity.js';
import { WasmPageStore } from '../core/wasm-page-store.js';
import { runMigration, withStore } from './migrate.js';
import { parsePolicy } from './policy.js';
import { resolveOptions } from './resolve.js';

const DRAIN_KEYS = ['vms', 'base', ...Object.keys(DRAIN_TABLE), ...DRAIN_LINK_FIELDS];

/** A VM's options and its state in the drain. */
interface VmState {
  index: number;
  name: string;
  options: MigrationOptions;
  resolved: ResolvedOptions;
  /** Bound of its flow: QEMU's max-bandwidth (the other algorithms do not limit themselves). */
  cap: number;
  startMs: number;
  /** Its capacity in drain time from startMs on. */
  segments: RateSegment[];
  /** The running set's sorted bounds its share was last computed for. */
  capsKey: string;
  stale: boolean;
  report: MigrationReport | null;
  endMs: number;
  runs: number;
  startRank: number;
  /** The policy as given (text form), if it was. */
  policy: string | null;
}

/** An error about a VM's field, named by its place in the drain: `vms[2].memoryBytes`. */
function underVm(err: unknown, prefix: string): unknown {
  if (err instanceof InvalidOptionError) return new InvalidOptionError(`${prefix}.${err.field}`, err.value, err.accepted);
  if (err instanceof CapacityError) return new CapacityError(`${prefix}.${err.field}`, err.requiredBytes, err.limitBytes, err.reason);
  return err;
}

/** The VM list with copies expanded: [name, options, where] each. */
function expandVms(vms: unknown, base: unknown): { name: string; options: MigrationOptions; where: string; policy: string | null }[] {
  if (!Array.isArray(vms) || vms.length === 0) throw new InvalidOptionError('vms', vms, `a list of 1 to ${MAX_DRAIN_VMS} VMs (migrate() options each)`);
  if (base !== undefined && (typeof base !== 'object' || base === null || Array.isArray(base))) throw new InvalidOptionError('base', base, 'an object of migrate() options');
  const refuse = (o: Record<string, unknown>, where: string) => {
    for (const k of [...DRAIN_LINK_FIELDS, 'hooks']) {
      if (k in o) throw new InvalidOptionError(`${where}.${k}`, o[k], k === 'hooks' ? 'no hooks in a drain (its migrations may be emulated more than once)' : `no ${k} per VM: the VMs share the drain's link (set ${k} on the drain)`);
    }
  };
  if (base !== undefined) {
    refuse(base as Record<string, unknown>, 'base');
    for (const k of ['name', 'count', 'policy']) {
      if (k in base) throw new InvalidOptionError(`base.${k}`, (base as Record<string, unknown>)[k], `no ${k} in base (set it on a VM of vms)`);
    }
  }
  const out: { name: string; options: MigrationOptions; where: string; policy: string | null }[] = [];
  vms.forEach((vm, i) => {
    const where = `vms[${i}]`;
    if (typeof vm !== 'object' || vm === null || Array.isArray(vm)) throw new InvalidOptionError(where, vm, 'a VM: an object of migrate() options, with an optional name and count');
    const { name, count, policy: policyText, ...rest } = vm as DrainVm & Record<string, unknown>;
    refuse(rest, where);
    let own: Record<string, unknown> = rest;
    if (policyText !== undefined) {
      const p = parsePolicy(policyText as string, `${where}.policy`);
      refuse((p.options ?? {}) as Record<string, unknown>, `${where}.policy`);
      for (const k of ['algorithm', 'controller']) {
        if (k in rest) throw new InvalidOptionError(`${where}.${k}`, rest[k], `no ${k} beside a policy (the policy gives it)`);
      }
      own = { ...rest, ...p.options, algorithm: p.algorithm, controller: p.controller };
    }
    if (name !== undefined && (typeof name !== 'string' || name === '')) throw new InvalidOptionError(`${where}.name`, name, 'a non-empty string');
    const n = count ?? 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_DRAIN_VMS) throw new InvalidOptionError(`${where}.count`, count, `a whole number from 1 to ${MAX_DRAIN_VMS}`);
    const options = { ...(base as MigrationOptions | undefined), ...own } as MigrationOptions;
    const seed = options.seed ?? 1;
    for (let j = 0; j < n; j++) {
      if (out.length >= MAX_DRAIN_VMS) throw new InvalidOptionError('vms', `more than ${MAX_DRAIN_VMS} VMs`, `at most ${MAX_DRAIN_VMS} VMs in all (copies included)`);
      const label = name ?? `vm${i + 1}`;
      out.push({
        name: n > 1 ? `${label}-${j + 1}` : label,
        options: n > 1 ? { ...options, seed: (seed + j) % 2 ** 32 } : options,
        where,
        policy: typeof policyText === 'string' ? policyText.trim() : null,
      });
    }
  });
  return out;
}

/** Full-speed write rate of a VM, bytes per second (the least-dirty-first key). */
function writeRate(w: readonly WorkloadSpec[], pageSize: number, where: string): number {
  const one = (spec: WorkloadSpec): number => {
    const x = spec as unknown as Record<string, unknown>;
    if (spec.kind === 'trace') throw new InvalidOptionError('order', 'least-dirty-first', `another order: ${where} runs a trace workload, whose write rate is known only by replaying it`);
    if (spec.kind === 'phases') {
      const phases = x['phases'] as { durationMs: number; workload: WorkloadSpec }[];
      const total = phases.reduce((a, p) => a + p.durationMs, 0);
      return total > 0 ? phases.reduce((a, p) => a + one(p.workload) * p.durationMs, 0) / total : 0;
    }
    return typeof x['writesPerSec'] === 'number' ? (x['writesPerSec'] as number) : 0;
  };
  return w.reduce((a, spec) => a + one(spec), 0) * pageSize;
}

function startOrder(vms: VmState[], order: DrainOrder, where: string[]): VmState[] {
  const key = (v: VmState): number => {
    const s = v.resolved.scenario;
    if (order === 'smallest-first') return s.memoryBytes;
    if (order === 'largest-first') return -s.memoryBytes;
    if (order === 'least-dirty-first') return writeRate(v.resolved.workloads, s.pageSize, where[v.index]!);
    return 0;
  };
  const keys = vms.map(key);
  return vms.map((v, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b).map((i) => vms[i]!);
}

/** Resolves one VM's options with the drain's link in its echo; its capacity is set per run. */
function resolveVm(options: MigrationOptions, link: Pick<ResolvedScenario, (typeof DRAIN_LINK_FIELDS)[number]>, trace: boolean): ResolvedOptions {
  return resolveOptions({ ...options, bandwidthBytesPerSec: link.bandwidthBytesPerSec, linkRttMs: link.linkRttMs }, { trace });
}

/** The capacity a VM sees in its own time (0 = its start), and the same as the echo's linkTrace when it is steps. */
function localCapacity(v: VmState): { rate: PiecewiseRate; points: { timeMs: number; bytesPerSec: number }[] | null } {
  const local = v.segments.map((s) => ({ startMs: s.startMs - v.startMs, bytesPerSec: s.bytesPerSec, slopePerMs: s.slopePerMs }));
  const rate = PiecewiseRate.of(local);
  const segs = rate.segments();
  const steps = segs.every((s) => s.slopePerMs === 0);
  return { rate, points: steps && segs.length > 1 ? segs.map((s) => ({ timeMs: s.startMs, bytesPerSec: s.bytesPerSec })) : null };
}

/** Internal switches of livemig's own tests: per-page stamps, and each run's store. */
export interface DrainInternals {
  trace?: boolean;
  onRun?: (vmIndex: number, report: MigrationReport, store: PageStore) => void;
}

function run(v: VmState, internals: DrainInternals): void {
  const { rate, points } = localCapacity(v);
  const scenario = { ...v.resolved.scenario } as ResolvedScenario;
  // The echo says what link the VM saw: a constant share as bandwidthBytesPerSec, changing steps as linkTrace.
  const c = rate.constantRate;
  if (c !== null && c >= 1) scenario.bandwidthBytesPerSec = c;
  // (a share below 1 B/s, which bandwidthBytesPerSec cannot say, is echoed as a one-point trace)
  scenario.linkTrace = c !== null && c < 1 ? [{ timeMs: 0, bytesPerSec: c }] : points;
  const resolved: ResolvedOptions = { ...v.resolved, scenario, linkCapacity: rate };
  const onRun = internals.onRun;
  if (onRun === undefined) {
    v.report = withStore(resolved, (store) => runMigration(resolved, store));
  } else {
    // The store handed to onRun outlives the run, so it gets a core of its own.
    const store = new WasmPageStore(scenario.pages, resolved.trace);
    v.report = runMigration(resolved, store);
    onRun(v.index, v.report, store);
  }
  v.endMs = v.startMs + v.report.summary.totalTimeMs;
  v.runs++;
  v.stale = false;
}

/**
 * Drains a host: every VM of `options.vms` migrates over the one link, at most `concurrency` at a time, in
 * `order`; the link is shared max-min fairly among the running migrations (each bounded by its own
 * max-bandwidth). Synchronous and deterministic; throws InvalidOptionError naming the field (`vms[2].memoryBytes`,
 * `concurrency`, `linkTrace (drop.csv:4) timeMs`) on bad input.
 *
 * @example
 * const r = drain({ vms: [{ memoryBytes: 8 * GiB, count: 4 }], concurrency: 2, bandwidthBytesPerSec: 1.25e9 });
 * console.log(r.summary.makespanMs);
 */
export function drain(options: DrainOptions, internals: DrainInternals = {}): DrainReport {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidOptionError('drain options', options, 'an object with vms and the drain fields');
  const given = options as unknown as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!DRAIN_KEYS.includes(k)) throw new InvalidOptionError(k, given[k], `a drain field (${DRAIN_KEYS.join(', ')})${didYouMean(k, DRAIN_KEYS)}`);
  }
  const fields: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(DRAIN_TABLE)) fields[k] = checkField(k, f as FieldSpec, given[k], fields);
  const link: Record<string, unknown> = {};
  for (const [k, f] of DRAIN_LINK_ROWS) link[k] = checkField(k, f, given[k], link);
  const linkEcho = link as Pick<ResolvedScenario, (typeof DRAIN_LINK_FIELDS)[number]>;
  const capacity = linkCapacityOf(linkEcho);
  const concurrency = fields['concurrency'] as number;
  const order = fields['order'] as DrainOrder;
  const host = fields['hostMemoryBytes'] as number | null;

  const list = expandVms(given['vms'], given['base']);
  const vms: VmState[] = list.map(({ name, options: o, where, policy }, index) => {
    let resolved: ResolvedOptions;
    try {
      resolved = resolveVm(o, linkEcho, internals.trace === true);
    } catch (err) {
      throw underVm(err, where);
    }
    const s = resolved.scenario;
    return {
      index, name, options: o, resolved, policy, cap: s.algorithm === 'qemu' ? s.maxBandwidthBytesPerSec : Infinity,
      startMs: 0, segments: [], capsKey: '', stale: true, report: null, endMs: 0, runs: 0, startRank: 0,
    };
  });
  const totalMemory = vms.reduce((a, v) => a + v.resolved.scenario.memoryBytes, 0);
  if (host !== null && totalMemory > host) {
    throw new InvalidOptionError('vms', `${vms.length} VMs of ${totalMemory} B in all`, `VMs whose memory fits the host: at most hostMemoryBytes (${host} B) in all`);
  }

  const queue = startOrder(vms, order, list.map((x) => x.where));
  queue.forEach((v, i) => { v.startRank = i + 1; });
  const running: VmState[] = [];
  let next = 0;
  let now = 0;
  const admit = () => {
    while (running.length < concurrency && next < queue.length) {
      const v = queue[next++]!;
      v.startMs = now;
      running.push(v);
    }
    // Each running migration's share from `now` on; those whose share changes are emulated again.
    const caps = running.map((v) => v.cap);
    const key = [...caps].sort((a, b) => a - b).join(',');
    const cont = flowSegments(capacity, now, caps);
    running.forEach((v, i) => {
      if (v.capsKey === key && v.segments.length > 0) return;
      v.segments = [...v.segments.filter((s) => s.startMs < now), ...cont[i]!];
      v.capsKey = key;
      v.stale = true;
    });
  };
  admit();
  while (running.length > 0) {
    for (const v of running) if (v.stale) run(v, internals);
    now = Math.min(...running.map((v) => v.endMs));
    for (let i = running.length - 1; i >= 0; i--) if (running[i]!.endMs === now) running.splice(i, 1);
    if (running.length > 0 || next < queue.length) admit();
  }
  const report = drainReport(vms, capacity, { concurrency, order, hostMemoryBytes: host, ...linkEcho });
  if (invariantChecksOn()) {
    const bad = drainViolations(report, capacity);
    if (bad.length > 0) throw new Error(`livemig: drain invariant broken: ${bad.join('; ')}`);
  }
  return report;
}

function drainReport(vms: VmState[], capacity: PiecewiseRate, echo: DrainReport['drain']): DrainReport {
  const results: DrainVmResult[] = vms.map((v) => {
    const r = v.report!;
    const m = r.summary;
    const s = r.scenario;
    return {
      name: v.name,
      index: v.index,
      startRank: v.startRank,
      memoryBytes: s.memoryBytes,
      policy: v.policy ?? (s.controller === null ? s.algorithm : `${s.algorithm}+${String((s.controller as { name?: unknown }).name ?? 'custom')}`),
      startMs: v.startMs,
      endMs: v.endMs,
      status: r.status,
      reason: r.status === 'cancelled' ? r.summary.reason : null,
      totalTimeMs: m.totalTimeMs,
      downtimeMs: m.downtimeMs,
      transferredBytes: m.transferredBytes,
      guestCpuLostMs: m.guest.cpuLostMs,
      guestCpuLostPct: m.guestCpuLostPct,
      rounds: m.rounds,
      engineRuns: v.runs,
      meanRateBytesPerSec: m.totalTimeMs > 0 ? (m.transferredBytes / m.totalTimeMs) * 1000 : 0,
      share: v.segments.filter((seg) => seg.startMs < v.endMs).map((seg) => ({ ...seg })),
    };
  });
  const makespanMs = Math.max(...results.map((x) => x.endMs));
  const done = results.filter((x) => x.status === 'completed');
  const bytes = results.reduce((a, x) => a + x.transferredBytes, 0);
  const carried = capacity.integrateFor(0, makespanMs);
  return {
    format: 'livemig-drain/1',
    drain: echo,
    summary: {
      vms: results.length,
      completed: done.length,
      cancelled: results.length - done.length,
      makespanMs,
      transferredBytes: bytes,
      guestCpuLostMs: results.reduce((a, x) => a + x.guestCpuLostMs, 0),
      maxDowntimeMs: done.length > 0 ? Math.max(...done.map((x) => x.downtimeMs!)) : null,
      totalDowntimeMs: done.reduce((a, x) => a + x.downtimeMs!, 0),
      linkUtilization: carried > 0 ? bytes / carried : 0,
      engineRuns: results.reduce((a, x) => a + x.engineRuns, 0),
    },
    vms: results,
    reports: vms.map((v) => v.report!),
  };
}
