import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { MAX_WORKERS } from '../../batch/pool.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { DEFAULT_STALL_TIMEOUT_MS, runQueueWorker, type QueueWorkerEvent } from '../../queue/index.js';
import { ACCEPTED_QUEUE_URL, parseQueueUrl } from '../../queue/url.js';
import { parseDuration } from '../../units.js';
import type { Io } from '../io.js';
import { EXIT_SIGNAL, type SweepDeps } from './sweep.js';

interface WorkerFlags {
  queue: string;
  workers?: string;
  stallTimeout?: string;
  untilEmpty?: boolean;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ livemig worker --queue redis://:secret@head:6379/0                 # on every machine, then on one:
  $ livemig sweep experiments/bandwidth-sweep.json --out out/bw --queue redis://:secret@head:6379/0
  $ livemig worker --queue rediss://head:6380/0 --workers 32 --until-empty   # TLS; exit when the queue is empty

A worker takes the jobs of every sweep registered on that Redis server, runs them on its own threads and
writes each result back (a run that already has a result is skipped). Killed mid-job, its jobs go back to
the queue once their lock expires (--stall-timeout) and another worker runs them. Ctrl-C or SIGTERM: no
new jobs; the running ones finish and are recorded, then it exits (a second signal exits at once).
`;

/** `livemig worker`: runs the jobs of queue sweeps. */
export function registerWorker(program: Command, io: Io, deps: SweepDeps = { exit: (code) => process.exit(code) }): void {
  const cores = availableParallelism();
  program
    .command('worker')
    .summary('run the jobs of sweeps started with livemig sweep --queue, on this machine')
    .description('Take the runs of queue sweeps (BullMQ on Redis) and run them on a local pool of worker threads, writing each result back to Redis.')
    .requiredOption('--queue <url>', `the Redis server: ${ACCEPTED_QUEUE_URL} (required)`)
    .option('-w, --workers <n>', `worker threads, and jobs taken at a time, 1 to ${MAX_WORKERS} (default: ${cores}, the available cores)`)
    .option('--stall-timeout <duration>', `how long a job may go without this worker renewing its lock before another worker takes it over, 1s to 1h (default: ${DEFAULT_STALL_TIMEOUT_MS / 1000}s, BullMQ's)`)
    .option('--until-empty', 'exit once no registered sweep has jobs waiting or running (default: run until stopped)')
    .option('-q, --quiet', 'no line per sweep joined or left (default: one line each on stderr)')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: WorkerFlags) => {
      const target = parseQueueUrl(flags.queue, '--queue');
      const workers = flags.workers === undefined ? cores : parseThreads(flags.workers);
      const stall = flags.stallTimeout === undefined ? DEFAULT_STALL_TIMEOUT_MS : parseDuration('--stall-timeout', flags.stallTimeout);
      if (stall < 1000 || stall > 3_600_000) throw new InvalidOptionError('--stall-timeout', flags.stallTimeout, 'a duration from 1s to 1h');
      const controller = new AbortController();
      let caught: 'SIGINT' | 'SIGTERM' | null = null;
      const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
        if (caught !== null) {
          io.err(`livemig: worker: ${sig} again: exiting now (its running jobs go back to the queue when their locks expire)\n`);
          deps.exit(EXIT_SIGNAL[sig]);
          return;
        }
        caught = sig;
        io.err(`livemig: worker: ${sig}: finishing the running jobs, taking no new ones\n`);
        controller.abort(sig);
      };
      const onInt = () => onSignal('SIGINT');
      const onTerm = () => onSignal('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      const onEvent = (e: QueueWorkerEvent) => {
        if (flags.quiet || e.type === 'run') return;
        io.err(`livemig: worker: ${e.type === 'joined' ? 'taking jobs of' : 'done with'} ${e.queue}\n`);
      };
      try {
        const s = await runQueueWorker({ queue: target, workers, stallTimeoutMs: stall, untilEmpty: flags.untilEmpty === true, signal: controller.signal, onEvent });
        io.err(`livemig: worker: ${s.recorded} runs recorded, ${s.duplicates} skipped as already done, ${s.failed} failed, on ${s.threads} threads\n`);
      } finally {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
      if (caught !== null) deps.exit(EXIT_SIGNAL[caught]);
    });
}

function parseThreads(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new InvalidOptionError('--workers', text, `a whole number from 1 to ${MAX_WORKERS}`);
  return n;
}
