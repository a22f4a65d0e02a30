import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ESTIMATE_DEFAULT_POLICIES, estimate, type EstimateOptions, type EstimateResult, type PolicyEstimate } from '../../api/estimate.js';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { formatTable, terminalWidth } from '../../report/table.js';
import { GiB, MiB, formatBytes, formatDuration, formatRateExact, parseBytes, parseDuration, parseNumber, parseRate } from '../../units.js';
import { addSomeScenarioFlags, toSomeMigrationOptions, withFlagName, type ScenarioFlags } from '../flags.js';
import { splitPolicies } from '../policy-list.js';
import type { Io } from '../io.js';

/** The scenario options estimate takes from the run flags (the guest and its workload come from the measurement). */
const SCENARIO_FLAGS = [
  'pageSize', 'bandwidthBytesPerSec', 'downtimeLimitMs', 'maxBandwidthBytesPerSec', 'setupTimeMs', 'deviceStateBytes', 'resumeTimeMs', 'maxTimeMs',
  'maxDataBytes', 'qemuVersion', 'availSwitchoverBandwidthBytesPerSec', 'management', 'seed',
];

interface EstimateFlags extends ScenarioFlags {
  memory?: string;
  zeroPages?: string;
  dirtyRate?: string;
  dirtyRateWindow?: string;
  dirtyRateFile?: string;
  workingSet?: string;
  vcpus?: string;
  policies?: string;
  method?: string;
  marginIterations?: string;
  json?: boolean;
  wide?: boolean;
}

const EXAMPLES = `
Examples:
  $ livemig estimate --memory 8GiB --dirty-rate 200MiB/s --working-set 1GiB --bandwidth 10Gbit/s
  $ livemig estimate --memory 16GiB --dirty-rate-file dirtyrate.json --working-set 2GiB --policies "qemu;qemu@nova;qemu@kubevirt"
  $ livemig estimate --memory 4GiB --dirty-rate 50MiB/s --method closed-form --policies qemu --json

The dirty rate is QEMU's measure: distinct pages dirtied in the window (calc-time), per second, as
calc-dirty-rate / query-dirty-rate report it (virsh domdirtyrate-calc; dirtyrate.json is the reply of
{"execute": "query-dirty-rate"}). Writes are taken as uniform over the working set.

How to read the table: "converges" says whether pre-copy finishes by itself before --max-time (a guest a
management layer had to pause does not count); "margin" is how much faster the guest may dirty (x1.8 = 80 %
faster) before the answer flips (">=" when it converges even with its whole working set dirty in each window),
or, when it does not converge, how much slower it must dirty (x0.6). "method" says how each line was computed:
emulated (on a VM reduced k times, or full size) or the closed form.`;

/** `livemig estimate`: the pre-flight answer per policy, from what an operator measured. */
export function registerEstimate(program: Command, io: Io): void {
  const command = program
    .command('estimate')
    .summary('pre-flight: will it converge, how long, how much downtime, per policy (from a measured dirty rate)')
    .description(
      'From what you can measure before migrating (RAM size, zero-page share, QEMU\'s dirty rate, the writable working set), ' +
        'answer per policy: converges or not, total time, downtime, data sent, guest CPU lost, and the margin (how much ' +
        'faster the guest may dirty before it stops converging, by bisection). Each answer is an emulation of a reduced VM ' +
        '(milliseconds), or the closed-form pre-copy model when asked or when an emulation would be too long; the output says which.',
    )
    .addHelpText('after', EXAMPLES)
    .optionsGroup('Measurement:')
    .option('--memory <size>', "the VM's RAM, e.g. 8GiB (required)")
    .option('--zero-pages <fraction>', 'share of RAM that is zero pages, 0 to 1 (default: 0.5)')
    .option('--dirty-rate <rate>', "QEMU's dirty rate (calc-dirty-rate), e.g. 200MiB/s")
    .option('--dirty-rate-window <duration>', 'the window it was measured over (calc-time) (default: 1s)')
    .option('--dirty-rate-file <file>', "query-dirty-rate's JSON reply instead of --dirty-rate (rate, window and per-vCPU rates read from it)")
    .option('--working-set <size>', 'the writable working set (default: all of RAM)')
    .option('--vcpus <n>', 'vCPUs writing (default: 1, or the per-vCPU count of the file)')
    .optionsGroup('Answer:')
    .option('--policies <list>', `policies separated by ; or , (default: ${ESTIMATE_DEFAULT_POLICIES.join(';')})`)
    .option('--method <name>', 'auto (emulate; closed form when too long), emulation, closed-form (default: auto)')
    .option('--margin-iterations <n>', 'bisection steps of the margin, 0 to 30; 0 = no margin (default: 8)')
    .option('--json', 'print the answer as JSON')
    .option('--wide', 'print every column');
  addSomeScenarioFlags(command, SCENARIO_FLAGS, 'Scenario:');
  command.action((flags: EstimateFlags) => {
    if (flags.memory === undefined) throw new InvalidOptionError('--memory', undefined, "the VM's RAM with a unit, e.g. --memory 8GiB");
    const options: EstimateOptions = { memoryBytes: parseBytes('--memory', flags.memory) };
    if (flags.zeroPages !== undefined) options.zeroPageFraction = parseNumber('--zero-pages', flags.zeroPages);
    if (flags.dirtyRate !== undefined) options.dirtyRateBytesPerSec = parseRate('--dirty-rate', flags.dirtyRate);
    if (flags.dirtyRateWindow !== undefined) options.dirtyRateWindowMs = parseDuration('--dirty-rate-window', flags.dirtyRateWindow);
    if (flags.dirtyRateFile !== undefined) {
      if (flags.dirtyRate !== undefined) throw new InvalidOptionError('--dirty-rate', flags.dirtyRate, 'nothing with --dirty-rate-file (the file carries the rate)');
      options.queryDirtyRate = readJson(flags.dirtyRateFile);
    }
    if (flags.workingSet !== undefined) options.workingSetBytes = parseBytes('--working-set', flags.workingSet);
    if (flags.vcpus !== undefined) options.vcpus = parseNumber('--vcpus', flags.vcpus);
    if (flags.policies !== undefined) options.policies = splitPolicies(flags.policies);
    if (flags.method !== undefined) options.method = flags.method as EstimateOptions['method'];
    if (flags.marginIterations !== undefined) options.marginIterations = parseNumber('--margin-iterations', flags.marginIterations);
    options.scenario = toSomeMigrationOptions(flags, SCENARIO_FLAGS) as EstimateOptions['scenario'];
    let result: EstimateResult;
    try {
      result = estimate(options);
    } catch (err) {
      throw renamed(withFlagName(err, flags), flags);
    }
    io.out(flags.json ? `${JSON.stringify({ format: 'livemig-estimate/1', ...result }, null, 2)}\n` : `${formatEstimate(result, terminalWidth(flags.wide))}\n`);
  });
}

/** The estimate options' field names as the flags that set them. */
function renamed(err: unknown, flags: EstimateFlags): unknown {
  if (!(err instanceof InvalidOptionError)) return err;
  const map: Record<string, [string, string | undefined]> = {
    // memoryBytes and vcpus share their run flags' names: withFlagName has renamed them already.
    zeroPageFraction: ['--zero-pages', flags.zeroPages], dirtyRateBytesPerSec: ['--dirty-rate', flags.dirtyRate],
    dirtyRateWindowMs: ['--dirty-rate-window', flags.dirtyRateWindow], workingSetBytes: ['--working-set', flags.workingSet],
    method: ['--method', flags.method], marginIterations: ['--margin-iterations', flags.marginIterations],
  };
  const hit = map[err.field];
  if (hit !== undefined) return new InvalidOptionError(hit[0], hit[1] ?? err.value, err.accepted);
  if (err.field.startsWith('queryDirtyRate')) return new InvalidOptionError(`${flags.dirtyRateFile}${err.field.slice('queryDirtyRate'.length)}`, err.value, err.accepted);
  if (err.field.startsWith('policies[')) return new InvalidOptionError(`--policies${err.field.replace(/^policies\[\d+\]/, '')}`, err.value, err.accepted);
  return err;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidOptionError('--dirty-rate-file', file, `a readable file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidOptionError(`--dirty-rate-file ${file}`, text.slice(0, 40), `JSON: the reply of query-dirty-rate (${(err as Error).message})`);
  }
}

function marginText(p: PolicyEstimate): string {
  const m = p.margin;
  if (m === null) return '-';
  // A guest measured at 0 B/s has no multiple: the rate itself is the margin.
  const f = m.factor === null ? `${(m.dirtyRateBytesPerSec / MiB).toFixed(1)} MiB/s` : `x${m.factor.toFixed(2)}`;
  switch (m.kind) {
    case 'converges-at-any-rate': return `>= ${f}`;
    case 'converges-up-to': return f;
    case 'converges-below': return f;
    case 'never-converges': return 'never';
  }
}

/** The answer as a table, one line per policy, with what each number means under it. */
export function formatEstimate(r: EstimateResult, width?: number): string {
  const i = r.input;
  const head =
    `${formatBytes(i.memoryBytes)} guest, ${(i.zeroPageFraction * 100).toFixed(0)} % zero pages, working set ${formatBytes(i.workingSetBytes)}, ` +
    `${i.vcpus} vCPU${i.vcpus === 1 ? '' : 's'}; dirty rate ${formatRateExact(i.dirtyRateBytesPerSec)} over ${formatDuration(i.dirtyRateWindowMs)}` +
    `${i.source === 'query-dirty-rate' ? ' (from query-dirty-rate)' : ''} = ${i.writesPerSec.toFixed(0)} page writes/s, uniform over the working set`;
  const rows = r.policies.map((p) => [
    p.policy, p.converges ? 'yes' : `no (${p.outcome})`, (p.totalTimeMs / 1000).toFixed(2), p.downtimeMs === null ? '-' : p.downtimeMs.toFixed(1),
    (p.transferredBytes / GiB).toFixed(2), p.guestCpuLostPct.toFixed(1), marginText(p),
    p.margin === null || p.margin.kind === 'never-converges' ? '-' : `${(p.margin.dirtyRateBytesPerSec / MiB).toFixed(1)}`,
    p.method === 'reduced-emulation' ? `emulated, ${p.scale}x reduced` : p.method === 'emulation' ? 'emulated' : 'closed form',
  ]);
  const table = formatTable([
    { title: 'policy', align: 'left' }, { title: 'converges', align: 'left' }, { title: 'total time', unit: 's' }, { title: 'downtime', unit: 'ms' },
    { title: 'sent', unit: 'GiB' }, { title: 'guest CPU lost', unit: '%', drop: 2 }, { title: 'margin', unit: 'x rate' }, { title: 'flips at', unit: 'MiB/s', drop: 1 },
    { title: 'method', align: 'left', drop: 3 },
  ], rows, { width });
  const notes = [...new Set(r.policies.map((p) => p.note))].map((n) => `  - ${n}`).join('\n');
  return `${head}\n\n${table}\n\nmethods:\n${notes}`;
}
