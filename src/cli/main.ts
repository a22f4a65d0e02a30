/**
 * The `livemig` command line. Each command registers itself from src/cli/commands/; this file builds the
 * program and turns every outcome into an exit code.
 */
import { Command, CommanderError } from 'commander';
import { LivemigError } from '../errors/livemig-error.js';
import { findPackage } from '../util/package-root.js';
import { registerRun } from './commands/run.js';
import { registerCompare } from './commands/compare.js';
import { registerSchema } from './commands/schema.js';
import { registerSweep } from './commands/sweep.js';
import { registerWorker } from './commands/worker.js';
import { registerMerge } from './commands/merge.js';
import { registerExport } from './commands/export.js';
import { registerReport } from './commands/report.js';
import { registerPlayground } from './commands/playground.js';
import { registerValidate } from './commands/validate.js';
import { registerTables } from './commands/tables.js';
import { registerCompletion } from './commands/completion.js';
import { registerRecord } from './commands/record.js';
import { registerTrace } from './commands/trace.js';
import { registerDrain } from './commands/drain.js';
import { registerEstimate } from './commands/estimate.js';
import { processIo, type Io } from './io.js';
import '../traces/node-files.js'; // Node's trace file reading for `trace` workloads

/** Bad flags or values: the user's to fix. */
export const EXIT_USAGE = 2;
/** A bug in livemig (sysexits EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

const EXAMPLES = `
Examples:
  $ livemig compare                      # the seed paper's case: every policy on a guest that out-dirties the link
  $ livemig run --memory 8GiB --bandwidth 10Gbit/s
  $ livemig run --algorithm xen --workload uniform --write-rate 50000pages/s
  $ livemig run --memory 256MiB --json > report.json
  $ livemig sweep experiments/bandwidth-sweep.json --out results/bw
  $ livemig report results/bw -o report.html
  $ livemig export results/bw --csv runs.csv --guestperf guestperf/
  $ livemig presets                      # the presets and their values
  $ livemig controllers                  # controller parameters, defaults and sources
  $ livemig managers                     # nova, kubevirt, libvirt-timeout options (--management, policy@NAME)
  $ livemig estimate --memory 8GiB --dirty-rate 200MiB/s --working-set 1GiB   # pre-flight, per policy
  $ livemig completion bash > ~/.local/share/bash-completion/completions/livemig
`;

export function buildProgram(io: Io): Command {
  const program = new Command('livemig')
    .version(findPackage()?.version ?? 'unknown', '-V, --version', 'print the version')
    .description(
      'Emulate VM live migration page by page, deterministically: pre-copy rounds (QEMU, Xen, SimGrid, ' +
        'stop-and-copy) over a link, against a guest workload that dirties memory, reporting total time, ' +
        'downtime, data sent and the CPU the guest lost.',
    )
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError("(add --help for usage)")
    // Commander's own usage errors read like livemig's: "livemig: unknown option '--x'".
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: (text, write) => write(`livemig: ${text.replace(/^error: /, '')}`) })
    .exitOverride();
  // Subcommands are created by program.command(), so they inherit the output and exit settings above.
  registerRun(program, io);
  registerCompare(program, io);
  registerSweep(program, io);
  registerWorker(program, io);
  registerMerge(program, io);
  registerExport(program, io);
  registerReport(program, io);
  registerSchema(program, io);
  registerPlayground(program, io);
  registerValidate(program, io);
  registerTables(program, io);
  registerCompletion(program, io);
  registerRecord(program, io);
  registerTrace(program, io);
  registerDrain(program, io);
  registerEstimate(program, io);
  return program;
}

/** Runs the command line `argv` (as in process.argv) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  if (argv.length <= 2) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    return exitCodeFor(err, io);
  }
}

function exitCodeFor(err: unknown, io: Io): number {
  // Commander has already printed its message (or the help, or the version, which exit 0).
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
  const debug = process.env['LIVEMIG_DEBUG'] === '1';
  const detail = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (err instanceof LivemigError) {
    io.err(`livemig: ${err.message}${detail}\n`);
    return EXIT_USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`livemig: internal error: ${message}${detail}\n`);
  return EXIT_INTERNAL;
}
