import type { Command } from 'commander';
import { compare } from '../../api/compare.js';
import type { MigrationOptions } from '../../model/options.js';
import { parsePolicy } from '../../api/policy.js';
import { formatComparison } from '../../report/comparison-table.js';
import { formatScenario } from '../../report/table.js';
import { PRESETS, getPreset } from '../../scenarios/presets.js';
import { addScenarioFlags, toMigrationOptions, withFlagName, type ScenarioFlags } from '../flags.js';
import type { Io } from '../io.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';

interface CompareFlags extends ScenarioFlags {
  preset: string;
  policies?: string;
  json?: boolean;
}

const WORKLOAD_FLAGS = ['workload', 'writeRate', 'hotFraction', 'hotProbability', 'regionStart', 'regionSize'] as const;

/** `livemig compare`: one scenario, several policies, one side-by-side table. */
export function registerCompare(program: Command, io: Io): void {
  const presetList = Object.values(PRESETS).map((p) => `  ${p.name.padEnd(12)} ${p.description}`).join('\n');
  const command = program
    .command('compare')
    .summary('run one scenario under several policies and compare them side by side')
    .description(
      'Run one scenario under several pre-copy policies (ALGORITHM[+CONTROLLER]) with the same guest, workload ' +
        'and seed, and print total time, downtime, data sent, rounds and the CPU the guest lost side by side. ' +
        'Starts from a preset; scenario flags override its fields.\n\nPresets:\n' + presetList,
    )
    .option('--preset <name>', `starting scenario and policy list: ${Object.keys(PRESETS).join(', ')}`, 'headline')
    .option('--policies <list>', 'semicolon- or comma-separated policies ALGORITHM[+CONTROLLER[:key=value,...]], e.g. "xen;xen+cpu-scheduling:targetRound=4" (default: the preset\'s)');
  addScenarioFlags(command)
    .optionsGroup('Output:')
    .option('--json', 'print every run\'s summary as JSON on stdout (default: a table)')
    .addHelpText('after', '\nExamples:\n  $ livemig compare\n  $ livemig compare --bandwidth 10Gbit/s --policies qemu,qemu+cpu-scheduling,qemu+auto-converge\n')
    .action((flags: CompareFlags) => {
      const preset = getPreset(flags.preset, '--preset');
      for (const [flag, value] of [['--algorithm', flags.algorithm], ['--controller', flags.controller]] as const) {
        if (value !== undefined) {
          throw new InvalidOptionError(flag, value, 'no such flag for compare: name policies in --policies, e.g. --policies "qemu;qemu+cpu-scheduling:targetRound=4"');
        }
      }
      const policies = flags.policies === undefined ? preset.policies : splitPolicies(flags.policies).map((p) => parsePolicy(p, '--policies'));
      const base: MigrationOptions = { ...preset.base, ...overrides(flags) };
      let rows;
      try {
        rows = compare(base, policies);
      } catch (err) {
        throw withFlagName(err, flags);
      }
      if (flags.json) {
        io.out(`${JSON.stringify(rows.map((r) => ({ policy: r.policy, summary: r.report.summary })), null, 2)}\n`);
        return;
      }
      const first = rows[0]!.report.scenario;
      io.out(`${preset.description}\n${formatScenario(first, { algorithm: false })}\n\n${formatComparison(rows)}\n`);
    });
}

/** "a;b" or, when no controller has parameters, "a,b". */
function splitPolicies(text: string): string[] {
  return (text.includes(';') || text.includes(':') ? text.split(';') : text.split(',')).map((p) => p.trim()).filter((p) => p !== '');
}

/** The scenario fields the user set on the command line (the workload only if a workload flag was given). */
function overrides(flags: CompareFlags): MigrationOptions {
  const all = toMigrationOptions(flags) as Record<string, unknown>;
  const given = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  if (!WORKLOAD_FLAGS.some((f) => flags[f] !== undefined)) delete given['workload'];
  delete given['algorithm'];
  delete given['controller'];
  return given as MigrationOptions;
}
