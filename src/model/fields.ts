/**
 * The shape of one declared field: a scenario option, a workload field or a controller parameter. Each is
 * declared once in a table (option-table.ts, workloads.ts, controllers.ts); checking, defaults, the CLI flags
 * and their parsers, `--help`, the JSON Schema, the report echo and the CSV columns are all derived from it.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { type NumberRule, checkBoolean, checkNumber, describeRule } from './check.js';
import { RATE_TRACE_SYNTAX, type RateTraceOption, checkRateTraceOption } from './rate-trace.js';
import { didYouMean } from './suggest.js';

/**
 * How a field's value is written and read: the unit decides the CLI parser and the help text.
 * - bytes: a whole number of bytes (CLI: 8GiB, 512MB)
 * - rate: bytes per second (CLI: 1Gbit/s, 128MiB/s)
 * - page-rate: page writes per second (CLI: 25000pages/s, or a byte rate over the page size)
 * - duration: milliseconds (CLI: 300ms, 1.5s)
 * - fraction, count: plain numbers (a share from 0 to 1; a count, percentage or seed)
 * - boolean, enum
 * - path: a non-empty string naming a file (CLI: as typed)
 * - list: a JSON list checked by the field's own `check` (no CLI flag; the JSON Schema is the field's `schema`)
 * - rate-trace: a rate over time (src/model/rate-trace.ts): a CSV/JSON file name (CLI: as typed) or inline points
 */
export type UnitKind = 'bytes' | 'rate' | 'page-rate' | 'duration' | 'fraction' | 'count' | 'boolean' | 'enum' | 'path' | 'list' | 'rate-trace';

/** A default: a value, null for "off unless given", or a value computed from the fields checked before it. */
export type FieldDefault = number | boolean | string | null | ((checked: Record<string, unknown>) => number);

export interface FieldSpec {
  kind: UnitKind;
  /** One line, for --help, the JSON Schema and docs. */
  doc: string;
  /** Used when the field is absent; null = the field is off unless given. Absent = required. */
  default?: FieldDefault;
  /** Required in the library even though it has a default (that default serves the CLI and the default workload). */
  required?: boolean;
  /** Where the default comes from (file and constant of the source), or "[REC] why" for our own choice. */
  source?: string;
  /** How --help prints a default that is null or computed ("no limit", "the rest of memory"). */
  defaultText?: string;
  /** Accepted range of a numeric kind. */
  rule?: NumberRule;
  /** Accepted values of an enum; with `rule` too, a number within it is accepted as well. */
  values?: readonly string[];
  /**
   * An enum that also takes text in a syntax of its own (page ranges, a table): `syntax` describes it for
   * errors, --help and the JSON Schema (`pattern` is its regular expression); `check` throws an
   * InvalidOptionError naming the field when the text is wrong, and may use the fields checked before it.
   */
  text?: { syntax: string; pattern: string; check(path: string, text: string, checked: Record<string, unknown>): void };
  /** A bound that depends on fields checked before this one (regionSize ≤ 1 − regionStart). */
  bound?: (checked: Record<string, unknown>) => NumberRule;
  /** CLI flag, e.g. '--memory'; a boolean that defaults to true is turned off with '--no-…'. */
  flag?: string;
  /** A list field's checker: returns the checked value (defaults filled in) or throws naming `path`. */
  check?: (path: string, value: unknown) => unknown;
  /** A list field's JSON Schema (its description is added from `doc`). */
  schema?: Readonly<Record<string, unknown>>;
}

/** A table of fields, in the order they are checked and echoed. */
export type FieldTable = Readonly<Record<string, FieldSpec>>;

/** The value type a field spec declares. */
export type FieldValue<F> = F extends { kind: 'boolean' }
  ? boolean
  : F extends { kind: 'path' }
    ? string
    : F extends { kind: 'rate-trace' }
    ? RateTraceOption
    : F extends { kind: 'list' }
      ? readonly unknown[]
      : F extends { kind: 'enum'; values: readonly (infer V)[]; text: object }
        ? V | (string & {})
        : F extends { kind: 'enum'; values: readonly (infer V)[]; rule: NumberRule }
    ? V | number
    : F extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : number;

/** What `accepted` says for a field in errors. */
export function describeField(f: FieldSpec, rule: NumberRule | undefined = f.rule): string {
  if (f.kind === 'boolean') return 'true or false';
  if (f.kind === 'path') return 'the path of a file (a non-empty string)';
  if (f.kind === 'list') return `a list (${f.doc}; in an experiment file or the library)`;
  if (f.kind === 'rate-trace') return RATE_TRACE_SYNTAX;
  if (f.kind === 'enum') {
    const names = (f.values ?? []).map((v) => `'${v}'`).join(', ');
    if (f.text !== undefined) return `${names} or ${f.text.syntax}`;
    return rule === undefined ? `one of ${f.values?.join(', ')}` : `${names} or ${describeRule(rule)}`;
  }
  return describeRule(rule ?? {});
}

/** Checks one field's value (undefined takes the default; null is a wrong value like any other). */
export function checkField(path: string, f: FieldSpec, value: unknown, checked: Record<string, unknown>): unknown {
  if (value === undefined) {
    const d = f.default;
    if (d === undefined || f.required === true) throw new InvalidOptionError(path, value, describeField(f));
    return typeof d === 'function' ? d(checked) : d;
  }
  const rule = f.bound ? { ...f.rule, ...f.bound(checked) } : f.rule;
  switch (f.kind) {
    case 'boolean':
      return checkBoolean(path, value);
    case 'path':
      if (typeof value !== 'string' || value === '') throw new InvalidOptionError(path, value, describeField(f));
      return value;
    case 'list':
      return f.check!(path, value);
    case 'rate-trace':
      checkRateTraceOption(path, value);
      return typeof value === 'string' ? value : JSON.parse(JSON.stringify(value));
    case 'enum':
      if ((f.values ?? []).includes(value as string)) return value;
      if (f.text !== undefined && typeof value === 'string') {
        f.text.check(path, value, checked);
        return value;
      }
      if (rule !== undefined && typeof value === 'number') return checkNumber(path, value, rule);
      throw new InvalidOptionError(path, value, describeField(f, rule));
    default:
      return checkNumber(path, value, rule ?? {});
  }
}

/**
 * Checks an object of fields against a table: unknown keys refused, each field checked in table order, defaults
 * filled in. Returns the fields in table order (so echoes are stable). `path` prefixes the field names in errors.
 */
export function checkFields(table: FieldTable, given: Record<string, unknown>, path: string, unknown: (names: string[]) => string): Record<string, unknown> {
  const names = Object.keys(table);
  for (const k of Object.keys(given)) {
    if (!Object.hasOwn(table, k)) throw new InvalidOptionError(`${path}.${k}`, given[k], `${unknown(names)}${didYouMean(k, names)}`);
  }
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = checkField(`${path}.${name}`, table[name]!, given[name], out);
  return out;
}
