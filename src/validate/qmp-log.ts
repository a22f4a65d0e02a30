/**
 * A log of QEMU `query-migrate` replies, one JSON object a line, each with `t` = seconds since the `migrate`
 * command (what any QMP client can log by polling; the public cases poll every 100 ms). Field names are
 * QEMU's (qapi/migration.json MigrationInfo, MigrationStats): `status`, `total-time`, `ram.transferred`,
 * `ram.remaining`, `ram.dirty-sync-count`, `cpu-throttle-percentage` (with auto-converge only).
 */
import { LivemigError } from '../errors/livemig-error.js';

/** A log that cannot be read: names the file, the line and the field. */
export class QmpLogError extends LivemigError {
  override name = 'QmpLogError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly detail: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${detail}`);
  }
}

/** One `query-migrate` reply, reduced to what validation compares. */
export interface QmpReply {
  /** Seconds since `migrate`, as logged, converted to ms. */
  tMs: number;
  /** 1-based line in the file. */
  line: number;
  status: string;
  /** Present while `active` and at `completed`. */
  totalTimeMs: number | null;
  transferredBytes: number | null;
  remainingBytes: number | null;
  dirtySyncCount: number | null;
  ramTotalBytes: number | null;
  pageSize: number | null;
  downtimeMs: number | null;
  /** 0 when the field is absent (QEMU only reports it while auto-converge throttles). */
  throttlePct: number;
}

/** Statuses after which a migration is over (qapi MigrationStatus). */
export const FINAL_STATUSES = ['completed', 'cancelled', 'failed'] as const;
/** Statuses whose replies must carry the `ram` counters. */
const WITH_RAM = ['active', 'completed', 'device', 'pre-switchover'];

function num(file: string, line: number, obj: Record<string, unknown>, path: string, required: boolean): number | null {
  let v: unknown = obj;
  for (const k of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined) {
    if (required) throw new QmpLogError(file, line, `missing field "${path}" (a number) in a "${String(obj['status'])}" reply`);
    return null;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new QmpLogError(file, line, `field "${path}" is ${JSON.stringify(v)}; expected a finite number >= 0`);
  return v;
}

/**
 * Parses a log's text. Every non-blank line must be a JSON object with a numeric `t` (seconds, non-decreasing)
 * and a `status` string; replies of an active or completed migration must carry `ram.transferred`,
 * `ram.remaining` and `ram.dirty-sync-count`; the last reply must be final (completed, cancelled or failed), or
 * the log is partial. `file` names the log in errors.
 */
export function parseQmpLog(text: string, file: string): QmpReply[] {
  const out: QmpReply[] = [];
  const lines = text.split('\n');
  let lastT = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      throw new QmpLogError(file, line, `not JSON (${(e as Error).message}); expected one query-migrate reply per line`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new QmpLogError(file, line, 'expected a JSON object (one query-migrate reply)');
    const o = obj as Record<string, unknown>;
    // A QMP client may log the whole response: {"return": {...}, "t": ...}.
    const reply = typeof o['return'] === 'object' && o['return'] !== null ? { ...(o['return'] as Record<string, unknown>), t: o['t'] } : o;
    const t = reply['t'];
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new QmpLogError(file, line, `missing field "t" (seconds since migrate, a number)`);
    if (t < lastT) throw new QmpLogError(file, line, `field "t" is ${t}, before the previous line's ${lastT}; expected replies in time order`);
    lastT = t;
    const status = reply['status'];
    if (typeof status !== 'string') throw new QmpLogError(file, line, 'missing field "status" (a MigrationStatus string)');
    const ram = WITH_RAM.includes(status);
    out.push({
      tMs: t * 1000,
      line,
      status,
      totalTimeMs: num(file, line, reply, 'total-time', status === 'completed'),
      transferredBytes: num(file, line, reply, 'ram.transferred', ram),
      remainingBytes: num(file, line, reply, 'ram.remaining', ram),
      dirtySyncCount: num(file, line, reply, 'ram.dirty-sync-count', ram),
      ramTotalBytes: num(file, line, reply, 'ram.total', false),
      pageSize: num(file, line, reply, 'ram.page-size', false),
      downtimeMs: num(file, line, reply, 'downtime', false),
      throttlePct: num(file, line, reply, 'cpu-throttle-percentage', false) ?? 0,
    });
  }
  if (out.length === 0) throw new QmpLogError(file, null, 'no query-migrate replies (empty log)');
  const last = out[out.length - 1]!;
  if (!(FINAL_STATUSES as readonly string[]).includes(last.status)) {
    throw new QmpLogError(file, last.line, `partial log: the last reply has status "${last.status}"; expected a final reply (${FINAL_STATUSES.join(', ')})`);
  }
  if (!out.some((r) => r.status === 'active')) throw new QmpLogError(file, null, 'no "active" reply: nothing to compare the remaining-data curve with');
  return out;
}

/** What a log says about the migration, in livemig's terms. */
export interface LogObservation {
  outcome: 'completed' | 'cancelled';
  /** QEMU's total-time at completion, or the last active reply's time when cancelled. */
  totalTimeMs: number | null;
  /** ram.transferred of the last reply that has it. */
  transferredBytes: number;
  dirtySyncCount: number;
  /** The first reply at which each dirty-sync-count was seen (within one poll after the sync). */
  syncSeenMs: number[];
  /** [time of the first reply showing a new throttle %, %], as in case.json's throttleStepsMs. */
  throttleStepsMs: [number, number][];
  /** Highest throttle seen before completion (the throttle QEMU was at when it switched over). */
  finalThrottlePct: number;
}

/** Reads the outcome and counters off a parsed log. */
export function observeLog(replies: QmpReply[]): LogObservation {
  const last = replies[replies.length - 1]!;
  const withRam = replies.filter((r) => r.transferredBytes !== null);
  const lastRam = withRam[withRam.length - 1]!;
  const syncSeenMs: number[] = [];
  let seen = 0;
  for (const r of withRam) {
    while (r.dirtySyncCount !== null && seen < r.dirtySyncCount) {
      syncSeenMs.push(r.tMs);
      seen++;
    }
  }
  const steps: [number, number][] = [];
  let pct = 0;
  let final = 0;
  for (const r of replies) {
    if (r.status !== 'active') continue;
    if (r.throttlePct !== pct) {
      pct = r.throttlePct;
      steps.push([r.tMs, pct]);
      final = pct;
    }
  }
  return {
    outcome: last.status === 'completed' ? 'completed' : 'cancelled',
    totalTimeMs: last.status === 'completed' ? (last.totalTimeMs ?? last.tMs) : null,
    transferredBytes: lastRam.transferredBytes!,
    dirtySyncCount: lastRam.dirtySyncCount!,
    syncSeenMs,
    throttleStepsMs: steps,
    finalThrottlePct: final,
  };
}
