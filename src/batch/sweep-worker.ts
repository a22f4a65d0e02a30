/**
 * The sweep's worker-thread entry (compiled to dist/src/batch/sweep-worker.js, which is what the pool loads):
 * one task = one run. The record is serialised here, in the worker, so the main thread only appends lines.
 */
import { migrate } from '../api/migrate.js';
import { LivemigError } from '../errors/livemig-error.js';
import type { ScenarioRun } from '../experiments/types.js';
import { toRunRecord } from './record.js';
import '../traces/node-files.js'; // Node's trace file reading for `trace` workloads

export interface SweepTask {
  experiment: { name: string; fingerprint: string };
  run: ScenarioRun;
}

/** A run's error, flattened: errors lose their class crossing threads (and the queue). */
export interface SweepTaskError {
  name: string;
  message: string;
  /** A LivemigError: the user's to fix, not a bug. */
  user: boolean;
  stack: string | undefined;
}

export type SweepTaskResult =
  | { ok: true; index: number; status: 'completed' | 'cancelled'; line: string }
  | { ok: false; index: number; error: SweepTaskError };

/** Runs one scenario and returns its results line (newline-terminated), or the error it threw. */
export function runTask(task: SweepTask): SweepTaskResult {
  const { run } = task;
  try {
    const report = migrate(run.options);
    const line = `${JSON.stringify(toRunRecord(task.experiment, run, report))}\n`;
    return { ok: true, index: run.index, status: report.status, line };
  } catch (e) {
    // Errors lose their class crossing threads: say here whether it is the user's (a LivemigError) or a bug.
    const err = e instanceof Error ? e : new Error(String(e));
    return { ok: false, index: run.index, error: { name: err.name, message: err.message, user: e instanceof LivemigError, stack: err.stack } };
  }
}

export default runTask;
