/**
 * Drain files (livemig drain FILE): a JSON object of drain() options, with the unit strings experiment files
 * take ("10Gbit/s", "16GiB", "300ms"; numbers are base units):
 *
 *   { "bandwidthBytesPerSec": "10Gbit/s", "concurrency": 2, "order": "largest-first", "hostMemoryBytes": "256GiB",
 *     "base": { "maxBandwidthBytesPerSec": "10Gbit/s" },
 *     "vms": [ { "name": "db", "count": 2, "memoryBytes": "16GiB", "workload": { "kind": "hot-cold", "writesPerSec": 40000 } },
 *              { "memoryBytes": "4GiB", "algorithm": "xen" } ] }
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { DrainOptions } from '../model/drain.js';
import { DRAIN_TABLE } from '../model/drain.js';
import type { FieldSpec } from '../model/fields.js';
import { parseBytes } from '../units.js';
import { unitValue, withUnitValues } from './unit-values.js';

function where(file: string, path: (string | number)[]): string {
  return `${file}: ${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')}`;
}

/** A drain file's text as drain() options (unit strings converted); errors name the file and the field. */
export function parseDrainFile(text: string, file: string): DrainOptions {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidOptionError(file, file, `a JSON drain file (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidOptionError(file, json, 'a JSON object of drain options (vms, concurrency, order, the link)');
  const o = json as Record<string, unknown>;
  const fail = (prefix: (string | number)[]) => (path: (string | number)[], value: unknown, accepted: string): never => {
    throw new InvalidOptionError(where(file, [...prefix, ...path]), value, accepted);
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'vms') out[k] = Array.isArray(v) ? v.map((vm, i) => (typeof vm === 'object' && vm !== null && !Array.isArray(vm) ? withUnitValues(vm as Record<string, unknown>, fail(['vms', i])) : vm)) : v;
    else if (k === 'base') out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) ? withUnitValues(v as Record<string, unknown>, fail(['base'])) : v;
    else if (k in DRAIN_TABLE && (DRAIN_TABLE as Record<string, FieldSpec>)[k]!.kind === 'bytes' && typeof v === 'string') out[k] = parseBytes(where(file, [k]), v);
    else out[k] = unitValue(k, v, where(file, [k]), 4096);
  }
  return out as DrainOptions;
}
