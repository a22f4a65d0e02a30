/**
 * The management layers and their configuration, declared once with their REAL names and defaults, so an
 * operator can paste nova.conf values, a KubeVirt MigrationConfiguration or a virsh command line:
 * `nova:live_migration_downtime=400,live_migration_completion_timeout=800`. The policies live in
 * src/policies/management/ (one file each, citing the function they follow); checking, the `management` option's
 * text (`NAME[:key=value,...]`), `livemig managers`, the report echo and the JSON Schema pattern derive from this.
 * Values are written in each system's own units (nova: ms, s, MiB/s; KubeVirt: s and a Kubernetes quantity;
 * virsh: s and MiB/s), as the parameter names and docs say.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { MAX_DOWNTIME_LIMIT_MS, MAX_RATE_BYTES_PER_SEC } from './bounds.js';
import { type FieldSpec, type FieldTable, type FieldValue, checkFields, describeField } from './fields.js';
import { closest, didYouMean } from './suggest.js';

const NOVA_CONF = 'openstack/nova nova/conf/libvirt.py';
/** The most MiB/s a layer's bandwidth may be: whole MiB/s within the engine's rate bound. */
const MAX_RATE_MIB_PER_SEC = Math.floor(MAX_RATE_BYTES_PER_SEC / 2 ** 20);
const KV_CONF = 'kubevirt/kubevirt pkg/virt-config/virt-config.go';

export const MANAGEMENT_TABLE = {
  nova: {
    doc: "OpenStack nova's libvirt driver: a downtime ramp, then abort or force-complete (pause, or postcopy) after a completion timeout per GiB",
    source: 'openstack/nova nova/virt/libvirt/migration.py (downtime_steps, update_downtime, should_trigger_timeout_action, run_tasks), nova/virt/libvirt/driver.py (_live_migration_monitor, _live_migration_data_gb), nova/conf/libvirt.py @ 00a0304 (2026-08-21)',
    params: {
      live_migration_downtime: {
        kind: 'count', doc: 'the downtime limit the ramp ends at, ms', rule: { min: 100, max: MAX_DOWNTIME_LIMIT_MS, integer: true, unit: 'ms' },
        default: 500, source: `${NOVA_CONF} (min=100); max: QEMU's 2000 s downtime-limit bound`,
      },
      live_migration_downtime_steps: {
        kind: 'count', doc: 'steps of the ramp (it has steps + 1 values)', rule: { min: 3, max: 10_000, integer: true },
        // The first step's limit is downtime / steps, truncated: it must stay a positive downtime-limit.
        bound: (c: Record<string, unknown>) => {
          const max = Math.min(10_000, c['live_migration_downtime'] as number);
          return { max, maxLabel: max < 10_000 ? `${max} (live_migration_downtime: the first step, downtime / steps, is at least 1 ms)` : undefined };
        },
        default: 10, source: `${NOVA_CONF} (min=3); max [REC] bounded run time`,
      },
      live_migration_downtime_delay: {
        kind: 'count', doc: 'seconds between ramp steps, per GiB of RAM (+ disk), each counted as at least 2 GiB', rule: { min: 3, max: 1e6, integer: true, unit: 's' },
        default: 75, source: `${NOVA_CONF} (min=3)`,
      },
      live_migration_completion_timeout: {
        kind: 'count', doc: 'seconds per GiB of RAM (+ disk, each at least 2 GiB) before the timeout action; 0 = no timeout', rule: { min: 0, max: 1e7, integer: true, unit: 's' },
        default: 800, source: `${NOVA_CONF} (min=0)`,
      },
      live_migration_timeout_action: {
        kind: 'enum', doc: "after the completion timeout: 'abort', or 'force_complete' (postcopy if permitted, else pause the guest)",
        values: ['abort', 'force_complete'], default: 'abort', source: NOVA_CONF,
      },
      live_migration_permit_post_copy: {
        kind: 'boolean', doc: 'VIR_MIGRATE_POSTCOPY: force_complete switches to postcopy; auto-converge is then not used', default: false, source: NOVA_CONF,
      },
      live_migration_permit_auto_converge: {
        kind: 'boolean', doc: "VIR_MIGRATE_AUTO_CONVERGE (QEMU's auto-converge), unless post-copy is permitted", default: false, source: NOVA_CONF,
      },
      live_migration_bandwidth: {
        kind: 'count', doc: "max bandwidth, MiB/s; 0 = the hypervisor's choice (livemig keeps maxBandwidthBytesPerSec; libvirt itself lifts QEMU's limit)",
        rule: { min: 0, max: MAX_RATE_MIB_PER_SEC, integer: true, unit: 'MiB/s' }, default: 0, source: NOVA_CONF,
      },
      disk_gib: {
        kind: 'count', doc: "[livemig] GiB of local disk a block migration copies (nova counts it as at least 2 GiB); 0 = shared storage, no disk (nova's disk_paths empty)",
        rule: { min: 0, max: 1e6, unit: 'GiB' }, default: 0, source: '[REC] nova counts only block-migrated disks (driver.py _live_migration); livemig does not emulate the disk copy',
      },
    },
  },
  kubevirt: {
    doc: "KubeVirt's virt-launcher migration monitor (legacy convergence, no stall detection): completion timeout per GiB, progress timeout, postcopy or pause when workload disruption is allowed",
    source: 'kubevirt/kubevirt pkg/virt-launcher/virtwrap/live-migration-source.go (handleLegacyConvergence, shouldTriggerTimeout, isMigrationProgressing, processInflightMigration, startMonitor), pkg/virt-launcher/virtwrap/manager.go getVMIMigrationDataSize, pkg/virt-config/virt-config.go @ d923fdb (2026-08-22)',
    params: {
      completionTimeoutPerGiB: {
        kind: 'count', doc: "seconds per GiB (KubeVirt: per 10^9 B, rounded up) before the migration is aborted, or assisted; 0 = none", rule: { min: 0, max: 1e7, integer: true, unit: 's' },
        default: 150, source: `${KV_CONF} MigrationCompletionTimeoutPerGiB`,
      },
      progressTimeout: {
        kind: 'count', doc: 'abort when the remaining data has not decreased for longer than this, s; 0 = never', rule: { min: 0, max: 1e7, integer: true, unit: 's' },
        default: 150, source: `${KV_CONF} MigrationProgressTimeout`,
      },
      allowAutoConverge: { kind: 'boolean', doc: "MIGRATE_AUTO_CONVERGE: QEMU's auto-converge", default: false, source: `${KV_CONF} MigrationAllowAutoConverge` },
      allowPostCopy: { kind: 'boolean', doc: 'MIGRATE_POSTCOPY: on completion timeout, switch to postcopy', default: false, source: `${KV_CONF} MigrationAllowPostCopy` },
      allowWorkloadDisruption: {
        kind: 'boolean', doc: 'on completion timeout, assist (postcopy if allowed, else pause the guest) instead of aborting', default: null,
        defaultText: "allowPostCopy's value", source: 'kubevirt/kubevirt pkg/virt-config/virt-config.go (follows AllowPostCopy when unset)',
      },
      bandwidthPerMigration: {
        kind: 'rate', doc: "max bandwidth as a Kubernetes quantity per second (64Mi = 64 MiB/s, rounded to whole MiB/s as libvirt takes it); 0 = unlimited (livemig keeps maxBandwidthBytesPerSec)",
        rule: { min: 0, max: MAX_RATE_BYTES_PER_SEC, unit: 'B/s' }, default: 0, source: `${KV_CONF} BandwidthPerMigrationDefault "0Mi"`,
      },
    },
  },
  'libvirt-timeout': {
    doc: "virsh migrate --timeout: once the migration has run that long, suspend the guest (--timeout-suspend, the default) or switch to postcopy (--timeout-postcopy)",
    source: 'libvirt tools/virsh-domain.c (cmdMigrate, virshMigrateTimeout), docs/manpages/virsh.rst migrate',
    params: {
      timeout: {
        kind: 'count', doc: 'seconds of migration before the timeout action', rule: { min: 1, max: 1e7, integer: true, unit: 's' },
        default: null, defaultText: 'required', source: 'virsh migrate --timeout (virsh refuses < 1)',
      },
      'timeout-suspend': { kind: 'boolean', doc: 'the action is virDomainSuspend (the default action)', default: false, source: 'virsh migrate --timeout-suspend' },
      'timeout-postcopy': { kind: 'boolean', doc: 'the action is virDomainMigrateStartPostCopy (needs postcopy)', default: false, source: 'virsh migrate --timeout-postcopy' },
      postcopy: { kind: 'boolean', doc: 'VIR_MIGRATE_POSTCOPY (virsh migrate --postcopy)', default: false, source: 'virsh migrate --postcopy' },
      'auto-converge': { kind: 'boolean', doc: "VIR_MIGRATE_AUTO_CONVERGE (QEMU's auto-converge)", default: false, source: 'virsh migrate --auto-converge' },
      bandwidth: {
        kind: 'count', doc: 'max bandwidth, MiB/s; 0 = not set (livemig keeps maxBandwidthBytesPerSec)', rule: { min: 0, max: MAX_RATE_MIB_PER_SEC, integer: true, unit: 'MiB/s' },
        default: 0, source: 'virsh migrate --bandwidth',
      },
    },
  },
} as const satisfies Record<string, { doc: string; source: string; params: FieldTable }>;

export type ManagerName = keyof typeof MANAGEMENT_TABLE;

/** A checked layer's parameters, typed from the table (a parameter whose default is null may be null). */
export type ManagerParams<K extends ManagerName> = {
  -readonly [F in keyof (typeof MANAGEMENT_TABLE)[K]['params']]: ParamValue<(typeof MANAGEMENT_TABLE)[K]['params'][F]>;
};
type ParamValue<F> = F extends { default: null } ? FieldValue<F> | null : FieldValue<F>;
/** The management layers by name; 'none' leaves QEMU's parameters as the scenario sets them. */
export const MANAGERS = ['none', ...(Object.keys(MANAGEMENT_TABLE) as ManagerName[])] as const;

/** A checked management spec: the layer and every parameter, defaults filled in (table order). */
export interface ManagementSpec {
  name: ManagerName;
  params: Record<string, unknown>;
}

export const MANAGEMENT_SYNTAX = `NAME[:key=value,...] with NAME one of ${MANAGERS.join(', ')} (e.g. nova:live_migration_downtime=400,live_migration_completion_timeout=800)`;
export const MANAGEMENT_PATTERN = `^(${MANAGERS.join('|')})(:.+)?$`;

/** The suffixes of a Kubernetes quantity (k8s.io/apimachinery resource.Quantity) this reads, and their scale. */
const QUANTITY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
const QUANTITY = new RegExp(`^([0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(${Object.keys(QUANTITY_SUFFIXES).join('|')})?$`);

/** A Kubernetes quantity (64Mi, 1G, 500k, 1e6, 0) in its base unit; null when it is not one. */
export function parseQuantity(text: string): number | null {
  const m = QUANTITY.exec(text);
  if (!m) return null;
  return Number(m[1]) * (m[2] === undefined ? 1 : QUANTITY_SUFFIXES[m[2]]!);
}

/** One value of a spec's text read by its parameter's kind: booleans true/false (a bare key = true), numbers, enum words. */
function paramValue(field: string, f: FieldSpec, raw: string | undefined): unknown {
  if (raw === undefined) {
    if (f.kind !== 'boolean') throw new InvalidOptionError(field, '', `a value (${describeField(f)})`);
    return true;
  }
  if (f.kind === 'boolean') {
    // nova.conf and Kubernetes both accept True/False in any case.
    const b = raw.toLowerCase();
    if (b === 'true' || b === 'false') return b === 'true';
    throw new InvalidOptionError(field, raw, 'true or false');
  }
  if (f.kind === 'enum') return raw;
  if (f.kind === 'rate') {
    const q = parseQuantity(raw);
    if (q === null) throw new InvalidOptionError(field, raw, `a Kubernetes quantity: a number with an optional suffix ${Object.keys(QUANTITY_SUFFIXES).join(', ')} (64Mi)`);
    return q;
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new InvalidOptionError(field, raw, describeField(f));
  return n;
}

/**
 * Parses and checks "NAME[:key=value,...]" (keys are the system's own, e.g. nova.conf's); `field` names it in
 * errors, a misspelt name or key gets a did-you-mean and the list of keys. Returns null for 'none'.
 */
export function parseManagementSpec(text: string, field = 'management'): ManagementSpec | null {
  if (typeof text !== 'string') throw new InvalidOptionError(field, text, MANAGEMENT_SYNTAX);
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
  if (!(MANAGERS as readonly string[]).includes(name)) throw new InvalidOptionError(field, text, `${MANAGEMENT_SYNTAX}${didYouMean(name, MANAGERS)}`);
  if (name === 'none') {
    if (colon >= 0) throw new InvalidOptionError(field, text, 'none without parameters');
    return null;
  }
  const manager = name as ManagerName;
  const table: FieldTable = MANAGEMENT_TABLE[manager].params;
  const given: Record<string, unknown> = {};
  if (colon >= 0) {
    for (const pair of trimmed.slice(colon + 1).split(',')) {
      const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*(.*?)\s*)?$/.exec(pair);
      if (!m) throw new InvalidOptionError(field, text, `${name} parameters as key=value separated by commas (${Object.keys(table).join(', ')})`);
      const key = m[1]!;
      if (!Object.hasOwn(table, key)) throw unknownKey(field, manager, key);
      if (Object.hasOwn(given, key)) throw new InvalidOptionError(`${field} (${key})`, m[2] ?? '', `${key} given once`);
      given[key] = paramValue(`${field} (${key})`, table[key]!, m[2]);
    }
  }
  try {
    return checkManagementParams(manager, given, field);
  } catch (err) {
    // In the text form, name the key as typed: "management (live_migration_downtime)".
    if (err instanceof InvalidOptionError && err.field.startsWith(`${field}.`)) throw new InvalidOptionError(`${field} (${err.field.slice(field.length + 1)})`, err.value, err.accepted);
    throw err;
  }
}

function unknownKey(field: string, manager: ManagerName, key: string): InvalidOptionError {
  const keys = Object.keys(MANAGEMENT_TABLE[manager].params);
  // nova's own spelling check: a known key of another layer is worth naming.
  const elsewhere = (Object.keys(MANAGEMENT_TABLE) as ManagerName[]).find((m) => m !== manager && Object.hasOwn(MANAGEMENT_TABLE[m].params, key));
  const hint = elsewhere === undefined ? '' : ` (${key} is a ${elsewhere} parameter)`;
  return new InvalidOptionError(`${field} parameter`, key, `a ${manager} parameter${closest(key, keys) === undefined ? hint : didYouMean(key, keys)}: ${keys.join(', ')}`);
}

/** Checks a management layer's parameters (an object: unknown keys refused, ranges named) and fills in defaults. */
export function checkManagementParams(manager: ManagerName, params: Record<string, unknown>, field: string): ManagementSpec {
  const table: FieldTable = MANAGEMENT_TABLE[manager].params;
  for (const k of Object.keys(params)) if (!Object.hasOwn(table, k)) throw unknownKey(field, manager, k);
  const checked = checkFields(table, params, field, (names) => `a ${manager} parameter (${names.join(', ')})`);
  if (manager === 'libvirt-timeout') {
    if (checked['timeout'] === null) throw new InvalidOptionError(`${field}.timeout`, undefined, 'an integer >= 1 s (virsh migrate --timeout SECONDS)');
    if (checked['timeout-suspend'] === true && checked['timeout-postcopy'] === true) {
      throw new InvalidOptionError(`${field}.timeout-postcopy`, true, 'not with timeout-suspend (virsh: the options are mutually exclusive)');
    }
    if (checked['timeout-postcopy'] === true && checked['postcopy'] !== true) {
      throw new InvalidOptionError(`${field}.timeout-postcopy`, true, 'postcopy too (virsh: --timeout-postcopy requires --postcopy)');
    }
  }
  return { name: manager, params: checked };
}
