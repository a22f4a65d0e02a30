import type { NumberRule } from '../model/check.js';
import { ALGORITHMS } from '../model/algorithms.js';
import { CONTROLLERS, CONTROLLER_TABLE } from '../model/controllers.js';
import type { FieldSpec, FieldTable } from '../model/fields.js';
import { OPTION_ROWS, OPTION_TABLE } from '../model/option-table.js';
import { WORKLOAD_KINDS, WORKLOAD_TABLE } from '../model/workloads.js';
import { MANAGEMENT_PATTERN } from '../model/managers.js';
import { unitPattern } from '../units.js';

type Schema = Record<string, unknown>;

/** The points of an inline rate trace (src/model/rate-trace.ts). */
const RATE_TRACE_POINTS_SCHEMA: Schema = {
  type: 'array', minItems: 1,
  items: { type: 'object', properties: { timeMs: { type: 'number', minimum: 0 }, bytesPerSec: { type: 'number', minimum: 0 } }, required: ['timeMs', 'bytesPerSec'], additionalProperties: false },
};

/** A JSON Schema number from a checkNumber rule. */
function numberSchema(rule: NumberRule, description?: string): Schema {
  const s: Schema = { type: rule.integer ? 'integer' : 'number' };
  if (description) s['description'] = description;
  if (rule.min !== undefined) s[rule.minExclusive ? 'exclusiveMinimum' : 'minimum'] = rule.min;
  if (rule.max !== undefined) s[rule.maxExclusive ? 'exclusiveMaximum' : 'maximum'] = rule.max;
  return s;
}

/** The schema of one declared field, its doc and default in the description. */
function fieldSchema(f: FieldSpec): Schema {
  const d = f.default;
  const dflt = typeof d === 'function' || d === undefined ? (f.defaultText ? ` (default: ${f.defaultText})` : '') : d === null ? ` (default: ${f.defaultText ?? 'off'})` : ` (default ${JSON.stringify(d)})`;
  const description = f.doc + dflt;
  if (f.kind === 'boolean') return { type: 'boolean', description };
  if (f.kind === 'path') return { type: 'string', minLength: 1, description };
  if (f.kind === 'list') return { ...f.schema, description };
  if (f.kind === 'rate-trace') return { description, oneOf: [{ type: 'string', minLength: 1 }, RATE_TRACE_POINTS_SCHEMA, { type: 'object', properties: { interpolation: { enum: ['step', 'linear'] }, points: RATE_TRACE_POINTS_SCHEMA }, required: ['points'], additionalProperties: false }] };
  if (f.kind === 'enum') {
    const names = { enum: [...(f.values ?? [])] };
    if (f.text !== undefined) return { description, oneOf: [names, { type: 'string', pattern: f.text.pattern, description: f.text.syntax }] };
    return f.rule === undefined ? { ...names, description } : { description, oneOf: [names, numberSchema(f.rule)] };
  }
  if (f.kind === 'bytes' || f.kind === 'rate' || f.kind === 'duration' || f.kind === 'page-rate') {
    // A number in the base unit, or the same unit string the CLI takes ("1Gbit/s", "300ms").
    return { description, oneOf: [numberSchema(f.rule ?? {}), { type: 'string', pattern: unitPattern(f.kind) }] };
  }
  return numberSchema(f.rule ?? {}, description);
}

function objectSchema(table: FieldTable, extra: Schema = {}): Schema {
  const required = Object.entries(table).filter(([, f]) => f.required === true || f.default === undefined).map(([k]) => k);
  return {
    type: 'object',
    properties: { ...extra, ...Object.fromEntries(Object.entries(table).map(([k, f]) => [k, fieldSchema(f)])) },
    ...(required.length > 0 || 'kind' in extra || 'name' in extra ? { required: [...Object.keys(extra), ...required] } : {}),
    additionalProperties: false,
  };
}

function workloadSchema(): Schema {
  return {
    description: `What a vCPU runs: one of ${WORKLOAD_KINDS.join(', ')}`,
    oneOf: WORKLOAD_KINDS.map((kind) => ({ description: WORKLOAD_TABLE[kind].doc, ...objectSchema(WORKLOAD_TABLE[kind].fields, { kind: { const: kind } }) })),
  };
}

function controllerSchema(): Schema {
  const builtIn = Object.entries(CONTROLLER_TABLE).map(([name, c]) => ({ description: c.doc, ...objectSchema(c.params, { name: { const: name } }) }));
  return { oneOf: [{ enum: [...CONTROLLERS] }, { type: 'object', properties: { name: { const: 'none' } }, required: ['name'], additionalProperties: false }, ...builtIn] };
}

/**
 * The JSON Schema of experiment files (draft 2020-12), built from the same rules the loader checks, so
 * editors complete and check the files. `livemig schema` prints it; schema/experiment.schema.json is a copy.
 */
export function experimentJsonSchema(): Schema {
  // Every option of the table but those a policy or the seeds set.
  const baseProps: Schema = {};
  for (const [name, row] of OPTION_ROWS) {
    if ('derived' in row || name === 'algorithm' || name === 'controller' || name === 'seed') continue;
    baseProps[name] = row.kind === 'workload'
      ? { description: row.doc, oneOf: [{ $ref: '#/$defs/workload' }, { type: 'array', items: { $ref: '#/$defs/workload' }, minItems: 1 }] }
      : fieldSchema(row as FieldSpec);
  }
  const workload = workloadSchema();
  const writerFields = Object.entries(Object.fromEntries(WORKLOAD_KINDS.flatMap((k) => Object.entries(WORKLOAD_TABLE[k].fields as FieldTable))));
  const policyPattern = `^(${ALGORITHMS.join('|')})(\\{[^{}]*\\})?(\\+(${CONTROLLERS.join('|')})(:[A-Za-z]+=[^,@]+(,[A-Za-z]+=[^,@]+)*)?)?(@${MANAGEMENT_PATTERN.slice(1, -1)})?$`;
  // What a policy may set: the scalar options but the workload (the policy's algorithm and controller are its own fields).
  const policyOptionProps = Object.fromEntries(Object.entries(baseProps).filter(([n]) => n !== 'workload'));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'livemig experiment',
    description: 'A sweep: the cartesian product of axes, each point with every seed and every policy',
    type: 'object',
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      base: { type: 'object', description: 'Options every run starts from', properties: baseProps, additionalProperties: false },
      axes: {
        type: 'object',
        description: 'Option path (dots for nested fields, e.g. workload.writesPerSec) -> values to sweep',
        properties: Object.fromEntries(Object.entries(baseProps).map(([name, schema]) => [name, { type: 'array', minItems: 1, items: schema }])),
        patternProperties: Object.fromEntries(writerFields.map(([name, f]) => [
          `^workload\\.${name}$`, { type: 'array', minItems: 1, items: fieldSchema(f) },
        ])),
        additionalProperties: false,
      },
      seeds: {
        oneOf: [
          { type: 'array', minItems: 1, items: numberSchema(OPTION_TABLE.seed.rule) },
          { type: 'object', properties: { start: numberSchema(OPTION_TABLE.seed.rule), count: { type: 'integer', minimum: 1 } }, required: ['start', 'count'], additionalProperties: false },
        ],
      },
      policies: {
        type: 'array',
        minItems: 1,
        items: {
          oneOf: [
            { type: 'string', pattern: policyPattern, description: 'ALGORITHM[{option=value,...}][+CONTROLLER[:key=value,...]][@MANAGER[:key=value,...]]' },
            {
              type: 'object',
              properties: {
                label: { type: 'string', minLength: 1 },
                algorithm: { enum: [...ALGORITHMS] },
                options: { type: 'object', description: 'Scenario options this policy sets over the base and the axes', properties: policyOptionProps, additionalProperties: false },
                controller: controllerSchema(),
              },
              required: ['algorithm'],
              additionalProperties: false,
            },
          ],
        },
      },
    },
    required: ['name'],
    additionalProperties: false,
    $defs: { workload },
  };
}
