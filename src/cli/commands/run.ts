import type { Command } from 'commander';
import { formatReport, terminalWidth } from '../../report/table.js';
import { PRESETS, getPreset } from '../../scenarios/presets.js';
import { addScenarioFlags, showDefaults, toMigrationOptions, withFlagName, withFlags, type ScenarioFlags } from '../flags.js';
import { migrate } from '../../api/migrate.js';
import type { MigrationOptions } from '../../model/options.js';
import type { Io } from '../io.js';
import { addExportFlags, comparisonRecords, exportTargets, writeExports } from '../run-exports.js';

/** Rounds shown at each end of a long round table unless --all-rounds. */
const HEAD_TAIL_ROUNDS = 10;

interface RunFlags extends ScenarioFlags {
  preset?: string;
  json?: boolean;
  allRounds?: boolean;
  wide?: boolean;
}

/** `livemig run`: one migration, printed as tables or as the JSON report. */
export function registerRun(program: Command, io: Io): void {
  const command = program
    .command('run')
    .summary('emulate one migration and print its report')
    .description(
      'Emulate one live migration of a VM and print its rounds and summary. Sizes take B, KiB, MiB, GiB, TiB ' +
        '(or kB, MB, GB, TB); rates bit/s to Tbit/s or B/s to TiB/s; durations us, ms, s, min, h. A size, rate or ' +
        'duration needs its unit (--max-time 60s, not 60). With --preset, the run starts from a preset\'s scenario ' +
        '(`livemig run --preset NAME --help` shows its values).',
    )
    .option('--preset <name>', `start from a preset's scenario (${Object.keys(PRESETS).join(', ')}); flags override its fields (default: none, the library defaults)`);
  addScenarioFlags(command)
    .optionsGroup('Output:')
    .option('--json', 'print the whole report as JSON on stdout (default: tables)')
    .option('--all-rounds', `print every round (default: the first and last ${HEAD_TAIL_ROUNDS} of a long run)`)
    .option('--wide', 'print every column (default: columns are left out to fit the terminal)');
  addExportFlags(command).action(async (flags: RunFlags) => {
    const preset = flags.preset === undefined ? undefined : getPreset(flags.preset, '--preset');
    const targets = exportTargets(flags);
    let report;
    try {
      const options: MigrationOptions = preset === undefined ? toMigrationOptions(flags) : withFlags(preset.base, flags);
      report = migrate(options);
    } catch (err) {
      throw withFlagName(err, flags);
    }
    const label = report.summary.controller === 'none' ? report.summary.algorithm : `${report.summary.algorithm}+${report.summary.controller}`;
    await writeExports(targets, comparisonRecords(preset === undefined ? 'run' : `run ${preset.name}`, [{ policy: label, report }]), io);
    const text = flags.json
      ? JSON.stringify(report, null, 2)
      : formatReport(report, flags.allRounds ? undefined : HEAD_TAIL_ROUNDS, { width: terminalWidth(flags.wide) });
    io.out(`${text}\n`);
  });
  command.on('option:preset', (name: string) => {
    if (Object.hasOwn(PRESETS, name)) showDefaults(command, PRESETS[name]!.base, `preset ${name}`);
  });
}
