/**
 * The worker's half of migrateAsync() and compareAsync(): runs one job with migrate() or compare(), posting
 * progress at most every PROGRESS_INTERVAL_MS of wall time (wall time decides only when a message is sent, never
 * what the report holds) and then the result. Browser-safe; src/api/async-worker-*.ts wire it to a thread.
 */
import { LivemigError } from '../errors/livemig-error.js';
import type { ComparisonRow } from '../model/comparison.js';
import type { MigrationHooks, MigrationOptions } from '../model/options.js';
import type { TimelineSample } from '../model/report.js';
import type { AsyncJob, MigrationProgress, WorkerMessage } from './async.js';
import { migrate } from './migrate.js';
import { policyLabel, policyScenario } from './policy.js';
import { resolveOptions } from './resolve.js';

export const PROGRESS_INTERVAL_MS = 50;

export function runJob(job: AsyncJob, post: (m: WorkerMessage) => void): void {
  try {
    if (job.kind === 'migrate') {
      post({ type: 'done', result: run(job.options, 0, 1, post) });
    } else {
      const rows: ComparisonRow[] = job.policies.map((p, i) => {
        const t0 = performance.now();
        const report = run(policyScenario(job.base, p, `policies[${i}]`), i, job.policies.length, post);
        return { policy: policyLabel(p), report, wallMs: performance.now() - t0 };
      });
      post({ type: 'done', result: rows });
    }
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', error: { name: err.name, message: err.message, user: e instanceof LivemigError, stack: err.stack } });
  }
}

/** One migrate() with a window hook that reports progress; the hook only reads, so the report is migrate()'s. */
function run(options: MigrationOptions, policyIndex: number, policies: number, post: (m: WorkerMessage) => void) {
  const { scenario } = resolveOptions(options);
  let last = Number.NEGATIVE_INFINITY;
  let latest: TimelineSample | undefined;
  const send = (s: TimelineSample): void => {
    const progress: MigrationProgress = {
      emulatedMs: s.tMs, round: s.round, remainingPages: s.remainingPages, pages: scenario.pages,
      transferredBytes: s.transferredBytes, maxTimeMs: scenario.maxTimeMs, policyIndex, policies,
    };
    post({ type: 'progress', progress });
  };
  const hooks: MigrationHooks = {
    onWindow(s) {
      latest = s;
      const now = performance.now();
      if (now - last >= PROGRESS_INTERVAL_MS) {
        last = now;
        send(s);
      }
    },
  };
  const report = migrate({ ...options, hooks });
  if (latest !== undefined) send(latest);
  return report;
}
