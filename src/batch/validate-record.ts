/**
 * Full check of a run record read back from results.ndjson: a line that parses but has a missing, null or
 * mistyped field is reported by its path (and the caller adds the line number) instead of crashing a
 * report later. The field tables are typed by the report types' keys, so adding a field to a report without
 * adding it here fails the build; the scenario's checks come from the option table.
 */
import type { RunRecord } from './record.js';
import { OPTION_ROWS } from '../model/option-table.js';
import { CANCEL_REASONS, type CompletedSummary, type GuestImpact, type ResolvedScenario, type RoundRecord, type TimelineSample, type VcpuImpact } from '../model/report.js';

/** "max-time", "max-data" or "aborted". */
const REASONS_TEXT = `${CANCEL_REASONS.slice(0, -1).map((r) => `"${r}"`).join(', ')} or "${CANCEL_REASONS.at(-1)!}"`;

type Check = (v: unknown) => boolean;
type Fields<T> = { [K in keyof T]-?: Check };

const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const nonNeg: Check = (v) => num(v) && (v as number) >= 0;
const whole: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const obj: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = (...xs: unknown[]): Check => (v) => xs.includes(v);
const nullOr = (c: Check): Check => (v) => v === null || c(v);
/** The wire features' statistics (xbzrle, multifd): absent, or an object of finite non-negative numbers. */
const stats: Check = (v) => v === undefined || (obj(v) && Object.values(v as object).every(nonNeg));

const ROUND: Fields<RoundRecord> = {
  index: whole, phase: oneOf('live', 'stop-and-copy', 'postcopy'), startMs: nonNeg, endMs: nonNeg, normalPages: whole, zeroPages: whole,
  skippedPages: whole, bytes: nonNeg, dirtiedPages: whole, remainingPages: whole, bandwidthBytesPerSec: nonNeg,
  expectedDowntimeMs: nonNeg, throttlePct: nonNeg, xbzrle: stats, multifd: stats,
};

const SAMPLE: Fields<TimelineSample> = {
  tMs: nonNeg, round: whole, transferredBytes: nonNeg, remainingPages: whole, bandwidthBytesPerSec: nonNeg,
  dirtyPagesPerSec: nonNeg, throttlePct: nonNeg,
};

const VCPU: Fields<VcpuImpact> = {
  vcpu: whole, workload: str, cpuDemandedMs: nonNeg, cpuObtainedMs: nonNeg, writes: whole, throttledMs: nonNeg, maxThrottlePct: nonNeg,
};

const GUEST: Omit<Fields<GuestImpact>, 'vcpus'> = {
  cpuDemandedMs: nonNeg, cpuObtainedMs: nonNeg, cpuLostMs: nonNeg, cpuLostPct: nonNeg, meanThrottlePct: nonNeg,
  maxThrottlePct: nonNeg, throttledMs: nonNeg, precopyProgress: nonNeg,
};

/** The scenario echo's checks, one per row of the option table (so a new option is checked with no edit here). */
const SCENARIO = Object.fromEntries(OPTION_ROWS.map(([name, row]): [string, Check] => {
  const check: Check = row.kind === 'workload' ? (v) => Array.isArray(v) && v.every(obj)
    : row.kind === 'controller' ? obj
    : row.kind === 'boolean' ? bool
    : row.kind === 'enum' ? (row.rule === undefined ? str : (v) => str(v) || nonNeg(v))
    : row.kind === 'rate-trace' ? (v) => str(v) || Array.isArray(v) || obj(v)
    : row.rule?.integer === true || 'derived' in row ? whole : nonNeg;
  return [row.echoAs ?? name, row.default === null || row.kind === 'controller' ? nullOr(check) : check];
})) as Fields<ResolvedScenario>;

// Both summary variants share these; status, reason and downtimeMs are checked together below.
const SUMMARY: Omit<Fields<CompletedSummary>, 'status' | 'downtimeMs' | 'guest'> = {
  algorithm: str, controller: str, totalTimeMs: nonNeg, setupTimeMs: nonNeg, transferredBytes: nonNeg, rounds: whole,
  normalPages: whole, zeroPages: whole, skippedPages: whole, guestCpuLostPct: nonNeg, meanThrottlePct: nonNeg,
  maxThrottlePct: nonNeg, throttledMs: nonNeg, xbzrle: stats, multifd: stats,
  // Only a run that switched to postcopy has it (src/engine/postcopy.ts).
  postcopy: (v) => v === undefined || obj(v),
};

const TOP: Pick<Fields<RunRecord>, 'experiment' | 'fingerprint' | 'index' | 'id' | 'params' | 'seed' | 'policy'> = {
  experiment: str, fingerprint: str, index: whole, id: str, params: obj, seed: whole, policy: str,
};

/** The first problem of a parsed record, as "field: what is wrong", or null when it is a whole RunRecord. */
export function recordProblem(r: unknown): string | null {
  if (!obj(r)) return 'not a JSON object';
  const rec = r as Record<string, unknown>;
  if (rec['format'] !== 'livemig-run/1') return 'format: not "livemig-run/1"';
  return (
    fields(rec, TOP, '') ??
    (obj(rec['scenario']) ? fields(rec['scenario'] as Record<string, unknown>, SCENARIO, 'scenario.') : 'scenario: missing or not an object') ??
    summaryProblem(rec['summary']) ??
    list(rec['rounds'], ROUND, 'rounds') ??
    list(rec['timeline'], SAMPLE, 'timeline')
  );
}

function summaryProblem(s: unknown): string | null {
  if (!obj(s)) return 'summary: missing or not an object';
  const sum = s as Record<string, unknown>;
  const p = fields(sum, SUMMARY, 'summary.');
  if (p) return p;
  if (sum['status'] === 'completed') {
    if (!nonNeg(sum['downtimeMs'])) return `summary.downtimeMs: ${shown(sum['downtimeMs'])}, expected a finite number ≥ 0 for a completed run`;
  } else if (sum['status'] === 'cancelled') {
    if (!oneOf(...CANCEL_REASONS)(sum['reason'])) return `summary.reason: ${shown(sum['reason'])}, expected ${REASONS_TEXT}`;
    if (sum['downtimeMs'] !== null) return `summary.downtimeMs: ${shown(sum['downtimeMs'])}, expected null for a cancelled run`;
  } else {
    return `summary.status: ${shown(sum['status'])}, expected "completed" or "cancelled"`;
  }
  const g = sum['guest'];
  if (!obj(g)) return 'summary.guest: missing or not an object';
  return fields(g as Record<string, unknown>, GUEST, 'summary.guest.') ?? list((g as Record<string, unknown>)['vcpus'], VCPU, 'summary.guest.vcpus');
}

function fields(o: Record<string, unknown>, table: Record<string, Check>, prefix: string): string | null {
  for (const [k, check] of Object.entries(table)) {
    if (!check(o[k])) return `${prefix}${k}: ${k in o ? shown(o[k]) : 'missing'}`;
  }
  return null;
}

function list(v: unknown, table: Record<string, Check>, name: string): string | null {
  if (!Array.isArray(v)) return `${name}: ${v === undefined ? 'missing' : shown(v)}, expected an array`;
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (!obj(item)) return `${name}[${i}]: not an object`;
    const p = fields(item as Record<string, unknown>, table, `${name}[${i}].`);
    if (p) return p;
  }
  return null;
}

function shown(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Type guard for callers that already checked with recordProblem. */
export function isRunRecord(r: unknown): r is RunRecord {
  return recordProblem(r) === null;
}
