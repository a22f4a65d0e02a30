/**
 * An option's value typed as text (a CLI flag, a key in a policy's braces), read by its row's unit kind: "8GiB",
 * "1Gbit/s", "25000pages/s", "300ms", an enum word. One parser for every place a user types an option.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { FieldSpec } from '../model/fields.js';
import type { OptionSpec } from '../model/option-table.js';
import { didYouMean } from '../model/suggest.js';
import {
  formatBytesExact, formatDurationExact, formatRateExact, parseBytes, parseDuration, parseNumber, parseRate, parseWriteRate,
} from '../units.js';
import { parseControllerSpec } from './controller-spec.js';

/** `text` as the value of the option or field `f`; `field` names it in errors; a page rate needs the page size. */
export function parseOptionText(field: string, f: OptionSpec | FieldSpec, text: string, pageSizeBytes: number): unknown {
  switch (f.kind) {
    case 'bytes': return parseBytes(field, text);
    case 'rate': return parseRate(field, text);
    case 'page-rate': return parseWriteRate(field, text, pageSizeBytes);
    case 'duration': return parseDuration(field, text);
    case 'fraction':
    case 'count': return parseNumber(field, text);
    case 'boolean':
      if (text === 'true' || text === 'on') return true;
      if (text === 'false' || text === 'off') return false;
      throw new InvalidOptionError(field, text, 'true or false (on or off)');
    case 'enum':
      if (f.text !== undefined && !(f.values ?? []).includes(text)) {
        // Its own syntax, checked here so the error names where it was typed (rules that need other fields wait).
        f.text.check(field, text, {});
        return text;
      }
      return oneOf(field, text, f.values ?? []);
    case 'path':
    case 'rate-trace': return text;
    case 'controller': return parseControllerSpec(text, field);
    default: throw new InvalidOptionError(field, text, `a value set in an experiment file or the library (a ${f.kind} has no text form)`);
  }
}

export function oneOf<T extends string>(field: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) throw new InvalidOptionError(field, text, `one of ${allowed.join(', ')}${didYouMean(text, allowed)}`);
  return text as T;
}

/** A value as a user would type it, the inverse of parseOptionText: 2GiB, 1Gbit/s, 60000pages/s, 300ms. */
export function formatOptionValue(f: OptionSpec | FieldSpec, value: number | boolean | string): string {
  if (typeof value !== 'number') return String(value);
  switch (f.kind) {
    case 'bytes': return formatBytesExact(value);
    case 'rate': return formatRateExact(value);
    case 'duration': return formatDurationExact(value);
    case 'page-rate': return `${value}pages/s`;
    default: return String(value);
  }
}
