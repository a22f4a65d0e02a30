/**
 * `livemig presets`, `livemig controllers` and `livemig managers`: what the tables hold, so nothing has to be found out from an error
 * message. Both print from the tables themselves (src/scenarios/presets.ts, src/model/controllers.ts).
 */
import type { Command } from 'commander';
import { policyLabel } from '../../api/policy.js';
import { CONTROLLER_TABLE } from '../../model/controllers.js';
import { MANAGEMENT_TABLE } from '../../model/managers.js';
import { describeField, type FieldSpec } from '../../model/fields.js';
import { formatTable, terminalWidth } from '../../report/table.js';
import { PRESETS } from '../../scenarios/presets.js';
import { flagText, flagsOf } from '../flags.js';
import type { Io } from '../io.js';

export function registerTables(program: Command, io: Io): void {
  program
    .command('presets')
    .summary('list the presets of compare and run --preset, with their values')
    .description('List the built-in presets: what each is for, the scenario flags it sets (every other flag keeps its default) and the policies compare runs on it.')
    .option('--json', 'print the presets as JSON (scenario as migrate() options, policies)')
    .action((flags: { json?: boolean }) => {
      if (flags.json) {
        io.out(`${JSON.stringify(Object.values(PRESETS).map((p) => ({ name: p.name, description: p.description, scenario: p.base, policies: p.policies.map(policyLabel) })), null, 2)}\n`);
        return;
      }
      const blocks = Object.values(PRESETS).map((p) => {
        const flagsText = flagsOf(p.base).map(([f, v]) => `${f} ${v}`).join(' ');
        return `${p.name}\n  ${p.description}\n  flags:    ${flagsText}\n  policies: ${p.policies.map(policyLabel).join(', ')}\n  try:      livemig compare --preset ${p.name}   |   livemig run --preset ${p.name} --algorithm xen`;
      });
      io.out(`${blocks.join('\n\n')}\n`);
    });

  program
    .command('controllers')
    .summary('list the CPU-scheduling controllers, their parameters, defaults and sources')
    .description(
      'List the built-in controllers and every parameter: its default (and where that default comes from), the values ' +
        'accepted and what it does. Give parameters as NAME:key=value,... (--controller on run, or in a policy).',
    )
    .option('--json', 'print the controller table as JSON')
    .option('--wide', 'print every column (default: columns are left out to fit the terminal)')
    .action((flags: { json?: boolean; wide?: boolean }) => {
      if (flags.json) {
        const out = Object.entries(CONTROLLER_TABLE).map(([name, c]) => ({
          name, doc: c.doc, source: c.source,
          params: Object.entries(c.params as Record<string, FieldSpec>).map(([k, f]) => ({ name: k, kind: f.kind, default: f.default, accepted: describeField(f), doc: f.doc, source: f.source })),
        }));
        io.out(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const width = terminalWidth(flags.wide);
      const blocks = Object.entries(CONTROLLER_TABLE).map(([name, c]) => {
        const rows = Object.entries(c.params as Record<string, FieldSpec>).map(([k, f]) => [k, paramText(f), describeField(f), f.doc, f.source ?? '']);
        const table = formatTable(
          [{ title: 'parameter', align: 'left' }, { title: 'default', align: 'left' }, { title: 'accepted', align: 'left', drop: 2 }, { title: 'what it does', align: 'left', drop: 3 }, { title: 'source of the default', align: 'left', drop: 1 }],
          rows, { width },
        );
        const example = Object.keys(c.params)[0];
        return `${name}: ${c.doc}\n  source: ${c.source}\n  e.g. --controller ${name}${example ? `:${example}=${paramText((c.params as Record<string, FieldSpec>)[example]!)}` : ''}\n\n${table}`;
      });
      io.out(`${blocks.join('\n\n')}\n`);
    });

  program
    .command('managers')
    .summary('list the management layers (nova, kubevirt, libvirt-timeout), their options, defaults and sources')
    .description(
      "List the management layers and every option, named as in the layer's own configuration (nova.conf [libvirt], " +
        "KubeVirt's MigrationConfiguration, virsh migrate): its default and source, the values accepted and what it does. " +
        'Give them as NAME:key=value,... (--management on run, or @NAME:... at the end of a policy).',
    )
    .option('--json', 'print the management table as JSON')
    .option('--wide', 'print every column (default: columns are left out to fit the terminal)')
    .action((flags: { json?: boolean; wide?: boolean }) => {
      if (flags.json) {
        const out = Object.entries(MANAGEMENT_TABLE).map(([name, c]) => ({
          name, doc: c.doc, source: c.source,
          params: Object.entries(c.params as Record<string, FieldSpec>).map(([k, f]) => ({ name: k, kind: f.kind, default: f.default, accepted: describeField(f), doc: f.doc, source: f.source })),
        }));
        io.out(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const width = terminalWidth(flags.wide);
      const blocks = Object.entries(MANAGEMENT_TABLE).map(([name, c]) => {
        const rows = Object.entries(c.params as Record<string, FieldSpec>).map(([k, f]) => [k, managerText(f), describeField(f), f.doc, f.source ?? '']);
        const table = formatTable(
          [{ title: 'parameter', align: 'left' }, { title: 'default', align: 'left' }, { title: 'accepted', align: 'left', drop: 2 }, { title: 'what it does', align: 'left', drop: 3 }, { title: 'source of the default', align: 'left', drop: 1 }],
          rows, { width },
        );
        const example = Object.keys(c.params)[0];
        return `${name}: ${c.doc}\n  source: ${c.source}\n  e.g. --management ${name}${example ? `:${example}=${managerText((c.params as Record<string, FieldSpec>)[example]!)}` : ''}\n\n${table}`;
      });
      io.out(`${blocks.join('\n\n')}\n`);
    });
}

/** A parameter's default as NAME:key=value takes it (true/false, not on/off). */
function paramText(f: FieldSpec): string {
  return f.kind === 'boolean' ? String(f.default) : flagText(f, f.default);
}

/** A management option's default as NAME:key=value takes it (the table's words where it has no value). */
function managerText(f: FieldSpec): string {
  if (f.default === null || f.default === undefined) return f.defaultText ?? 'none';
  return String(f.default);
}
