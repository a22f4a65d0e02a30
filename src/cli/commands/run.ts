import type { Command } from 'commander';
import { formatReport } from '../../report/table.js';
import { addScenarioFlags, migrateFromFlags, type ScenarioFlags } from '../flags.js';
import type { Io } from '../io.js';

/** Rounds shown at each end of a long round table unless --all-rounds. */
const HEAD_TAIL_ROUNDS = 10;

interface RunFlags extends ScenarioFlags {
  json?: boolean;
  allRounds?: boolean;
}

/** `livemig run`: one migration, printed as tables or as the JSON report. */
export function registerRun(program: Command, io: Io): void {
  const command = program
    .command('run')
    .summary('emulate one migration and print its report')
    .description(
      'Emulate one live migration of a VM and print its rounds and summary. Sizes take B, KiB, MiB, GiB, TiB ' +
        '(or kB, MB, GB, TB); rates bit/s to Tbit/s or B/s to TiB/s; durations us, ms, s, min, h.',
    );
  addScenarioFlags(command)
    .optionsGroup('Output:')
    .option('--json', 'print the whole report as JSON on stdout (default: tables)')
    .option('--all-rounds', `print every round (default: the first and last ${HEAD_TAIL_ROUNDS} of a long run)`)
    .action((flags: RunFlags) => {
      const report = migrateFromFlags(flags);
      const text = flags.json ? JSON.stringify(report, null, 2) : formatReport(report, flags.allRounds ? undefined : HEAD_TAIL_ROUNDS);
      io.out(`${text}\n`);
    });
}
