import type { NumberRule } from '../engine/check.js';
import { NUMERIC_OPTIONS } from '../engine/option-rules.js';
import { ALGORITHMS } from '../engine/options.js';
import { CONTROLLERS } from '../policies/controllers/registry.js';
import { WORKLOAD_FIELD_RULES, WORKLOAD_KINDS } from '../workloads/spec.js';

type Schema = Record<string, unknown>;

/** A JSON Schema number from a checkNumber rule. */
function numberSchema(rule: NumberRule, description?: string): Schema {
  const s: Schema = { type: rule.integer ? 'integer' : 'number' };
  if (description) s['description'] = description;
  if (rule.min !== undefined) s[rule.minExclusive ? 'exclusiveMinimum' : 'minimum'] = rule.min;
  if (rule.max !== undefined) s[rule.maxExclusive ? 'exclusiveMaximum' : 'maximum'] = rule.max;
  return s;
}

function workloadSchema(): Schema {
  const R = WORKLOAD_FIELD_RULES;
  const region = { regionStart: numberSchema(R.regionStart, 'Start of the region, fraction of memory'), regionSize: numberSchema(R.regionSize, 'Size of the region, fraction of memory') };
  const writer = (kind: string, extra: Schema = {}): Schema => ({
    type: 'object',
    properties: { kind: { const: kind }, writesPerSec: numberSchema(R.writesPerSec, 'Page writes per second at full CPU speed'), ...region, ...extra },
    required: ['kind', 'writesPerSec'],
    additionalProperties: false,
  });
  return {
    description: `What a vCPU runs: one of ${WORKLOAD_KINDS.join(', ')}`,
    oneOf: [
      { type: 'object', properties: { kind: { const: 'idle' } }, required: ['kind'], additionalProperties: false },
      { type: 'object', properties: { kind: { const: 'compute' } }, required: ['kind'], additionalProperties: false },
      writer('uniform'),
      writer('sequential'),
      writer('hot-cold', {
        hotFraction: numberSchema(R.hotFraction, 'Hot pages, fraction of the region'),
        hotProbability: numberSchema(R.hotProbability, 'Probability that a write hits the hot set'),
      }),
      writer('zipf', {
        exponent: numberSchema(R.exponent, 'Zipf exponent s: rank r written with probability proportional to r^-s (default 0.99)'),
        scatter: { type: 'boolean', description: 'Scatter the ranks over the region (default true)' },
      }),
      writer('drifting-hot-set', {
        hotFraction: numberSchema(R.hotFraction, 'Hot pages, fraction of the region'),
        hotProbability: numberSchema(R.hotProbability, 'Probability that a write hits the hot set'),
        driftPerSec: numberSchema(R.driftPerSec, 'Fraction of the region the hot set moves per second (default 0.01)'),
      }),
      {
        type: 'object',
        properties: {
          kind: { const: 'phases' },
          phases: {
            type: 'array', minItems: 1,
            items: {
              type: 'object', required: ['durationMs', 'workload'], additionalProperties: false,
              properties: { durationMs: numberSchema(R.durationMs, 'Run time of the phase, ms'), workload: { $ref: '#/$defs/workload' } },
            },
          },
          loop: { type: 'boolean', description: 'Start again after the last phase (default false)' },
        },
        required: ['kind', 'phases'],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: {
          kind: { const: 'trace' },
          file: { type: 'string', minLength: 1, description: 'Path of a livemig trace (docs/trace-format.md)' },
          ...region,
          placement: { enum: ['offset', 'scatter'], description: 'Trace pages in order from the region start, or scattered (default offset)' },
          loop: { type: 'boolean', description: 'Replay again after the end (default true)' },
          speed: numberSchema(R.speed, 'Playback speed (default 1)'),
        },
        required: ['kind', 'file'],
        additionalProperties: false,
      },
    ],
  };
}

/**
 * The JSON Schema of experiment files (draft 2020-12), built from the same rules the loader checks, so
 * editors complete and check the files. `livemig schema` prints it; schema/experiment.schema.json is a copy.
 */
export function experimentJsonSchema(): Schema {
  const baseProps: Schema = {};
  for (const [name, spec] of Object.entries(NUMERIC_OPTIONS)) {
    if (name === 'seed') continue;
    baseProps[name] = numberSchema(spec.rule, spec.description + (spec.default === null ? '' : ` (default ${spec.default})`));
  }
  const workload = workloadSchema();
  baseProps['workload'] = { oneOf: [{ $ref: '#/$defs/workload' }, { type: 'array', items: { $ref: '#/$defs/workload' }, minItems: 1 }] };
  baseProps['xenSkipRule'] = { type: 'boolean', description: "Xen: skip pages re-dirtied during the round (default true)" };
  const policyPattern = `^(${ALGORITHMS.join('|')})(\\+(${CONTROLLERS.join('|')})(:[A-Za-z]+=[^,]+(,[A-Za-z]+=[^,]+)*)?)?$`;
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
        patternProperties: Object.fromEntries(Object.entries(WORKLOAD_FIELD_RULES).map(([name, rule]) => [
          `^workload\\.${name}$`, { type: 'array', minItems: 1, items: numberSchema(rule) },
        ])),
        additionalProperties: false,
      },
      seeds: {
        oneOf: [
          { type: 'array', minItems: 1, items: numberSchema(NUMERIC_OPTIONS.seed.rule) },
          { type: 'object', properties: { start: numberSchema(NUMERIC_OPTIONS.seed.rule), count: { type: 'integer', minimum: 1 } }, required: ['start', 'count'], additionalProperties: false },
        ],
      },
      policies: {
        type: 'array',
        minItems: 1,
        items: {
          oneOf: [
            { type: 'string', pattern: policyPattern, description: 'ALGORITHM[+CONTROLLER[:key=value,...]]' },
            {
              type: 'object',
              properties: {
                label: { type: 'string', minLength: 1 },
                algorithm: { enum: [...ALGORITHMS] },
                controller: {
                  oneOf: [
                    { enum: [...CONTROLLERS] },
                    { type: 'object', properties: { name: { enum: [...CONTROLLERS] } }, required: ['name'] },
                  ],
                },
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
