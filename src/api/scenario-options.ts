import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { CONTROLLERS, type ControllerName } from '../model/controllers.js';
import { OPTION_ROWS, type ResolvedScenario } from '../model/option-table.js';
import type { MigrationOptions } from '../model/options.js';

/**
 * The migrate() options that reproduce a report: `migrate(scenarioOptions(report.scenario))` gives the same
 * report, bit for bit. The inverse of the option table's echo: each option read back from its echoed name,
 * derived fields and options off (null) left out. A run with your own Controller object cannot be rebuilt from
 * its description; pass the controller again with `{ ...scenarioOptions(s), controller }`.
 */
export function scenarioOptions(s: ResolvedScenario): MigrationOptions {
  const echo = s as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, row] of OPTION_ROWS) {
    if ('derived' in row) continue;
    const value = echo[row.echoAs ?? name];
    if (row.kind === 'controller') {
      if (value === null) continue;
      const c = value as Record<string, unknown>;
      if (!CONTROLLERS.includes(c['name'] as ControllerName)) {
        throw new InvalidOptionError('scenario.controller', c, 'a built-in controller (pass your own Controller object again)');
      }
    }
    if (value === null) continue;
    out[name] = value;
  }
  return out as MigrationOptions;
}
