/**
 * The shared half of migrateAsync() and compareAsync(): what the caller checks before starting a worker, the
 * messages a worker sends back, and the caller's side of one job (progress, AbortSignal, result). The Node
 * (worker thread) and browser (Web Worker) front ends differ only in how they start the worker. Browser-safe.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { LivemigError } from '../errors/livemig-error.js';
import type { ComparisonRow } from '../model/comparison.js';
import { CONTROLLERS, type ControllerName } from '../model/controllers.js';
import type { MigrationOptions } from '../model/options.js';
import type { MigrationReport } from '../model/report.js';
import { type Policy, toPolicy, policyScenario } from './policy.js';
import { resolveOptions } from './resolve.js';

/** Where a run is, sent a few times a second while it runs (and once at the end of each run). */
export interface MigrationProgress {
  /** Emulated time since the migration started. */
  emulatedMs: number;
  /** The round in progress (1-based). */
  round: number;
  /** Pages still to send. */
  remainingPages: number;
  /** Pages of guest memory (so remainingPages / pages is the share left). */
  pages: number;
  transferredBytes: number;
  /** The run's cancellation limit, maxTimeMs (emulatedMs / maxTimeMs bounds the run's progress). */
  maxTimeMs: number;
  /** compareAsync: the policy being run (0-based) and how many there are; migrateAsync: 0 and 1. */
  policyIndex: number;
  policies: number;
}

export interface AsyncOptions {
  /** Aborting terminates the worker and rejects with the signal's reason (an AbortError DOMException unless you give one). */
  signal?: AbortSignal;
  onProgress?(progress: MigrationProgress): void;
}

/** What a worker is asked to run: plain data, checked by the caller first. */
export type AsyncJob =
  | { kind: 'migrate'; options: MigrationOptions }
  | { kind: 'compare'; base: Omit<MigrationOptions, 'algorithm' | 'controller'>; policies: Policy[] };

/** What a worker sends back. */
export type WorkerMessage =
  | { type: 'progress'; progress: MigrationProgress }
  | { type: 'done'; result: MigrationReport | ComparisonRow[] }
  | { type: 'error'; error: { name: string; message: string; user: boolean; stack: string | undefined } };

/** A started worker, Node's or the browser's. */
export interface WorkerHandle {
  post(job: AsyncJob): void;
  onMessage(listener: (m: WorkerMessage) => void): void;
  onError(listener: (e: unknown) => void): void;
  terminate(): void;
}

/** A controller that can cross to a worker: a built-in one by name, or by name with parameters. */
function checkPlainController(field: string, c: unknown): void {
  if (c === undefined || (typeof c === 'string' && CONTROLLERS.includes(c as ControllerName))) return;
  const plain = typeof c === 'object' && c !== null && Object.values(c).every((v) => typeof v !== 'function' && typeof v !== 'object');
  if (!plain || !CONTROLLERS.includes((c as { name?: string }).name as ControllerName)) {
    throw new InvalidOptionError(field, c, 'a built-in controller, by name or as { name, ...parameters } (your own Controller cannot cross to a worker: use migrate())');
  }
}

/** Checks a migrate() job in the caller, so a bad option rejects with its own error class, before any worker starts. */
export function migrateJob(options: MigrationOptions): AsyncJob {
  if (typeof options === 'object' && options !== null && options.hooks !== undefined) {
    throw new InvalidOptionError('hooks', options.hooks, 'no hooks with migrateAsync (callbacks cannot cross to a worker): use onProgress');
  }
  resolveOptions(options);
  checkPlainController('controller', options.controller);
  return { kind: 'migrate', options };
}

/** Checks a compare() job in the caller: every policy parsed and checked against the base. */
export function compareJob(base: Omit<MigrationOptions, 'algorithm' | 'controller'>, policies: readonly (Policy | string)[]): AsyncJob {
  if (typeof base === 'object' && base !== null && base.hooks !== undefined) {
    throw new InvalidOptionError('hooks', base.hooks, 'no hooks with compareAsync (callbacks cannot cross to a worker): use onProgress');
  }
  const parsed = policies.map((p, i) => toPolicy(p, `policies[${i}]`));
  parsed.forEach((p, i) => {
    checkPlainController(`policies[${i}].controller`, p.controller);
    resolveOptions(policyScenario(base, p, `policies[${i}]`));
  });
  return { kind: 'compare', base, policies: parsed };
}

/** Runs one checked job on a fresh worker: progress to onProgress, the result or the error as the promise's outcome. */
export function runInWorker<T>(spawn: () => WorkerHandle, job: AsyncJob, options: AsyncOptions = {}): Promise<T> {
  const { signal, onProgress } = options;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const worker = spawn();
    let settled = false;
    const finish = (): void => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      worker.terminate();
    };
    const onAbort = (): void => {
      if (settled) return;
      finish();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onMessage((m) => {
      if (settled) return;
      if (m.type === 'progress') {
        onProgress?.(m.progress);
      } else if (m.type === 'done') {
        finish();
        resolve(m.result as T);
      } else {
        finish();
        reject(rebuildError(m.error));
      }
    });
    worker.onError((e) => {
      if (settled) return;
      finish();
      reject(e instanceof Error ? e : new Error(`livemig: the worker failed: ${String((e as { message?: unknown })?.message ?? e)}`));
    });
    worker.post(job);
  });
}

/** Errors lose their class crossing threads: a user's error comes back as a LivemigError, a bug as an Error. */
function rebuildError(e: { name: string; message: string; user: boolean; stack: string | undefined }): Error {
  const err = e.user ? new LivemigError(e.message) : new Error(`livemig: internal error in the worker: ${e.message}`);
  if (e.user) err.name = e.name;
  if (e.stack) err.stack = `${err.name}: ${err.message}\n--- worker stack ---\n${e.stack}`;
  return err;
}
