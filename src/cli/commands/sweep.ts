import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { formatShard, parseShard, type Shard } from '../../batch/shard.js';
import { MAX_WORKERS, runSweep, type SweepProgress, type SweepSummary } from '../../batch/sweep.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { processIo, type Io } from '../io.js';

/** Exit status of a sweep stopped by a signal: 128 + the signal's number, as shells report it. */
export const EXIT_SIGNAL: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

interface SweepFlags {
  out: string;
  workers?: string;
  resume?: boolean;
  shard?: string;
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

Output: DIR/manifest.json (experiment, fingerprint, shard, a copy of the experiment file) and
DIR/results.ndjson, one run record per line, appended as each run finishes: lines are in finishing order,
which depends on --workers, so sort them by "index" (the records themselves do not depend on --workers).
Ctrl-C (SIGINT) or SIGTERM stops the sweep: no new runs start, runs in flight are aborted (they rerun on
--resume), finished runs are kept, and the command prints how to resume and exits 130 (SIGTERM: 143).
Even after kill -9, --resume loses no finished run (a torn last line is dropped) and runs none twice.
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
    .argument('<experiment>', 'the experiment file (JSON)')
    .requiredOption('-o, --out <dir>', 'output directory, created if missing; must not hold a sweep unless --resume (required)')
    .option('-w, --workers <n>', `worker threads, 1 to ${MAX_WORKERS} (default: ${cores}, the available cores)`)
    .option('--resume', 'continue the sweep in --out: keep its recorded runs, run the others; refused if --out holds another experiment or shard (default: off)')
    .option('--shard <i/n>', 'run only shard i of n: the runs whose index % n = i - 1 (default: 1/1, every run)')
    .option('--no-progress', 'no progress bar (default: a progress bar with ETA on stderr when it is a terminal)')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: SweepFlags) => {
      const shard = flags.shard === undefined ? undefined : parseShard(flags.shard, '--shard');
      const workers = flags.workers === undefined ? cores : parseWorkers(flags.workers);
      await sweep(file, { ...flags, shard, workers }, io, deps);
    });
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
  let caught: 'SIGINT' | 'SIGTERM' | null = null;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
    if (caught !== null) {
      // A second signal: give up on a clean stop.
      bar?.stop();
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
  let summary: SweepSummary;
  try {
    summary = await runSweep({
      experiment: file,
      outDir: flags.out,
      workers: flags.workers,
      resume: flags.resume === true,
      ...(flags.shard ? { shard: flags.shard } : {}),
      onProgress,
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (started) bar?.stop();
  }

  const rel = relative(process.cwd(), summary.resultsFile);
  const where = rel === '' || rel.startsWith('..') ? summary.resultsFile : rel;
  const shardText = summary.shard.count > 1 ? ` (shard ${formatShard(summary.shard)})` : '';
  const recorded = summary.skipped + summary.done;
  if (summary.droppedBytes > 0) io.err(`livemig: dropped a torn last line (${summary.droppedBytes} bytes) from ${where}\n`);
  if (summary.interrupted) {
    const sig = caught ?? 'SIGINT';
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
}

function counts(p: SweepProgress): { completed: number; cancelled: number } {
  return { completed: p.completed, cancelled: p.cancelled };
}

function newBar(): SingleBar {
  return new SingleBar({
    stream: process.stderr,
    format: 'sweep [{bar}] {percentage}% | {value}/{total} runs | {completed} completed, {cancelled} cancelled | {duration_formatted} | ETA {eta_formatted}',
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
