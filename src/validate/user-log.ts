import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { MigrationOptions } from '../model/options.js';
import type { ValidationCase } from './cases.js';
import { QmpLogError, observeLog, parseQmpLog } from './qmp-log.js';

/**
 * A user's own migration: a QMP log of `query-migrate` replies (one JSON a line, `t` in seconds since
 * `migrate`) and a scenario file (a JSON object of livemig options, as `migrate()` takes them) with what the log
 * cannot say: the write rate and working set, max-bandwidth, downtime-limit, auto-converge. From the log:
 * memoryBytes (ram.total) and pageSize (ram.page-size) unless the scenario gives them, maxTimeMs = the time of
 * the last reply of a cancelled run unless given, and what QEMU reported (the sync times are the first reply
 * that showed each dirty-sync-count, so up to one poll late).
 */
export function loadLogCase(logFile: string, scenarioFile: string): ValidationCase {
  const read = (f: string, what: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (e) {
      throw new QmpLogError(f, null, `cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  };
  const replies = parseQmpLog(read(logFile, 'QMP log'), logFile);
  let scenario: unknown;
  try {
    scenario = JSON.parse(read(scenarioFile, 'scenario file'));
  } catch (e) {
    if (e instanceof QmpLogError) throw e;
    throw new QmpLogError(scenarioFile, null, `not JSON (${(e as Error).message}); expected an object of livemig options`);
  }
  if (typeof scenario !== 'object' || scenario === null || Array.isArray(scenario)) {
    throw new QmpLogError(scenarioFile, null, 'expected a JSON object of livemig options (memoryBytes, workload, maxBandwidthBytesPerSec, ...)');
  }
  const obs = observeLog(replies);
  const options = { algorithm: 'qemu', ...(scenario as Record<string, unknown>) } as MigrationOptions & Record<string, unknown>;
  const withRam = replies.find((r) => r.ramTotalBytes !== null);
  if (options.memoryBytes === undefined && withRam?.ramTotalBytes != null) options.memoryBytes = withRam.ramTotalBytes;
  const ps = replies.find((r) => r.pageSize !== null)?.pageSize;
  if (options.pageSize === undefined && ps != null) options.pageSize = ps;
  if (options.maxTimeMs === undefined && obs.outcome === 'cancelled') options.maxTimeMs = replies[replies.length - 1]!.tMs;
  return {
    id: basename(logFile),
    source: `${logFile} + ${scenarioFile}`,
    options,
    observed: {
      outcome: obs.outcome,
      totalTimeMs: obs.totalTimeMs,
      transferredBytes: obs.transferredBytes,
      dirtySyncCount: obs.dirtySyncCount,
      passTimesMs: obs.syncSeenMs,
      throttleStepsMs: obs.throttleStepsMs,
      finalThrottlePct: obs.finalThrottlePct,
    },
    replies,
  };
}
