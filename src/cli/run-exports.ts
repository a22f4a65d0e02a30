/**
 * `--export-markdown`, `--export-csv` and `--export-json` on `run` and `compare`, like hyperfine's: the runs go out
 * through the same exporters as a sweep's (src/report/exporters.ts), as run records of a one-point "experiment".
 */
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import type { ComparisonRow } from '../model/comparison.js';
import type { RunRecord } from '../model/run-record.js';
import { toRunRecord } from '../batch/record.js';
import { checkTarget } from '../report/exporter.js';
import { EXPORTERS } from '../report/exporters.js';
import { writeOut } from './commands/export.js';
import type { Io } from './io.js';

const IDS = ['markdown', 'csv', 'json'] as const;
type Id = (typeof IDS)[number];
const FLAG_KEY: Record<Id, string> = { markdown: 'exportMarkdown', csv: 'exportCsv', json: 'exportJson' };

export type ExportFlags = Partial<Record<string, unknown>>;

/** Declares the export flags (in an "Export:" help group). */
export function addExportFlags(command: Command): Command {
  command.optionsGroup('Export:');
  for (const id of IDS) command.option(`--export-${id} <file>`, `write ${EXPORTERS[id].writes} to FILE ("-" for stdout) (default: not written)`);
  return command;
}

/** The export targets given, each checked before anything runs (a bad path fails at once). */
export function exportTargets(flags: ExportFlags): [Id, string][] {
  const out: [Id, string][] = [];
  for (const id of IDS) {
    const target = flags[FLAG_KEY[id]];
    if (typeof target !== 'string') continue;
    checkTarget(EXPORTERS[id], target);
    out.push([id, target]);
  }
  return out;
}

/** The rows of a comparison (or the one run of `run`) as run records, `name` their "experiment". */
export function comparisonRecords(name: string, rows: readonly Pick<ComparisonRow, 'policy' | 'report'>[]): RunRecord[] {
  const fingerprint = createHash('sha256').update(JSON.stringify(rows.map((r) => [r.policy, r.report.scenario]))).digest('hex');
  return rows.map((r, index) =>
    toRunRecord({ name, fingerprint }, { index, id: `p${index}`, params: {}, seed: r.report.scenario.seed, policy: r.policy, options: {} }, r.report),
  );
}

/** Writes every export given; says on stderr what was written where. */
export async function writeExports(targets: readonly [Id, string][], records: readonly RunRecord[], io: Io): Promise<void> {
  for (const [id, target] of targets) {
    const files = await writeOut(target, () => EXPORTERS[id].write(records, target, { stdout: io.out } as never));
    if (files.length > 0) io.err(`wrote ${records.length} run${records.length === 1 ? '' : 's'} as ${id} to ${target}\n`);
  }
}
