/**
 * The scenario flags shared by commands that run migrations, all derived from the option table
 * (src/model/option-table.ts) and the workload table (src/model/workloads.ts): each row with a `flag` becomes a
 * flag, its parser is chosen by the row's unit kind, its --help line is the row's doc and default. Values stay
 * text until mapped here, so every parse error names the flag.
 */
import type { Command } from 'commander';
import { migrate } from '../api/migrate.js';
import { formatOptionValue, oneOf, parseOptionText } from '../api/option-text.js';
import { CapacityError, InvalidOptionError } from '../errors/index.js';
import type { FieldSpec, UnitKind } from '../model/fields.js';
import { OPTION_ROWS, type FlagGroup, type OptionSpec } from '../model/option-table.js';
import type { MigrationOptions } from '../model/options.js';
import type { MigrationReport } from '../model/report.js';
import { WORKLOAD_KINDS, WORKLOAD_TABLE, type WorkloadKind, type WorkloadSpec } from '../model/workloads.js';
import { CONTROLLERS } from '../model/controllers.js';
import { parseBytes } from '../units.js';

/** Flag values as commander hands them over (camel-cased long names); false after a --no-… flag. */
export type ScenarioFlags = Record<string, string | boolean | undefined>;

const HEADINGS: Record<FlagGroup, string> = {
  guest: 'Guest:', workload: 'Workload (each vCPU):', migration: 'Migration:', wire: 'Wire (qemu: XBZRLE, multifd, compression):', limits: 'Limits:',
};

const PLACEHOLDER: Record<OptionSpec['kind'], string> = {
  bytes: '<size>', rate: '<rate>', 'page-rate': '<rate>', duration: '<duration>', fraction: '<fraction>', count: '<n>',
  boolean: '', enum: '<name>', workload: '<kind>', controller: '<spec>', path: '<file>', list: '', 'rate-trace': '<file>',
};

/** The workload fields that have flags, each once, in the order the kinds declare them. */
const WORKLOAD_FIELDS: [string, FieldSpec][] = Object.entries(
  Object.fromEntries(WORKLOAD_KINDS.flatMap((k) => Object.entries(WORKLOAD_TABLE[k].fields as Record<string, FieldSpec>))),
);

/** "--page-size" -> "pageSize", commander's key for the flag's value. */
function camel(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A boolean that is on by default is turned off with --no-…; commander stores it under the positive name. */
function spelling(flag: string, f: { kind: string; default?: unknown }): string {
  if (f.kind === 'boolean') return f.default === true ? flag.replace(/^--/, '--no-') : flag;
  return `${flag} ${PLACEHOLDER[f.kind as UnitKind]}`;
}

/** A default as a user would type it (or the row's words for it). */
function defaultText(f: OptionSpec | FieldSpec): string {
  const d = f.default;
  if (f.defaultText !== undefined) return f.defaultText;
  if (f.kind === 'boolean') return d === true ? 'on' : 'off';
  if (typeof d === 'number') return formatOptionValue(f, d);
  if (typeof d === 'string') return d;
  if (f.kind === 'workload') return String((d as WorkloadSpec).kind);
  return 'none';
}

function help(f: OptionSpec | FieldSpec): string {
  let doc = f.doc;
  if (f.kind === 'boolean' && f.default === true) doc = `turn off: ${doc}`;
  if (f.kind === 'enum' && f.values) doc += `: ${f.values.join(', ')}${f.text ? `, or ${f.text.syntax}` : ''}`;
  if (f.kind === 'workload') doc = `what each vCPU runs: ${WORKLOAD_KINDS.join(', ')}`;
  if (f.kind === 'controller') doc = `CPU-scheduling controller: ${CONTROLLERS.join(', ')}; parameters after a colon, e.g. cpu-scheduling:targetRound=4,minShare=0.1`;
  return `${doc} (default: ${defaultText(f)})`;
}

interface Flag { flag: string; field: string; spec: OptionSpec | FieldSpec; group: FlagGroup }

/** Every scenario flag: the option rows with a flag, the workload fields right after --workload. */
const FLAGS: Flag[] = OPTION_ROWS.flatMap(([name, row]): Flag[] => {
  if (row.flag === undefined) return [];
  const own: Flag = { flag: row.flag, field: name, spec: row, group: row.group ?? 'migration' };
  if (row.kind !== 'workload') return [own];
  return [own, ...WORKLOAD_FIELDS.filter(([, f]) => f.flag).map(([k, f]) => ({ flag: f.flag!, field: `workload.${k}`, spec: f, group: own.group }))];
});

const FLAG_OF_FIELD = new Map(FLAGS.map((f) => [f.field, f.flag]));

/** Declares the scenario flags on `command`, in help groups, each with its default. */
export function addScenarioFlags(command: Command): Command {
  for (const group of Object.keys(HEADINGS) as FlagGroup[]) {
    command.optionsGroup(HEADINGS[group]);
    for (const f of FLAGS.filter((x) => x.group === group)) command.option(spelling(f.flag, f.spec), help(f.spec));
  }
  return command;
}

/** Declares only the scenario flags of the options `names` (in table order), under one help heading. */
export function addSomeScenarioFlags(command: Command, names: readonly string[], heading: string): Command {
  command.optionsGroup(heading);
  for (const f of FLAGS.filter((x) => names.includes(x.field))) command.option(spelling(f.flag, f.spec), help(f.spec));
  return command;
}

/** The page size the flags give (--page-size), else the option's default: the unit of page-count flags. */
function pageSizeOf(flags: ScenarioFlags): number {
  const pageText = flags[camel('--page-size')];
  return typeof pageText === 'string' ? parseBytes('--page-size', pageText) : (OPTION_ROWS.find(([n]) => n === 'pageSize')![1].default as number);
}

/** Reads one flag's text by its row's unit kind; undefined when the flag is not given. */
function flagValue(f: (typeof FLAGS)[number], flags: ScenarioFlags, pageSize: number): unknown {
  const value = flags[camel(f.flag)];
  if (f.spec.kind === 'boolean') return typeof value === 'boolean' ? value : undefined;
  return typeof value === 'string' ? parseOptionText(f.flag, f.spec, value, pageSize) : undefined;
}

/**
 * Maps flag text to migration options; flags left out stay undefined, so the library's defaults apply.
 * `baseKind` is the workload kind when --workload is not given (a preset's), so its fields are the ones accepted.
 */
export function toMigrationOptions(flags: ScenarioFlags, baseKind?: WorkloadKind): MigrationOptions {
  const pageSize = pageSizeOf(flags);
  const out: Record<string, unknown> = {};
  for (const f of FLAGS) {
    if (f.field.startsWith('workload.')) continue;
    out[f.field] = f.spec.kind === 'workload' ? workloadSpec(flags, pageSize, baseKind) : flagValue(f, flags, pageSize);
  }
  return out as MigrationOptions;
}

/**
 * The options of `names` only (the flags addSomeScenarioFlags declared), those given: a command whose own
 * flags reuse a table flag's spelling (estimate's --zero-pages) must not have them read as that option.
 */
export function toSomeMigrationOptions(flags: ScenarioFlags, names: readonly string[]): Partial<MigrationOptions> {
  const pageSize = pageSizeOf(flags);
  const out: Record<string, unknown> = {};
  for (const f of FLAGS) {
    if (!names.includes(f.field) || f.spec.kind === 'workload') continue;
    const v = flagValue(f, flags, pageSize);
    if (v !== undefined) out[f.field] = v;
  }
  return out as Partial<MigrationOptions>;
}

/** Runs the flags' scenario; errors from the library name the flag rather than the option field. */
export function migrateFromFlags(f: ScenarioFlags): MigrationReport {
  const options = toMigrationOptions(f);
  try {
    return migrate(options);
  } catch (err) {
    throw withFlagName(err, f);
  }
}

/** Re-issues an option error under the flag that set the field, when there is one. */
export function withFlagName(err: unknown, flags?: ScenarioFlags): unknown {
  if (err instanceof InvalidOptionError) {
    const flag = FLAG_OF_FIELD.get(err.field);
    // Echo what was typed ("4GB"), not the parsed number.
    const typed = flag === undefined ? undefined : flags?.[camel(flag)];
    if (flag) return new InvalidOptionError(flag, typeof typed === 'string' ? typed : err.value, err.accepted);
    // A controller parameter: "--controller (targetRound)".
    if (err.field.startsWith('controller.')) return new InvalidOptionError(`--controller (${err.field.slice('controller.'.length)})`, err.value, err.accepted);
    if (err.field.startsWith('management')) return new InvalidOptionError(`--management${err.field.slice('management'.length)}`, err.value, err.accepted);
    return err;
  }
  if (err instanceof CapacityError) {
    const flag = FLAG_OF_FIELD.get(err.field);
    return flag ? new CapacityError(flag, err.requiredBytes, err.limitBytes, err.reason) : err;
  }
  return err;
}

/** One workload spec for every vCPU, from --workload and the field flags its kind has (others are refused). */
function workloadSpec(flags: ScenarioFlags, pageSizeBytes: number, baseKind?: WorkloadKind): WorkloadSpec {
  const kindText = flags['workload'];
  const fallback = baseKind ?? String(defaultText(OPTION_ROWS.find(([n]) => n === 'workload')![1]));
  const kind = oneOf('--workload', typeof kindText === 'string' ? kindText : fallback, WORKLOAD_KINDS) as WorkloadKind;
  const fields = WORKLOAD_TABLE[kind].fields as Record<string, FieldSpec>;
  const spec: Record<string, unknown> = { kind };
  for (const [name, f] of WORKLOAD_FIELDS) {
    if (f.flag === undefined) continue; // set in experiment files and the library only (a list, a boolean)
    const text = flags[camel(f.flag)];
    if (!Object.hasOwn(fields, name)) {
      if (typeof text === 'string') {
        const has = Object.keys(fields).map((k) => fields[k]!.flag).filter(Boolean);
        throw new InvalidOptionError(f.flag!, text, `no ${f.flag} with --workload ${kind} (${has.length === 0 ? `${kind} writes no memory` : `its flags: ${has.join(', ')}`})`);
      }
      continue;
    }
    if (typeof text === 'string') spec[name] = parseOptionText(f.flag!, f, text, pageSizeBytes);
    else if (f.required === true) spec[name] = f.default;
  }
  return spec as WorkloadSpec;
}

/** Whether any workload flag (--workload or a field flag) was given. */
function workloadFlagGiven(flags: ScenarioFlags): boolean {
  return FLAGS.some((f) => (f.field === 'workload' || f.field.startsWith('workload.')) && flags[camel(f.flag)] !== undefined);
}

/**
 * `base` (a preset's scenario) with the flags given on top. A workload field flag changes that field of the base's
 * workload (`--write-rate` keeps the preset's hot set); `--workload KIND` starts a new workload from the flags.
 * --algorithm and --controller are the caller's to handle.
 */
export function withFlags(base: MigrationOptions, flags: ScenarioFlags): MigrationOptions {
  const baseWorkload = Array.isArray(base.workload) ? undefined : base.workload;
  const all = toMigrationOptions(flags, baseWorkload?.kind) as Record<string, unknown>;
  const given = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  if (!workloadFlagGiven(flags)) delete given['workload'];
  else if (flags['workload'] === undefined && baseWorkload !== undefined) {
    const set = FLAGS.filter((f) => f.field.startsWith('workload.') && flags[camel(f.flag)] !== undefined).map((f) => f.field.slice('workload.'.length));
    const fromFlags = given['workload'] as Record<string, unknown>;
    given['workload'] = { ...baseWorkload, ...Object.fromEntries(set.map((k) => [k, fromFlags[k]])) };
  }
  return { ...base, ...given } as MigrationOptions;
}

/** The scenario flags given on the command line, as typed: [['--bandwidth', '10Gbit/s'], ['--no-xen-skip', '']]. */
export function givenFlags(flags: ScenarioFlags): [string, string][] {
  return FLAGS.flatMap(({ flag, spec }): [string, string][] => {
    const v = flags[camel(flag)];
    if (v === undefined) return [];
    // commander stores a --no-… flag's default (true) too: only a value off the default was typed.
    if (typeof v === 'boolean') return v === spec.default ? [] : [[spelling(flag, spec), '']];
    return [[flag, v]];
  });
}

/** A value of a flag's row as a user would type it: '2GiB', '1Gbit/s', '60000pages/s'. */
export function flagText(spec: OptionSpec | FieldSpec, value: unknown): string {
  return defaultText({ ...spec, default: value, defaultText: undefined } as OptionSpec);
}

/** The flags that `options` sets, with their values as typed: [['--memory', '2GiB'], ['--write-rate', '60000pages/s'], ...]. */
export function flagsOf(options: MigrationOptions): [string, string][] {
  const o = options as Record<string, unknown>;
  const w = Array.isArray(options.workload) ? undefined : (options.workload as Record<string, unknown> | undefined);
  return FLAGS.flatMap(({ flag, field, spec }): [string, string][] => {
    const value = field.startsWith('workload.') ? w?.[field.slice('workload.'.length)] : field === 'workload' ? w?.['kind'] : o[field];
    if (value === undefined || typeof value === 'function' || (typeof value === 'object' && value !== null)) return [];
    return [[flag, field === 'workload' ? String(value) : flagText(spec, value)]];
  });
}

/**
 * Rewrites the "(default: …)" of each scenario flag in `command`'s --help to the value `options` gives it (a
 * preset's), naming `source`; flags the options leave alone keep the library default.
 */
export function showDefaults(command: Command, options: MigrationOptions, source: string): void {
  const values = new Map(flagsOf(options));
  for (const f of FLAGS) {
    const opt = command.options.find((o) => o.long === f.flag || o.long === f.flag.replace(/^--/, '--no-'));
    const value = values.get(f.flag);
    if (opt === undefined) continue;
    opt.description = value === undefined ? help(f.spec) : help(f.spec).replace(/\(default: [^)]*\)$/, `(default: ${value}, from ${source})`);
  }
}
