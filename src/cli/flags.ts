/**
 * The scenario flags shared by commands that run migrations: their help (defaults taken from
 * src/engine/defaults.ts) and their mapping to MigrationOptions. Values stay text until mapped here,
 * so every parse error names the flag.
 */
import type { Command } from 'commander';
import * as D from '../engine/defaults.js';
import { migrate } from '../engine/migrate.js';
import { ALGORITHMS, type MigrationOptions } from '../engine/options.js';
import { CapacityError, InvalidOptionError } from '../errors/index.js';
import type { MigrationReport } from '../report/types.js';
import { type WorkloadKind, type WorkloadSpec } from '../workloads/spec.js';

/** The kinds --workload offers; zipf, drifting-hot-set, phases and trace take fields without flags yet (experiment files, the library). */
const WORKLOAD_KINDS = ['idle', 'compute', 'uniform', 'hot-cold', 'sequential'] as const;
import { CONTROLLERS } from '../policies/controllers/registry.js';
import { parseControllerSpec } from '../engine/policy.js';
import {
  formatBytesExact, formatDurationExact, formatRateExact, parseBytes, parseDuration, parseNumber, parseRate, parseWriteRate,
} from '../units.js';

/** Flag values as commander hands them over (camel-cased long names). */
export interface ScenarioFlags {
  memory?: string;
  pageSize?: string;
  populated?: string;
  vcpus?: string;
  workload?: string;
  writeRate?: string;
  hotFraction?: string;
  hotProbability?: string;
  regionStart?: string;
  regionSize?: string;
  bandwidth?: string;
  algorithm?: string;
  controller?: string;
  downtimeLimit?: string;
  maxBandwidth?: string;
  setupTime?: string;
  resumeTime?: string;
  deviceState?: string;
  maxTime?: string;
  maxData?: string;
  /** false after --no-xen-skip. */
  xenSkip?: boolean;
  seed?: string;
}

interface FlagSpec {
  /** Commander spelling, e.g. '--memory <size>'. */
  flags: string;
  /** The MigrationOptions path it sets, so the library's errors can be reported under the flag. */
  field: string;
  help: string;
  defaultText: string;
}

const FLAG_GROUPS: { heading: string; flags: FlagSpec[] }[] = [
  {
    heading: 'Guest:',
    flags: [
      { flags: '--memory <size>', field: 'memoryBytes', help: 'guest RAM, e.g. 8GiB or 512MB', defaultText: formatBytesExact(D.DEFAULT_MEMORY_BYTES) },
      { flags: '--page-size <size>', field: 'pageSize', help: 'page size, a power of two from 512B to 1GiB', defaultText: formatBytesExact(D.DEFAULT_PAGE_SIZE) },
      {
        flags: '--populated <fraction>', field: 'populatedFraction',
        help: 'fraction of pages written since boot, 0 to 1; the rest are zero pages', defaultText: String(D.DEFAULT_POPULATED_FRACTION),
      },
      { flags: '--vcpus <n>', field: 'vcpus', help: 'vCPUs, each running the workload, 1 to 1024', defaultText: String(D.DEFAULT_VCPUS) },
    ],
  },
  {
    heading: 'Workload (each vCPU):',
    flags: [
      { flags: '--workload <kind>', field: 'workload.kind', help: `what each vCPU runs: ${WORKLOAD_KINDS.join(', ')}`, defaultText: D.DEFAULT_WORKLOAD_KIND },
      {
        flags: '--write-rate <rate>', field: 'workload.writesPerSec',
        help: 'page writes per second per vCPU at full speed: 25000pages/s, or a byte rate like 100MiB/s over the page size',
        defaultText: `${D.DEFAULT_WRITES_PER_SEC}pages/s`,
      },
      {
        flags: '--hot-fraction <fraction>', field: 'workload.hotFraction',
        help: 'hot-cold: share of the region that is hot, above 0 up to 1', defaultText: String(D.DEFAULT_HOT_FRACTION),
      },
      {
        flags: '--hot-probability <p>', field: 'workload.hotProbability',
        help: 'hot-cold: probability that a write hits the hot set, 0 to 1', defaultText: String(D.DEFAULT_HOT_PROBABILITY),
      },
      {
        flags: '--region-start <fraction>', field: 'workload.regionStart',
        help: 'start of the region the workload writes, as a fraction of memory', defaultText: 'start of memory',
      },
      {
        flags: '--region-size <fraction>', field: 'workload.regionSize',
        help: 'size of that region, as a fraction of memory', defaultText: 'the rest of memory',
      },
    ],
  },
  {
    heading: 'Migration:',
    flags: [
      { flags: '--bandwidth <rate>', field: 'bandwidthBytesPerSec', help: 'link capacity, e.g. 10Gbit/s or 125MB/s', defaultText: formatRateExact(D.DEFAULT_LINK_BYTES_PER_SEC) },
      { flags: '--algorithm <name>', field: 'algorithm', help: `pre-copy algorithm: ${ALGORITHMS.join(', ')}`, defaultText: D.DEFAULT_ALGORITHM },
      {
        flags: '--controller <spec>', field: 'controller',
        help: `CPU-scheduling controller: ${CONTROLLERS.join(', ')}; parameters after a colon, e.g. cpu-scheduling:targetRound=4,minShare=0.1`,
        defaultText: 'none',
      },
      {
        flags: '--downtime-limit <duration>', field: 'downtimeLimitMs',
        help: 'QEMU downtime-limit; also the SimGrid max downtime', defaultText: formatDurationExact(D.DEFAULT_DOWNTIME_LIMIT_MS),
      },
      {
        flags: '--max-bandwidth <rate>', field: 'maxBandwidthBytesPerSec',
        help: 'QEMU max-bandwidth, the pre-copy rate limit', defaultText: formatRateExact(D.DEFAULT_MAX_BANDWIDTH_BYTES_PER_SEC),
      },
      { flags: '--setup-time <duration>', field: 'setupTimeMs', help: 'setup phase before the first page is sent', defaultText: formatDurationExact(D.DEFAULT_SETUP_TIME_MS) },
      {
        flags: '--resume-time <duration>', field: 'resumeTimeMs',
        help: 'from the last byte to the guest running at the destination', defaultText: formatDurationExact(D.DEFAULT_RESUME_TIME_MS),
      },
      {
        flags: '--device-state <size>', field: 'deviceStateBytes',
        help: 'device (non-RAM) state sent during stop-and-copy', defaultText: formatBytesExact(D.DEFAULT_DEVICE_STATE_BYTES),
      },
      {
        flags: '--no-xen-skip', field: 'xenSkipRule',
        help: 'xen: send pages re-dirtied during the current round instead of skipping them', defaultText: 'skip them',
      },
      { flags: '--seed <n>', field: 'seed', help: "seed of the workloads' random streams, an integer 0 to 4294967295", defaultText: String(D.DEFAULT_SEED) },
    ],
  },
  {
    heading: 'Limits:',
    flags: [
      { flags: '--max-time <duration>', field: 'maxTimeMs', help: 'cancel the migration after this much emulated time', defaultText: formatDurationExact(D.DEFAULT_MAX_TIME_MS) },
      { flags: '--max-data <size>', field: 'maxDataBytes', help: 'cancel the migration once this much has been sent', defaultText: 'no limit' },
    ],
  },
];

const FLAG_OF_FIELD = new Map(FLAG_GROUPS.flatMap((g) => g.flags.map((f) => [f.field, f.flags.split(' ')[0] ?? f.flags])));

/** Declares the scenario flags on `command`, in help groups, each with its default. */
export function addScenarioFlags(command: Command): Command {
  for (const group of FLAG_GROUPS) {
    command.optionsGroup(group.heading);
    for (const f of group.flags) command.option(f.flags, `${f.help} (default: ${f.defaultText})`);
  }
  return command;
}

/** Maps flag text to migration options; flags left out stay undefined, so the library's defaults apply. */
export function toMigrationOptions(f: ScenarioFlags): MigrationOptions {
  const pageSize = optional(f.pageSize, (t) => parseBytes('--page-size', t));
  return {
    memoryBytes: optional(f.memory, (t) => parseBytes('--memory', t)),
    pageSize,
    populatedFraction: optional(f.populated, (t) => parseNumber('--populated', t)),
    vcpus: optional(f.vcpus, (t) => parseNumber('--vcpus', t)),
    workload: workloadSpec(f, pageSize ?? D.DEFAULT_PAGE_SIZE),
    bandwidthBytesPerSec: optional(f.bandwidth, (t) => parseRate('--bandwidth', t)),
    algorithm: optional(f.algorithm, (t) => oneOf('--algorithm', t, ALGORITHMS)),
    controller: optional(f.controller, (t) => parseControllerSpec(t, '--controller')),
    downtimeLimitMs: optional(f.downtimeLimit, (t) => parseDuration('--downtime-limit', t)),
    maxBandwidthBytesPerSec: optional(f.maxBandwidth, (t) => parseRate('--max-bandwidth', t)),
    setupTimeMs: optional(f.setupTime, (t) => parseDuration('--setup-time', t)),
    resumeTimeMs: optional(f.resumeTime, (t) => parseDuration('--resume-time', t)),
    deviceStateBytes: optional(f.deviceState, (t) => parseBytes('--device-state', t)),
    maxTimeMs: optional(f.maxTime, (t) => parseDuration('--max-time', t)),
    maxDataBytes: optional(f.maxData, (t) => parseBytes('--max-data', t)),
    xenSkipRule: f.xenSkip,
    seed: optional(f.seed, (t) => parseNumber('--seed', t)),
  };
}

/** Runs the flags' scenario; errors from the library name the flag rather than the option field. */
export function migrateFromFlags(f: ScenarioFlags): MigrationReport {
  const options = toMigrationOptions(f);
  try {
    return migrate(options);
  } catch (err) {
    throw withFlagName(err, f);
  }
}

/** "--page-size" -> "pageSize", commander's key for the flag's value. */
function camel(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Re-issues an option error under the flag that set the field, when there is one. */
export function withFlagName(err: unknown, flags?: ScenarioFlags): unknown {
  if (err instanceof InvalidOptionError) {
    const flag = FLAG_OF_FIELD.get(err.field);
    // Echo what was typed ("4GB"), not the parsed number.
    const typed = flag === undefined ? undefined : (flags as Record<string, unknown> | undefined)?.[camel(flag)];
    if (flag) return new InvalidOptionError(flag, typeof typed === 'string' ? typed : err.value, err.accepted);
    // A controller parameter: "--controller (targetRound)".
    if (err.field.startsWith('controller.')) return new InvalidOptionError(`--controller (${err.field.slice('controller.'.length)})`, err.value, err.accepted);
    return err;
  }
  if (err instanceof CapacityError) {
    const flag = FLAG_OF_FIELD.get(err.field);
    return flag ? new CapacityError(flag, err.requiredBytes, err.limitBytes, err.reason) : err;
  }
  return err;
}

/** One workload spec for every vCPU; only the fields its kind has, since the library refuses others. */
function workloadSpec(f: ScenarioFlags, pageSizeBytes: number): WorkloadSpec {
  const kind = oneOf('--workload', f.workload ?? D.DEFAULT_WORKLOAD_KIND, WORKLOAD_KINDS);
  if (kind === 'idle' || kind === 'compute') {
    const why = kind === 'idle' ? 'it does nothing' : 'it writes no memory';
    refuse('--write-rate', f.writeRate, kind, why);
    refuse('--region-start', f.regionStart, kind, why);
    refuse('--region-size', f.regionSize, kind, why);
    refuse('--hot-fraction', f.hotFraction, kind, why);
    refuse('--hot-probability', f.hotProbability, kind, why);
    return { kind };
  }
  const writer = {
    writesPerSec: f.writeRate === undefined ? D.DEFAULT_WRITES_PER_SEC : parseWriteRate('--write-rate', f.writeRate, pageSizeBytes),
    regionStart: optional(f.regionStart, (t) => parseNumber('--region-start', t)),
    regionSize: optional(f.regionSize, (t) => parseNumber('--region-size', t)),
  };
  if (kind === 'hot-cold') {
    return {
      kind,
      ...writer,
      hotFraction: optional(f.hotFraction, (t) => parseNumber('--hot-fraction', t)),
      hotProbability: optional(f.hotProbability, (t) => parseNumber('--hot-probability', t)),
    };
  }
  refuse('--hot-fraction', f.hotFraction, kind, 'only hot-cold has a hot set');
  refuse('--hot-probability', f.hotProbability, kind, 'only hot-cold has a hot set');
  return { kind, ...writer };
}

function refuse(flag: string, text: string | undefined, kind: WorkloadKind, why: string): void {
  if (text !== undefined) throw new InvalidOptionError(flag, text, `no ${flag} with --workload ${kind} (${why})`);
}

function optional<T>(text: string | undefined, parse: (text: string) => T): T | undefined {
  return text === undefined ? undefined : parse(text);
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) throw new InvalidOptionError(flag, text, `one of ${allowed.join(', ')}`);
  return text as T;
}
