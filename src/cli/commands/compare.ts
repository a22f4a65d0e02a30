import type { Command } from 'commander';
import { compare } from '../../api/compare.js';
import type { MigrationOptions } from '../../model/options.js';
import type { ResolvedScenario } from '../../model/report.js';
import { type Policy, parsePolicy, policyLabel } from '../../api/policy.js';
import { formatComparison } from '../../report/comparison-table.js';
import { formatScenario, terminalWidth } from '../../report/table.js';
import { HEADLINE, PRESETS, getPreset, type Preset } from '../../scenarios/presets.js';
import { MiB, formatRateExact } from '../../units.js';
import { addScenarioFlags, givenFlags, showDefaults, withFlagName, withFlags, type ScenarioFlags } from '../flags.js';
import type { Io } from '../io.js';
import { addExportFlags, comparisonRecords, exportTargets, writeExports } from '../run-exports.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { splitPolicies } from '../policy-list.js';

interface CompareFlags extends ScenarioFlags {
  preset: string;
  policies?: string;
  json?: boolean;
  wide?: boolean;
}

/** What `compare --json` prints: the scenario and policies it ran (enough to replay it) and every report. */
export interface CompareJson {
  format: 'livemig-compare/1';
  preset: string;
  /** The scenario every policy ran on: the preset's with the flags on top (migrate() options, plain JSON). */
  scenario: MigrationOptions;
  policies: Policy[];
  runs: { policy: string; report: unknown }[];
}

/** `livemig compare`: one scenario, several policies, one side-by-side table. */
export function registerCompare(program: Command, io: Io): void {
  const presetList = Object.values(PRESETS).map((p) => `  ${p.name.padEnd(12)} ${p.description}`).join('\n');
  const command = program
    .command('compare')
    .summary('run one scenario under several policies and compare them side by side')
    .description(
      'Run one scenario under several pre-copy policies (ALGORITHM[+CONTROLLER]) with the same guest, workload ' +
        'and seed, and print total time, downtime, data sent, rounds and the CPU the guest lost side by side. ' +
        'Starts from a preset; scenario flags override its fields (the defaults below are the preset\'s; ' +
        '`livemig compare --preset NAME --help` shows another\'s).\n\nPresets (livemig presets lists their values):\n' + presetList,
    )
    .option('--preset <name>', `starting scenario and policy list: ${Object.keys(PRESETS).join(', ')}`, 'headline')
    .option('--policies <list>', 'semicolon- or comma-separated policies ALGORITHM[{option=value,...}][+CONTROLLER[:key=value,...]], e.g. "xen;xen+cpu-scheduling:targetRound=4;qemu{downtime-limit=1s}" (braces: scenario options for that policy only, by their flag names without dashes) (default: the preset\'s)');
  addScenarioFlags(command)
    .optionsGroup('Output:')
    .option('--json', 'print the scenario, the policies and every report as JSON on stdout, enough to replay the comparison (default: a table)')
    .option('--wide', 'print every column (default: columns are left out to fit the terminal)');
  addExportFlags(command)
    .addHelpText('after', '\nExamples:\n  $ livemig compare\n  $ livemig compare --bandwidth 10Gbit/s --policies qemu,qemu+cpu-scheduling,qemu+auto-converge\n  $ livemig compare --preset converging --export-markdown results.md\n')
    .action(async (flags: CompareFlags) => {
      const preset = getPreset(flags.preset, '--preset');
      for (const [flag, value] of [['--algorithm', flags.algorithm], ['--controller', flags.controller]] as const) {
        if (value !== undefined) {
          throw new InvalidOptionError(flag, value, 'no such flag for compare: name policies in --policies, e.g. --policies "qemu;qemu+cpu-scheduling:targetRound=4"');
        }
      }
      const policies = flags.policies === undefined ? preset.policies : splitPolicies(flags.policies).map((p) => parsePolicy(p, '--policies'));
      const targets = exportTargets(flags);
      let base: MigrationOptions;
      let rows;
      try {
        base = withFlags(preset.base, flags);
        delete base.algorithm;
        delete base.controller;
        rows = compare(base, policies);
      } catch (err) {
        throw withFlagName(err, flags);
      }
      await writeExports(targets, comparisonRecords(`compare ${preset.name}`, rows), io);
      if (flags.json) {
        const out: CompareJson = {
          format: 'livemig-compare/1',
          preset: preset.name,
          scenario: base,
          policies: policies.map((p) => ({ ...p, label: policyLabel(p) })),
          runs: rows.map((r) => ({ policy: r.policy, report: r.report })),
        };
        io.out(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const first = rows[0]!.report.scenario;
      const algorithms = [...new Set(rows.map((r) => r.report.summary.algorithm))];
      const header = `${compareTitle(preset, flags, first, rows.length)}\n${formatScenario(first, { algorithm: false, algorithms })}`;
      io.out(`${header}\n\n${formatComparison(rows, { width: terminalWidth(flags.wide) })}\n`);
    });
  // The --help defaults are the preset's: headline unless --preset comes first (`compare --preset converging --help`).
  showDefaults(command, HEADLINE.base, `preset ${HEADLINE.name}`);
  command.on('option:preset', (name: string) => {
    if (Object.hasOwn(PRESETS, name)) showDefaults(command, PRESETS[name]!.base, `preset ${name}`);
  });
}

/**
 * The preset's own description when no scenario flag changed it; otherwise one built from the scenario that ran,
 * naming the flags, so the title never claims a link or a guest the run did not have.
 */
function compareTitle(preset: Preset, flags: CompareFlags, s: ResolvedScenario, policies: number): string {
  const changed = givenFlags(flags);
  if (changed.length === 0) return preset.description;
  const dirtyMiBps = s.workloads.reduce((a, w) => a + ('writesPerSec' in w ? w.writesPerSec : 0), 0) * s.pageSize / MiB;
  return (
    `Guest dirties ${dirtyMiBps.toFixed(0)} MiB/s at full speed over a ${formatRateExact(s.bandwidthBytesPerSec)} link: ` +
    `${policies} polic${policies === 1 ? 'y' : 'ies'} on the same VM and seed (preset ${preset.name} with ${changed.map(([f, v]) => `${f} ${v}`.trim()).join(' ')})`
  );
}

