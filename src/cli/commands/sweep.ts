import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { autoShard } from '../../batch/auto-shard.js';
import { formatShard, MAX_SHARDS, parseShard, type Shard } from '../../batch/shard.js';
import { MAX_WORKERS, runSweep, type SweepProgress, type SweepSummary } from '../../batch/sweep.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { SweepError } from '../../errors/sweep-error.js';
import { drainQueue, queueStatus, runQueueSweep, type QueueCounts, type QueueStatus } from '../../queue/index.js';
import { ACCEPTED_QUEUE_URL, parseQueueUrl, type QueueTarget } from '../../queue/url.js';
import { processIo, type Io } from '../io.js';
import { experimentInput } from '../experiment-input.js';
import { readResults } from '../../batch/results.js';
import { formatSweepSummary } from '../../report/sweep-summary.js';
import { terminalWidth } from '../../report/table.js';

/** Exit status of a sweep stopped by a signal: 128 + the signal's number, as shells report it. */
export const EXIT_SIGNAL: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

interface SweepFlags {
  out?: string;
  workers?: string;
  resume?: boolean;
  shard?: string;
  shardCount?: string;
  queue?: string;
  batch?: string;
  status?: boolean;
  drain?: boolean;
  progress: boolean;
}

/** How the command ends an interrupted sweep; tests replace it. */
export interface SweepDeps {
  exit(code: number): void;
}

const EXAMPLES = `
Examples:
  $ livemig sweep experiments/bandwidth-sweep.json --out out/bw
  $ livemig sweep experiments/bandwidth-sweep.json --out out/bw --resume       # after Ctrl-C or a crash
  $ livemig sweep experiments/bandwidth-sweep.json --out out/bw-2 --shard 2/4  # machine 2 of 4
  $ livemig sweep experiments/bandwidth-sweep.json --out out/bw-$SLURM_ARRAY_TASK_ID --shard auto   # in a Slurm array
  $ livemig sweep experiments/bandwidth-sweep.json --out out/bw --queue redis://:secret@head:6379/0  # with livemig worker
  $ livemig sweep experiments/bandwidth-sweep.json --queue redis://head:6379/0 --status

Output: DIR/manifest.json (experiment, fingerprint, shard, a copy of the experiment file) and
DIR/results.ndjson, one run record per line, appended as each run finishes: lines are in finishing order,
which depends on --workers, so sort them by "index" (the records themselves do not depend on --workers).
Ctrl-C (SIGINT) or SIGTERM stops the sweep: no new runs start, runs in flight are aborted (they rerun on
--resume), finished runs are kept, and the command prints how to resume and exits 130 (SIGTERM: 143).
Even after kill -9, --resume loses no finished run (a torn last line is dropped) and runs none twice.
With --queue, runs become BullMQ jobs on that Redis server, run by \`livemig worker --queue …\` on any
machines, and this command collects their results into --out (same files, same records); Ctrl-C stops
collecting only (workers go on), and --resume collects the rest.
`;

/** `livemig sweep`: every run of an experiment file, on all cores, into an output directory. */
export function registerSweep(program: Command, io: Io, deps: SweepDeps = { exit: (code) => process.exit(code) }): void {
  const cores = availableParallelism();
  program
    .command('sweep')
    .summary('run every scenario of an experiment file, in parallel, resumably')
    .description(
      'Run every scenario of an experiment file (axes x seeds x policies; see schema/experiment.schema.json) on a ' +
        'pool of worker threads, appending each finished run to DIR/results.ndjson. An interrupted sweep continues ' +
        'with --resume; --shard spreads one sweep over several machines.',
    )
    .argument('<experiment>', 'the experiment file (JSON), or - to read it from standard input')
    .option('-o, --out <dir>', 'output directory, created if missing; must not hold a sweep unless --resume; not needed with --status or --drain (required)')
    .option('-w, --workers <n>', `worker threads, 1 to ${MAX_WORKERS} (default: ${cores}, the available cores; small sweeps run in-process)`)
    .option('--resume', 'continue the sweep in --out: keep its recorded runs, run the others; refused if --out holds another experiment or shard (default: off)')
    .option('--shard <i/n|auto>', 'run only shard i of n: the runs whose index % n = i - 1; "auto" reads SLURM_ARRAY_TASK_ID/COUNT (or MIN/MAX) or JOB_COMPLETION_INDEX (default: 1/1, every run)')
    .option('--shard-count <n>', `shards with --shard auto, 1 to ${MAX_SHARDS}: needed with JOB_COMPLETION_INDEX (the Indexed Job's completions) (default: Slurm's SLURM_ARRAY_TASK_COUNT, or MAX - MIN + 1)`)
    .option('--queue <url>', `run through a BullMQ queue on Redis, executed by \`livemig worker\` processes: ${ACCEPTED_QUEUE_URL} (default: local threads)`)
    .option('--batch <n>', 'with --queue: runs per job, 1 to 10000 (default: from the time of the first runs, about 250 ms of work per job)')
    .option('--status', 'with --queue: print the sweep\'s counts in the queue (waiting, running, failed, results, workers) and exit')
    .option('--drain', 'with --queue: remove the sweep\'s jobs and keys from Redis (a finished or abandoned sweep) and exit')
    .option('--no-progress', 'no progress bar (default: a progress bar with ETA on stderr when it is a terminal)')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: SweepFlags) => {
      if ((flags.status || flags.drain) && flags.queue === undefined) throw new InvalidOptionError(flags.status ? '--status' : '--drain', true, 'to be used with --queue URL');
      if (flags.status && flags.drain) throw new InvalidOptionError('--drain', true, 'either --status or --drain, not both');
      if (flags.queue !== undefined) {
        const target = parseQueueUrl(flags.queue, '--queue');
        if (flags.status) return printStatus(await queueStatus({ experiment: file, queue: target }), target.display, io);
        if (flags.drain) {
          const d = await drainQueue({ experiment: file, queue: target });
          io.err(`livemig: drained queue ${d.queue} on ${target.display} (${d.removedKeys} livemig keys and every job removed)\n`);
          return;
        }
        if (flags.shard !== undefined) throw new InvalidOptionError('--shard', flags.shard, 'no --shard with --queue: the queue spreads the runs over the workers already');
        if (flags.workers !== undefined) throw new InvalidOptionError('--workers', flags.workers, 'no --workers with --queue: give it to each `livemig worker`');
        const out = requireOut(flags);
        const batch = flags.batch === undefined ? undefined : parseBatch(flags.batch);
        return sweepQueue(file, { out, queue: flags.queue, target, batch, resume: flags.resume === true, progress: flags.progress }, io, deps);
      }
      if (flags.batch !== undefined) throw new InvalidOptionError('--batch', flags.batch, 'to be used with --queue');
      const out = requireOut(flags);
      const shard = flags.shard === undefined ? undefined : flags.shard.trim() === 'auto' ? autoShard(process.env, parseCount(flags.shardCount)) : parseShard(flags.shard, '--shard');
      if (flags.shardCount !== undefined && flags.shard?.trim() !== 'auto') throw new InvalidOptionError('--shard-count', flags.shardCount, 'to be used with --shard auto');
      const workers = flags.workers === undefined ? cores : parseWorkers(flags.workers);
      await sweep(file, { ...flags, out, shard, workers }, io, deps);
    });
}

function requireOut(flags: SweepFlags): string {
  if (flags.out === undefined || flags.out === '') throw new SweepError("required option '-o, --out <dir>' not specified (only --queue … --status and --drain go without it)");
  return flags.out;
}

function parseBatch(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidOptionError('--batch', text, 'a whole number of runs per job from 1 to 10000');
  return n;
}

function parseCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SHARDS) throw new InvalidOptionError('--shard-count', text, `a whole number from 1 to ${MAX_SHARDS}`);
  return n;
}

function parseWorkers(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) throw new InvalidOptionError('--workers', text, `a whole number from 1 to ${MAX_WORKERS}`);
  return n;
}

async function sweep(
  file: string,
  flags: { out: string; workers: number; resume?: boolean; shard: Shard | undefined; progress: boolean },
  io: Io,
  deps: SweepDeps,
): Promise<void> {
  // A bar only on the process's own terminal (not when output is captured, piped or redirected).
  const showBar = flags.progress && io === processIo && process.stderr.isTTY === true;
  const bar = showBar ? newBar() : null;
  let started = false;
  const onProgress = (p: SweepProgress) => {
    if (p.run === null) {
      if (p.skipped > 0) io.err(`livemig: resuming: ${p.skipped} runs already recorded, ${p.total} to run\n`);
      if (bar) bar.start(p.total, 0, counts(p));
      started = bar !== null;
      return;
    }
    bar?.update(p.done, counts(p));
  };

  const controller = new AbortController();
  const signals = onSignals(controller, io, deps, () => bar?.stop());
  let summary: SweepSummary;
  try {
    summary = await runSweep({
      ...experimentInput(file),
      outDir: flags.out,
      workers: flags.workers,
      resume: flags.resume === true,
      ...(flags.shard ? { shard: flags.shard } : {}),
      onProgress,
      signal: controller.signal,
    });
  } finally {
    signals.off();
    if (started) bar?.stop();
  }

  const rel = relative(process.cwd(), summary.resultsFile);
  const where = rel === '' || rel.startsWith('..') ? summary.resultsFile : rel;
  const shardText = summary.shard.count > 1 ? ` (shard ${formatShard(summary.shard)})` : '';
  const recorded = summary.skipped + summary.done;
  if (summary.droppedBytes > 0) io.err(`livemig: dropped a torn last line (${summary.droppedBytes} bytes) from ${where}\n`);
  if (summary.interrupted) {
    const sig = signals.caught() ?? 'SIGINT';
    const resume = ['livemig sweep', quote(file), '--out', quote(flags.out), '--resume'];
    if (flags.shard) resume.push('--shard', formatShard(flags.shard));
    io.err(
      `livemig: sweep "${summary.experiment}"${shardText} stopped by ${sig}: ${recorded} of ${summary.total} runs recorded in ${where}; ` +
        `runs in flight were aborted and will run on resume.\nTo continue: ${resume.join(' ')}\n`,
    );
    deps.exit(EXIT_SIGNAL[sig]);
    return;
  }
  const seconds = (summary.wallMs / 1000).toFixed(1);
  io.err(
    `livemig: sweep "${summary.experiment}"${shardText}: ${recorded}/${summary.total} runs recorded in ${where} ` +
      `(${summary.done} run now: ${summary.completed} completed, ${summary.cancelled} cancelled; ${summary.skipped} resumed) ` +
      `in ${seconds} s ${summary.workers === 0 ? 'in-process (too few runs to pay for worker threads)' : `on ${summary.workers} worker${summary.workers === 1 ? '' : 's'}`}\n`,
  );
  io.out(formatSweepSummary(readResults([summary.resultsFile]), { width: terminalWidth(false) }));
}

/** Ctrl-C / SIGTERM: the first aborts `controller`, a second exits at once. Returns the remover. */
function onSignals(controller: AbortController, io: Io, deps: SweepDeps, stopBar: () => void): { off: () => void; caught: () => 'SIGINT' | 'SIGTERM' | null } {
  let caught: 'SIGINT' | 'SIGTERM' | null = null;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
    if (caught !== null) {
      stopBar();
      io.err(`\nlivemig: ${sig} again: exiting now\n`);
      deps.exit(EXIT_SIGNAL[sig]);
      return;
    }
    caught = sig;
    controller.abort(sig);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    off: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
    caught: () => caught,
  };
}

async function sweepQueue(
  file: string,
  flags: { out: string; queue: string; target: QueueTarget; batch: number | undefined; resume: boolean; progress: boolean },
  io: Io,
  deps: SweepDeps,
): Promise<void> {
  const showBar = flags.progress && io === processIo && process.stderr.isTTY === true;
  const bar = showBar ? newBar(QUEUE_BAR) : null;
  let started = false;
  let announced = false;
  const onProgress = (p: SweepProgress & { queue: QueueCounts }) => {
    if (!announced) {
      announced = true;
      if (p.skipped > 0) io.err(`livemig: resuming: ${p.skipped} runs already recorded, ${p.total} to collect\n`);
      if (bar) bar.start(p.total, 0, queueCounts(p));
      started = bar !== null;
    }
    bar?.update(p.done, queueCounts(p));
  };
  const controller = new AbortController();
  const signals = onSignals(controller, io, deps, () => bar?.stop());
  let summary;
  try {
    summary = await runQueueSweep({
      experiment: file, queue: flags.target, outDir: flags.out, resume: flags.resume, onProgress, signal: controller.signal, ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
    });
  } finally {
    signals.off();
    if (started) bar?.stop();
  }
  const where = shortPath(summary.resultsFile);
  const recorded = summary.skipped + summary.done;
  if (summary.droppedBytes > 0) io.err(`livemig: dropped a torn last line (${summary.droppedBytes} bytes) from ${where}\n`);
  if (summary.interrupted) {
    const sig = signals.caught() ?? 'SIGINT';
    const resume = ['livemig sweep', quote(file), '--out', quote(flags.out), '--queue', quote(flags.target.display), '--resume'];
    io.err(
      `livemig: collecting sweep "${summary.experiment}" stopped by ${sig}: ${recorded} of ${summary.total} runs recorded in ${where}; ` +
        `the workers go on with the queue ${summary.queue}.\nTo collect the rest: ${resume.join(' ')}\n`,
    );
    deps.exit(EXIT_SIGNAL[sig]);
    return;
  }
  io.err(
    `livemig: sweep "${summary.experiment}": ${recorded}/${summary.total} runs recorded in ${where} ` +
      `(${summary.done} collected now: ${summary.completed} completed, ${summary.cancelled} cancelled; ${summary.skipped} resumed) ` +
      `in ${(summary.wallMs / 1000).toFixed(1)} s through queue ${summary.queue} (up to ${summary.workers} worker${summary.workers === 1 ? '' : 's'})\n`,
  );
}

function printStatus(s: QueueStatus, url: string, io: Io): void {
  const lines = [
    `queue      ${s.queue} on ${url}${s.registered ? '' : s.results >= s.totalRuns ? ' (finished: workers no longer watch it)' : ' (not registered: workers ignore it until a collector runs)'}`,
    `experiment "${s.experiment}", fingerprint ${s.fingerprint.slice(0, 16)}…, ${s.totalRuns} runs`,
    `jobs       ${s.waiting} waiting, ${s.active} running, ${s.delayed} delayed (retries), ${s.failed} failed`,
    `results    ${s.results} of ${s.totalRuns} runs have one in Redis`,
    `workers    ${s.workers} connected`,
    `collector  ${s.collector ?? 'none'}`,
    ...s.failures.map((f) => `failed     p${f.index}: ${f.message}`),
  ];
  io.out(`${lines.join('\n')}\n`);
}

function queueCounts(p: SweepProgress & { queue: QueueCounts }): Record<string, number> {
  return { completed: p.completed, cancelled: p.cancelled, waiting: p.queue.waiting, active: p.queue.active, failed: p.queue.failed, workers: p.queue.workers };
}

function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

function counts(p: SweepProgress): { completed: number; cancelled: number } {
  return { completed: p.completed, cancelled: p.cancelled };
}

const LOCAL_BAR = 'sweep [{bar}] {percentage}% | {value}/{total} runs | {completed} completed, {cancelled} cancelled | {duration_formatted} | ETA {eta_formatted}';
const QUEUE_BAR =
  'sweep [{bar}] {percentage}% | {value}/{total} runs | {completed} completed, {cancelled} cancelled | queue: {waiting} waiting, {active} running, {failed} failed, {workers} workers | ETA {eta_formatted}';

function newBar(format = LOCAL_BAR): SingleBar {
  return new SingleBar({
    stream: process.stderr,
    format,
    barsize: 30,
    hideCursor: true,
    // Runs finish in bursts across workers: estimate the rate over the last 100 updates.
    etaBuffer: 100,
    etaAsynchronousUpdate: true,
    fps: 5,
    formatTime: clock,
  });
}

/** Seconds as 45s, 3m07s, 2h05m; "--" while the ETA is unknown (no run finished yet). */
function clock(t: unknown): string {
  const s = typeof t === 'number' && Number.isFinite(t) ? Math.max(0, Math.round(t)) : NaN;
  if (Number.isNaN(s)) return '--';
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
