/**
 * `livemig drain`: evacuate a host, several VMs over one shared link, a few at a time (src/api/drain.ts).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { drain } from '../../api/drain.js';
import { CapacityError, InvalidOptionError } from '../../errors/index.js';
import { parseDrainFile } from '../../experiments/drain-file.js';
import { DRAIN_LINK_ROWS, DRAIN_ORDERS, DRAIN_TABLE, type DrainOptions, type DrainOrder, type DrainReport } from '../../model/drain.js';
import { formatDrain, formatDrainComparison } from '../../report/drain-table.js';
import { terminalWidth } from '../../report/table.js';
import { DRAIN_PRESETS, getDrainPreset } from '../../scenarios/drain-presets.js';
import { parseBytes } from '../../units.js';
import { toMigrationOptions, withFlagName, type ScenarioFlags } from '../flags.js';
import type { Io } from '../io.js';

interface DrainFlags extends ScenarioFlags {
  preset?: string;
  concurrency?: string;
  order?: string;
  hostMemory?: string;
  json?: boolean;
  wide?: boolean;
}

const EXAMPLE = `{
  "bandwidthBytesPerSec": "10Gbit/s",
  "hostMemoryBytes": "128GiB",
  "concurrency": 2,
  "order": "largest-first",
  "base": { "maxBandwidthBytesPerSec": "10Gbit/s", "maxTimeMs": "600s" },
  "vms": [
    { "name": "db", "count": 2, "memoryBytes": "16GiB",
      "workload": { "kind": "hot-cold", "writesPerSec": 40000, "hotFraction": 0.1 }, "controller": "auto-converge" },
    { "name": "web", "memoryBytes": "8GiB", "workload": { "kind": "uniform", "writesPerSec": 8000 }, "seed": 7,
      "policy": "qemu{downtime-limit=500ms}+dirty-limit" },
    { "name": "legacy", "memoryBytes": "4GiB", "algorithm": "xen" }
  ]
}`;

function parseConcurrencies(text: string): number[] {
  const values = text.split(',').map((t) => Number(t.trim()));
  const rule = DRAIN_TABLE.concurrency.rule;
  for (const v of values) {
    if (!Number.isInteger(v) || v < rule.min || v > rule.max) throw new InvalidOptionError('--concurrency', text, `whole numbers from ${rule.min} to ${rule.max}, comma-separated (0 is refused: nova reads it as "unlimited"; give the VM count)`);
  }
  return values;
}

/** A drain error under the flag or file field that set it. */
function named(err: unknown, flags: DrainFlags, file: string | undefined): unknown {
  if (!(err instanceof InvalidOptionError) && !(err instanceof CapacityError)) return err;
  const flagged = withFlagName(err, flags);
  if (flagged !== err) return flagged;
  if (err instanceof InvalidOptionError) {
    if (err.field === 'order' && flags.order !== undefined) return new InvalidOptionError('--order', flags.order, err.accepted);
    if (err.field === 'hostMemoryBytes' && flags.hostMemory !== undefined) return new InvalidOptionError('--host-memory', flags.hostMemory, err.accepted);
    if (file !== undefined && !err.field.startsWith(file)) return new InvalidOptionError(`${file}: ${err.field}`, err.value, err.accepted);
  }
  return err;
}

export function registerDrain(program: Command, io: Io): void {
  const command = program
    .command('drain')
    .summary('evacuate a host: several VMs migrating over one shared link, a few at a time')
    .argument('[file]', 'a drain file (JSON; - for stdin): the VMs and the drain\'s settings, see below')
    .description(
      'Emulate draining a host: every VM migrates over the one link, at most --concurrency at a time (nova\'s ' +
        'max_concurrent_live_migrations, KubeVirt\'s parallelOutboundMigrationsPerNode), in --order. The running ' +
        'migrations share the link max-min fairly, like TCP flows (SimGrid\'s model): equal shares, and a migration ' +
        'held below its share by its own max-bandwidth (KubeVirt\'s bandwidthPerMigration) leaves the rest to the others. ' +
        'Prints the drain (makespan, bytes, guest CPU lost, downtimes) and one row per VM in start order; with ' +
        'several --concurrency values, one row per drain. Give a file or --preset.',
    )
    .option('--preset <name>', `a built-in drain (${Object.keys(DRAIN_PRESETS).join(', ')}); with no --concurrency it compares its concurrencies`)
    .option('--concurrency <n[,n...]>', 'migrations at once (default: the file\'s, else 1 as nova\'s default); several values compare drains')
    .option('--order <order>', `start order: ${DRAIN_ORDERS.join(', ')} (default: the file's, else given)`)
    .option('--host-memory <size>', "the host's RAM for guests: the VMs must fit (default: the file's, else not checked)");
  command.optionsGroup('Link (shared by the drain):');
  for (const [, row] of DRAIN_LINK_ROWS) {
    const placeholder = row.kind === 'rate' ? '<rate>' : row.kind === 'duration' ? '<duration>' : '<file>';
    command.option(`${row.flag!} ${placeholder}`, `${row.doc} (default: the file's, else ${row.defaultText ?? String(row.default)})`);
  }
  command
    .optionsGroup('Output:')
    .option('--json', 'print the drain report as JSON (a list of them with several --concurrency values)')
    .option('--wide', 'print every column (default: columns are left out to fit the terminal)')
    .addHelpText('after', `\nA drain file: drain() options as JSON, with unit strings. "vms" lists the VMs (each any migrate() option but the\nlink's; "count" makes copies with seeds seed, seed+1, ...; "name" labels them; "policy" takes a policy's text\nform); "base" holds options every VM starts from; the link and drain fields sit at the top. Example:\n\n${EXAMPLE}\n\nExamples:\n  livemig drain --preset host-8                       # 1 vs 2 vs 4 at a time\n  livemig drain my-host.json --concurrency 1,2,3,4 --order least-dirty-first\n  livemig drain my-host.json --link-trace link.csv --background 2Gbit/s --json > drain.json\n\nHow to read it: makespan is the time to empty the host; "link used" is bytes sent over what the link could\ncarry in that time; "runs" counts how often the engine emulated a migration (again each time its share changed\nbefore it ended). Each VM's full report is in --json (reports[i]).`)
    .action((file: string | undefined, flags: DrainFlags) => {
      let base: DrainOptions;
      let concurrencies: number[] | undefined;
      if (flags.preset !== undefined) {
        const p = getDrainPreset(flags.preset, '--preset');
        base = p.drain;
        concurrencies = p.concurrencies;
        if (file !== undefined) throw new InvalidOptionError('file', file, 'no file with --preset (one or the other)');
      } else if (file !== undefined) {
        const text = file === '-' ? readFileSync(0, 'utf8') : readText(file);
        base = parseDrainFile(text, file === '-' ? 'stdin' : file);
      } else {
        throw new InvalidOptionError('file', undefined, 'a drain file or --preset NAME (livemig drain --help shows the format)');
      }
      if (flags.concurrency !== undefined) concurrencies = parseConcurrencies(flags.concurrency);
      const options: DrainOptions = { ...base };
      if (flags.order !== undefined) options.order = flags.order as DrainOrder;
      if (flags.hostMemory !== undefined) options.hostMemoryBytes = parseBytes('--host-memory', flags.hostMemory);
      const link = toMigrationOptions(flags) as Record<string, unknown>;
      for (const [k] of DRAIN_LINK_ROWS) if (link[k] !== undefined) (options as Record<string, unknown>)[k] = link[k];
      const reports: DrainReport[] = [];
      const label = flags.preset === undefined ? file : undefined;
      try {
        for (const k of concurrencies ?? [options.concurrency ?? 1]) reports.push(drain({ ...options, concurrency: k }));
      } catch (err) {
        throw named(err, flags, label === '-' ? 'stdin' : label);
      }
      const width = terminalWidth(flags.wide);
      if (flags.json) io.out(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
      else if (reports.length === 1) io.out(`${formatDrain(reports[0]!, { width })}\n`);
      else io.out(`${formatDrainComparison(reports, { width })}\n\n${reports.map((r) => formatDrain(r, { width })).join('\n\n')}\n`);
    });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidOptionError('file', file, `a readable drain file (${(err as Error).message})`);
  }
}
