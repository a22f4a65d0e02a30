import type { Command } from 'commander';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { QEMU_VERSIONS } from '../../model/qemu-versions.js';
import { LOOPBACK_BYTES_PER_SEC, formatValidation, loadCase, loadLogCase, summarize, validateCase, type ValidationCase } from '../../validate/index.js';
import type { Io } from '../io.js';

interface ValidateFlags {
  qmpLog?: string;
  scenario?: string;
  measuredThrottle?: boolean;
  qemuVersion?: string;
  json?: boolean;
}

const MAPPING = `
How a case folder (case.json + query-migrate.ndjson) becomes livemig options:
  memoryBytes, pageSize          guest.ramBytes, guest.pageSize; algorithm qemu
  qemuVersion                    qemu.qemu.major.minor (e.g. 7.2), or --qemu-version
  populatedFraction              1 - guest.zeroPagesAtStart / pages (zero pages spread through memory)
  workload                       one vCPU, uniform (uniform-random) or sequential, over guest.workingSetBytes
                                 at the start of memory, at observed.guestWritesPerSecBeforeMigration pages/s
  throttledWriteFraction         ideal (1 - p); with --measured-throttle, observed.guestWritesPerSecByThrottlePct
                                 divided by the rate before migration, as a table
  maxBandwidthBytesPerSec        migration.maxBandwidthBytesPerSec
  downtimeLimitMs                migration.downtimeLimitMs
  maxTimeMs                      migration.cancelAfterMs
  controller                     auto-converge (cpuThrottleInitial, cpuThrottleIncrement, maxCpuThrottle,
                                 throttleTriggerThreshold, cpuThrottleTailslow) if migration.autoConverge
  bandwidthBytesPerSec           ${LOOPBACK_BYTES_PER_SEC / 1e9} GB/s (the testbed's loopback link)
  resumeTimeMs                   0 (QEMU's total-time ends when the source completes)
Compared: outcome, total time, RAM bytes (livemig's device state left out, as ram.transferred leaves it out),
dirty-sync-count, sync times (MIGRATION_PASS times in case.json), auto-converge steps (livemig's shown at the
first query-migrate reply at or after them, as the log shows QEMU's) and final throttle, and the ram.remaining
curve (RMS of livemig minus QEMU over every active reply).

A QMP log of your own: --qmp-log FILE (one query-migrate reply a line, "t" = seconds since migrate) with
--scenario FILE (a JSON object of livemig options: workload, maxBandwidthBytesPerSec, downtimeLimitMs,
controller, ...; memoryBytes and pageSize default to ram.total and ram.page-size of the log).

Examples:
  $ livemig validate ../shared/validation/qemu-7.2/*/
  $ livemig validate ../shared/validation/qemu-7.2/*/ --measured-throttle --json > validate.json
  $ livemig validate --qmp-log my-migration.ndjson --scenario my-guest.json
`;

/** `livemig validate`: runs livemig on real QEMU migrations and compares. */
export function registerValidate(program: Command, io: Io): void {
  program
    .command('validate')
    .summary('compare livemig with real QEMU migrations (case folders or your own QMP log)')
    .description('Run livemig on each validation case (a folder with case.json and query-migrate.ndjson) and compare with what QEMU reported, per case and as medians.')
    .argument('[CASE_DIR...]', 'validation case folders')
    .option('--qmp-log <file>', 'a log of query-migrate replies of your own migration (needs --scenario)')
    .option('--scenario <file>', 'livemig options for --qmp-log (JSON)')
    .option('--measured-throttle', "feed in the guest's write rates measured at each throttle level (case.json observed.guestWritesPerSecByThrottlePct)")
    .option('--qemu-version <x.y>', "run under this release's rules instead of the case's own")
    .option('--json', 'print the results as JSON')
    .addHelpText('after', MAPPING)
    .action((dirs: string[], flags: ValidateFlags) => {
      if ((flags.qmpLog === undefined) !== (flags.scenario === undefined)) {
        // Name the one that is missing.
        throw new InvalidOptionError(flags.scenario === undefined ? '--scenario' : '--qmp-log', '', `both --qmp-log FILE and --scenario FILE, or neither (given: ${flags.qmpLog !== undefined ? `--qmp-log ${flags.qmpLog}` : `--scenario ${flags.scenario}`})`);
      }
      if (dirs.length === 0 && flags.qmpLog === undefined) throw new InvalidOptionError('CASE_DIR', '', 'one or more case folders, or --qmp-log FILE --scenario FILE');
      if (flags.qemuVersion !== undefined && !(QEMU_VERSIONS as readonly string[]).includes(flags.qemuVersion)) {
        throw new InvalidOptionError('--qemu-version', flags.qemuVersion, `one of ${QEMU_VERSIONS.join(', ')}`);
      }
      const mapping = { measuredThrottleRates: flags.measuredThrottle === true, ...(flags.qemuVersion !== undefined ? { qemuVersion: flags.qemuVersion } : {}) };
      const cases: ValidationCase[] = dirs.map((d) => loadCase(d.replace(/\/+$/, ''), mapping));
      if (flags.qmpLog !== undefined) cases.push(loadLogCase(flags.qmpLog, flags.scenario!));
      const results = cases.map(validateCase);
      const summary = summarize(results);
      if (flags.json) {
        io.out(`${JSON.stringify({ format: 'livemig-validate/1', cases: results.map(({ report, ...r }) => ({ ...r, scenario: report.scenario })), summary }, null, 2)}\n`);
      } else {
        io.out(`${formatValidation(results, summary)}\n`);
      }
    });
}
