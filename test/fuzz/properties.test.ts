/**
 * Property tests over livemig's inputs (bench/fuzz-cases.ts), a few thousand cases in about a minute: an invalid
 * input gets a typed error naming the field; a valid one finishes under the work bound with a report that passes
 * the invariant checker; the same seed gives the same bytes. `npm run fuzz` runs the same cases by the 100,000.
 * FUZZ_SEED replays a failure's seed (fast-check prints it).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brokenOptions, caseAt, cliCase, controllerCase, countedRun, experimentCase, judge, validOptions, workViolation } from '../../bench/fuzz-cases.js';
import { checkReport, migrate } from '../../src/api/migrate.js';
import { scenarioOptions } from '../../src/api/scenario-options.js';
import type { MigrationOptions } from '../../src/model/options.js';
import type { MigrationReport } from '../../src/model/report.js';

const seed = process.env['FUZZ_SEED'] === undefined ? 20261201 : Number(process.env['FUZZ_SEED']);
const params = (numRuns: number) => ({ seed, numRuns });
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'livemig.js');

describe('fuzz: migrate() options', () => {
  it('valid options: a report that passes the invariant checker, under the work bound', () => {
    fc.assert(fc.property(validOptions, (options) => {
      const run = countedRun(options as MigrationOptions);
      expect(checkReport(run.report)).toStrictEqual([]);
      expect(workViolation(run)).toBeNull();
    }), params(600));
  });

  it('the same options and seed give the same bytes, and a report reproduces itself', () => {
    fc.assert(fc.property(validOptions, (options) => {
      const a = JSON.stringify(migrate(options as MigrationOptions));
      expect(JSON.stringify(migrate(options as MigrationOptions))).toBe(a);
      const again = migrate(scenarioOptions((JSON.parse(a) as MigrationReport).scenario));
      expect(JSON.stringify(again)).toBe(a);
    }), params(150));
  });

  it('one broken field: a typed error naming it', async () => {
    await fc.assert(fc.asyncProperty(brokenOptions, async ({ options, broken }) => {
      const o = await judge({ kind: 'migrate', options, broken });
      expect(o, JSON.stringify(options)).toStrictEqual({ verdict: 'user-error' });
    }), params(1500));
  });
});

describe('fuzz: custom controllers', () => {
  it('an invalid actuator call is an InvalidOptionError naming the controller and the call; valid ones give a sound report', async () => {
    await fc.assert(fc.asyncProperty(controllerCase, async ({ options, plan }) => {
      const o = await judge({ kind: 'controller', options, plan });
      expect(['ok', 'user-error'], `${JSON.stringify(plan)}: ${o.detail ?? ''}`).toContain(o.verdict);
    }), params(300));
  });
});

describe('fuzz: cases npm run fuzz found, replayed', () => {
  // seed 20261201: subnormal duty-cycle periods gave NaN CPU times (3617, 11644), rounding a negative one (48949)
  it.each([3617, 11644, 48949])('case %i', async (i) => {
    const o = await judge(caseAt(20261201, i));
    expect(['ok', 'user-error'], o.detail).toContain(o.verdict);
  });
});

describe('fuzz: livemig run flags (in process)', () => {
  it('valid flags run with exit 0 and finite output; a garbled or unknown flag is exit 2 naming it', async () => {
    await fc.assert(fc.asyncProperty(cliCase, async ({ argv, broken }) => {
      const o = await judge({ kind: 'cli', argv, broken });
      expect(['ok', 'user-error'], `${argv.join(' ')}: ${o.detail ?? ''}`).toContain(o.verdict);
      expect(o.verdict).toBe(broken === null ? 'ok' : 'user-error');
    }), params(250));
  });

  it('the real bin, sparingly: same verdicts as in process', () => {
    const cases = fc.sample(cliCase, { seed, numRuns: 4 });
    for (const { argv, broken } of cases) {
      const r = spawnSync(process.execPath, [BIN, ...argv.slice(2)], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${argv.join(' ')}\n${r.stderr}`).toBe(broken === null ? 0 : 2);
      expect(r.stderr).not.toMatch(/internal error/);
      if (broken === null) expect(r.stdout).not.toMatch(/\b(NaN|Infinity)\b/);
    }
  });
});

describe('fuzz: experiment files', () => {
  it('a broken part is refused naming its JSON path; a valid file expands', async () => {
    await fc.assert(fc.asyncProperty(experimentCase, async ({ json, broken }) => {
      const o = await judge({ kind: 'experiment', json, broken });
      expect(o, JSON.stringify(json)).toStrictEqual({ verdict: broken === null ? 'ok' : 'user-error' });
    }), params(1000));
  });
});
