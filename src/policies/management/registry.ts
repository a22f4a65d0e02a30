import type { Manager, ResolvedManagement } from '../../model/management.js';
import { type ManagerName, parseManagementSpec } from '../../model/managers.js';
import { KubevirtManager, type KubevirtConf } from './kubevirt.js';
import { LibvirtTimeoutManager, type LibvirtTimeoutConf } from './libvirt-timeout.js';
import { NovaManager, type NovaConf } from './nova.js';

/** The management layers' classes, by name (their parameters are declared in src/model/managers.ts). */
const BUILT_IN: Record<ManagerName, (params: Record<string, unknown>, memoryBytes: number) => Manager> = {
  nova: (p, m) => new NovaManager(p as unknown as NovaConf, m),
  kubevirt: (p, m) => new KubevirtManager(p as unknown as KubevirtConf, m),
  'libvirt-timeout': (p) => new LibvirtTimeoutManager(p as unknown as LibvirtTimeoutConf),
};

export type { ResolvedManagement };

/** Checks the management option's text ("nova:key=value,..."); null for 'none'. */
export function resolveManagement(text: string, field = 'management'): ResolvedManagement | null {
  const spec = parseManagementSpec(text, field);
  if (spec === null) return null;
  const p = spec.params;
  const kvDisruption = (p['allowWorkloadDisruption'] ?? p['allowPostCopy']) === true;
  const flags = {
    nova: {
      autoConverge: NovaManager.autoConverge(p as unknown as NovaConf), postcopy: p['live_migration_permit_post_copy'] === true,
      mayStartPostcopy: p['live_migration_permit_post_copy'] === true && p['live_migration_timeout_action'] === 'force_complete' && p['live_migration_completion_timeout'] !== 0,
    },
    kubevirt: {
      autoConverge: p['allowAutoConverge'] === true, postcopy: p['allowPostCopy'] === true,
      mayStartPostcopy: p['allowPostCopy'] === true && kvDisruption && p['completionTimeoutPerGiB'] !== 0,
    },
    'libvirt-timeout': { autoConverge: p['auto-converge'] === true, postcopy: p['postcopy'] === true, mayStartPostcopy: p['timeout-postcopy'] === true },
  }[spec.name];
  return { spec, ...flags, create: (memoryBytes) => BUILT_IN[spec.name](p, memoryBytes) };
}
