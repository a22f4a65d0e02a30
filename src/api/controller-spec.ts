/** The text form of a controller: "name" or "name:key=value,...", each value read by its parameter's kind. */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { CONTROLLERS, CONTROLLER_TABLE, type BuiltInControllerName, type ControllerName } from '../model/controllers.js';
import type { FieldSpec, FieldTable } from '../model/fields.js';
import type { ControllerOption } from '../model/options.js';
import { didYouMean } from '../model/suggest.js';
import { parseDuration } from '../units.js';

export const ACCEPTED_CONTROLLER = `one of ${CONTROLLERS.join(', ')}, optionally followed by :key=value,...`;

/**
 * "name" or "name:key=value,key=value" -> a controller option. Each value is read by its parameter's kind in the
 * controller table: true/false, an enum word, a duration with a unit (2ms) or a plain number.
 */
export function parseControllerSpec(text: string, field = 'controller', accepted = ACCEPTED_CONTROLLER): ControllerOption {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!CONTROLLERS.includes(name as ControllerName)) throw new InvalidOptionError(field, text, `${accepted}${didYouMean(name, CONTROLLERS)}`);
  if (colon < 0) return name as ControllerName;
  const table: FieldTable = name === 'none' ? {} : CONTROLLER_TABLE[name as BuiltInControllerName].params;
  const spec: Record<string, unknown> = { name };
  for (const pair of text.slice(colon + 1).split(',')) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(pair.trim());
    if (!m) throw new InvalidOptionError(field, text, 'controller parameters as key=value separated by commas');
    const key = m[1]!;
    // A misspelt key is the key's fault, not the value's: name the key and the ones that exist.
    if (!Object.hasOwn(table, key)) {
      const keys = Object.keys(table);
      throw new InvalidOptionError(`${field} parameter`, key, `a parameter of ${name}${didYouMean(key, keys)}: ${keys.length > 0 ? keys.join(', ') : 'it takes none'}`);
    }
    spec[key] = paramValue(`${field} (${key})`, table[key], m[2]!);
  }
  return spec as ControllerOption;
}

/** A parameter's text as its kind reads it; an unknown key keeps its text, for the controller's own check to name. */
function paramValue(field: string, f: FieldSpec | undefined, raw: string): unknown {
  // The parameter's name carries its unit (periodMs), so a bare number is read in it.
  if (f?.kind === 'duration') return parseDuration(field, raw, { bare: true });
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return Number.isFinite(Number(raw)) ? Number(raw) : raw;
}
