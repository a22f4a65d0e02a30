/**
 * `livemig presets`, `livemig controllers` and `livemig managers`: what the tables hold, so nothing has to be found out from an error
 * message. Each prints from its table itself (src/scenarios/presets.ts, src/model/controllers.ts, src/model/managers.ts).
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

  registerParamTable(program, io, {
    command: 'controllers', flag: '--controller', table: CONTROLLER_TABLE, defaultText: paramText,
    summary: 'list the CPU-scheduling controllers, their parameters, defaults and sources',
    description:
      'List the built-in controllers and every parameter: its default (and where that default comes from), the values ' +
      'accepted and what it does. Give parameters as NAME:key=value,... (--controller on run, or in a policy).',
    jsonHelp: 'print the controller table as JSON',
  });
  registerParamTable(program, io, {
    command: 'managers', flag: '--management', table: MANAGEMENT_TABLE, defaultText: managerText,
    summary: 'list the management layers (nova, kubevirt, libvirt-timeout), their options, defaults and sources',
    description:
      "List the management layers and every option, named as in the layer's own configuration (nova.conf [libvirt], " +
      "KubeVirt's MigrationConfiguration, virsh migrate): its default and source, the values accepted and what it does. " +
      'Give them as NAME:key=value,... (--management on run, or @NAME:... at the end of a policy).',
    jsonHelp: 'print the management table as JSON',
  });
}

/** A table of named entries, each with a doc, a source and parameters (the controller and management tables). */
type ParamTable = Record<string, { doc: string; source: string; params: object }>;

interface ParamTableCommand {
  command: string;
  /** The run flag that takes NAME:key=value,... (for the example line). */
  flag: string;
  table: ParamTable;
  /** A parameter's default as NAME:key=value takes it. */
  defaultText: (f: FieldSpec) => string;
  summary: string;
  description: string;
  jsonHelp: string;
}

/** A command listing every entry of a parameter table: one block per entry, or the table as JSON. */
function registerParamTable(program: Command, io: Io, c: ParamTableCommand): void {
  const params = (e: ParamTable[string]): [string, FieldSpec][] => Object.entries(e.params as Record<string, FieldSpec>);
  program
    .command(c.command)
    .summary(c.summary)
    .description(c.description)
    .option('--json', c.jsonHelp)
    .option('--wide', 'print every column (default: columns are left out to fit the terminal)')
    .action((flags: { json?: boolean; wide?: boolean }) => {
      if (flags.json) {
        const out = Object.entries(c.table).map(([name, e]) => ({
          name, doc: e.doc, source: e.source,
          params: params(e).map(([k, f]) => ({ name: k, kind: f.kind, default: f.default, accepted: describeField(f), doc: f.doc, source: f.source })),
        }));
        io.out(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const width = terminalWidth(flags.wide);
      const blocks = Object.entries(c.table).map(([name, e]) => {
        const rows = params(e).map(([k, f]) => [k, c.defaultText(f), describeField(f), f.doc, f.source ?? '']);
        const table = formatTable(
          [{ title: 'parameter', align: 'left' }, { title: 'default', align: 'left' }, { title: 'accepted', align: 'left', drop: 2 }, { title: 'what it does', align: 'left', drop: 3 }, { title: 'source of the default', align: 'left', drop: 1 }],
          rows, { width },
        );
        return `${name}: ${e.doc}\n  source: ${e.source}\n  e.g. ${c.flag} ${name}${exampleText(params(e)[0], c.defaultText)}\n\n${table}`;
      });
      io.out(`${blocks.join('\n\n')}\n`);
    });
}

/** ":key=value" for the example line: the parameter's default, or its least value when it has none (virsh's timeout). */
function exampleText(p: [string, FieldSpec] | undefined, defaultText: (f: FieldSpec) => string): string {
  if (p === undefined) return '';
  const [k, f] = p;
  const value = (f.default === null || f.default === undefined) && f.rule?.min !== undefined ? String(f.rule.min) : defaultText(f);
  return `:${k}=${value}`;
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
