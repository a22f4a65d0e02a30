import { InvalidOptionError } from '../errors/invalid-option-error.js';

export interface NumberRule {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
  /** How to print the bound in the error when it is derived from another field. */
  maxLabel?: string;
  unit?: string;
}

/** Returns `value` if it is a finite number within the rule, else throws InvalidOptionError naming `field`. */
export function checkNumber(field: string, value: unknown, rule: NumberRule): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || (rule.maxExclusive ? value < rule.max : value <= rule.max));
  if (!ok) throw new InvalidOptionError(field, value, describeRule(rule));
  return value as number;
}

export function describeRule(rule: NumberRule): string {
  const unit = rule.unit ? ` ${rule.unit}` : '';
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const lo = rule.min === undefined ? '' : `${rule.minExclusive ? '>' : '>='} ${rule.min}${unit}`;
  const maxText = rule.maxLabel ?? `${rule.max}${unit}`;
  const hi = rule.max === undefined ? '' : `${rule.maxExclusive ? '<' : '<='} ${maxText}`;
  return [kind, [lo, hi].filter(Boolean).join(' and ')].filter(Boolean).join(' ');
}

export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(field, value, 'true or false');
  return value;
}

export function checkOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new InvalidOptionError(field, value, `one of ${allowed.join(', ')}`);
  return value as T;
}
