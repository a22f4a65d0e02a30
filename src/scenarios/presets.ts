import { GiB, MiB } from '../units.js';
import type { MigrationOptions } from '../model/options.js';
import { type Policy, parsePolicy } from '../api/policy.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { didYouMean } from '../model/suggest.js';

/** A named scenario with the policies it is meant to compare. */
export interface Preset {
  name: string;
  description: string;
  base: MigrationOptions;
  policies: Policy[];
}

const ALL_POLICIES = [
  'xen', 'xen+cpu-scheduling', 'xen+auto-converge', 'xen+dirty-limit', 'xen+sdps',
  'qemu', 'qemu+cpu-scheduling', 'qemu+auto-converge', 'qemu+dirty-limit', 'qemu+sdps',
].map((p) => parsePolicy(p));

/**
 * The seed paper's setting (Jin et al., JNCA 2011): a guest that dirties memory faster than the link sends
 * it, so unmodified pre-copy does not converge. 2 GiB guest, half of it populated; one vCPU writing 60,000
 * pages/s (234 MiB/s, about twice the link) with 90 % of writes in a 512 MiB hot set; 1 Gbit/s link;
 * QEMU defaults otherwise (300 ms downtime limit, 128 MiB/s max-bandwidth, which the link caps anyway).
 * Xen stops after 30 rounds or 3 × memory; QEMU never stops by itself, so the run is cancelled at
 * guestperf's default --max-time of 300 s.
 */
export const HEADLINE: Preset = {
  name: 'headline',
  description: 'Guest dirties 234 MiB/s over a 1 Gbit/s link (D ≈ 2R): every pre-copy policy on the same VM and seed',
  base: {
    memoryBytes: 2 * GiB,
    populatedFraction: 0.5,
    workload: { kind: 'hot-cold', writesPerSec: 60_000, hotFraction: 0.25, hotProbability: 0.9 },
    bandwidthBytesPerSec: 125_000_000,
    maxTimeMs: 300_000,
    seed: 1,
  },
  policies: ALL_POLICIES,
};

/**
 * The headline guest under postcopy and hybrid policies (issue 11): plain QEMU, a switch to postcopy after 5 syncs
 * (guestperf's --post-copy-iters default) vanilla and with postcopy-preempt, the hybrids with auto-converge and
 * with the seed's CPU scheduling throttling pre-copy first, and CPU scheduling alone (README "Postcopy and hybrid").
 */
export const HEADLINE_POSTCOPY: Preset = {
  name: 'headline-postcopy',
  description: 'The headline guest (234 MiB/s over 1 Gbit/s): postcopy after 5 syncs, vanilla and preempt, and as the fallback of a throttling controller',
  base: HEADLINE.base,
  policies: [
    'qemu', 'qemu{postcopy-after=5}', 'qemu{postcopy-after=5,preempt}', 'qemu{postcopy-after=5}+auto-converge',
    'qemu{postcopy-after=5}+cpu-scheduling', 'qemu+cpu-scheduling',
  ].map((t) => parsePolicy(t)),
};

/** An easy case: the guest dirties far less than the link sends, so every policy converges unaided. */
export const CONVERGING: Preset = {
  name: 'converging',
  description: 'Guest dirties 20 MiB/s over a 1 Gbit/s link: pre-copy converges by itself, controllers should stay idle',
  base: {
    memoryBytes: 2 * GiB,
    populatedFraction: 0.5,
    workload: { kind: 'hot-cold', writesPerSec: 5_000, hotFraction: 0.05, hotProbability: 0.9 },
    bandwidthBytesPerSec: 125_000_000,
    seed: 1,
  },
  policies: ALL_POLICIES,
};

/**
 * redis-server 7.0 under redis-benchmark (SET, 512-byte values, 200k keys, pipelined), recorded on this project's
 * machine (traces/README.md) and replayed in a loop: 51.6 MiB/s of page writes over a 76 MiB writable working set,
 * in a 256 MiB VM on a 400 Mbit/s link (50 MB/s: the link barely outruns the dirtying).
 */
export const REDIS_TRACE: Preset = {
  name: 'redis-trace',
  description: 'Replayed redis-server under redis-benchmark (51.6 MiB/s, 76 MiB WWS) in a 256 MiB VM over 400 Mbit/s',
  base: {
    memoryBytes: 256 * MiB,
    workload: { kind: 'trace', file: 'traces/redis-set.lmtrace' },
    bandwidthBytesPerSec: 50_000_000,
    maxTimeMs: 300_000,
    seed: 1,
  },
  policies: ALL_POLICIES,
};

/**
 * The TypeScript compiler type-checking livemig, recorded from start to end and replayed in a loop: a growing,
 * garbage-collected heap (62 MiB/s mean, 117 MiB/s peak, 275 MiB distinct) in a 512 MiB VM over 1 Gbit/s.
 */
export const TSC_TRACE: Preset = {
  name: 'tsc-trace',
  description: 'Replayed tsc --noEmit (62 MiB/s, 275 MiB written) in a 512 MiB VM over 1 Gbit/s',
  base: {
    memoryBytes: 512 * MiB,
    workload: { kind: 'trace', file: 'traces/tsc-typecheck.lmtrace' },
    bandwidthBytesPerSec: 125_000_000,
    maxTimeMs: 300_000,
    seed: 1,
  },
  policies: ALL_POLICIES,
};

/**
 * The headline guest under QEMU's other ways to converge (issue 11): the seed paper's CPU scheduling beside
 * XBZRLE (QEMU's 64 MiB cache, and one that holds the 512 MiB hot set), multifd, plain and with zstd, postcopy
 * after 5 syncs (guestperf's --post-copy-iters default) and the hybrid of CPU scheduling with postcopy as fallback.
 */
export const WIRE: Preset = {
  name: 'wire',
  description: 'The headline guest (234 MiB/s over 1 Gbit/s): CPU scheduling beside XBZRLE, multifd with zstd, postcopy and the hybrid',
  base: HEADLINE.base,
  policies: [
    'qemu', 'qemu+cpu-scheduling', 'qemu{xbzrle}', 'qemu{xbzrle,cache=1GiB}', 'qemu{multifd=4}', 'qemu{multifd=4,zstd}',
    'qemu{postcopy-after=5}', 'qemu{postcopy-after=5}+cpu-scheduling',
  ].map((p) => parsePolicy(p)),
};

/**
 * A link that drops to a quarter mid-migration: an 8 GiB guest writing 120,000 pages/s (469 MiB/s, 90 % into an
 * 819 MiB hot set) over 10 Gbit/s, which converges in 4.5 s on the steady link; at 2 s the link falls to
 * 2.5 Gbit/s (312.5 MB/s, less than the guest dirties), as when a drain or a backup starts on it. QEMU's
 * estimate reads the new rate in its next window; unmodified pre-copy can no longer converge. max-bandwidth =
 * the link (libvirt's default is unlimited [REC]).
 */
export const LINK_DROP: Preset = {
  name: 'link-drop',
  description: 'A 10 Gbit/s link drops to a quarter 2 s into migrating an 8 GiB guest dirtying 469 MiB/s',
  base: {
    memoryBytes: 8 * GiB,
    populatedFraction: 0.5,
    workload: { kind: 'hot-cold', writesPerSec: 120_000, hotFraction: 0.1, hotProbability: 0.9 },
    bandwidthBytesPerSec: 1_250_000_000,
    linkTrace: [{ timeMs: 0, bytesPerSec: 1_250_000_000 }, { timeMs: 2000, bytesPerSec: 312_500_000 }],
    maxBandwidthBytesPerSec: 1_250_000_000,
    maxTimeMs: 300_000,
    seed: 1,
  },
  policies: ['qemu', 'qemu+auto-converge', 'qemu+dirty-limit', 'qemu+cpu-scheduling', 'xen', 'xen+cpu-scheduling'].map((p) => parsePolicy(p)),
};

/**
 * The headline guest (above) under the management layers' defaults, as an operator would get them: nova (a
 * downtime ramp 50 → 500 ms every 150 s, abort after 800 s × 2 GiB), nova with force_complete (pause) or with
 * auto-converge permitted, KubeVirt (abort after 150 s × 3 GB, its per-10^9-B count) with and without
 * allowAutoConverge, and virsh --timeout 300 (suspend). The cap leaves room for nova's 1600 s timeout.
 */
export const NOVA_HEADLINE: Preset = {
  name: 'nova-headline',
  description: 'The headline guest (234 MiB/s over 1 Gbit/s) under nova, KubeVirt and virsh --timeout defaults: what each management layer does with a migration that cannot converge',
  base: { ...HEADLINE.base, maxTimeMs: 1_800_000 },
  policies: [
    'qemu@nova', 'qemu@nova:live_migration_timeout_action=force_complete', 'qemu@nova:live_migration_permit_auto_converge=true',
    'qemu@kubevirt', 'qemu@kubevirt:allowAutoConverge=true', 'qemu@libvirt-timeout:timeout=300',
  ].map((p) => parsePolicy(p)),
};

export const PRESETS: Readonly<Record<string, Preset>> = { headline: HEADLINE, 'headline-postcopy': HEADLINE_POSTCOPY, converging: CONVERGING, 'redis-trace': REDIS_TRACE, 'tsc-trace': TSC_TRACE, 'link-drop': LINK_DROP, wire: WIRE, 'nova-headline': NOVA_HEADLINE };

export function getPreset(name: string, field = 'preset'): Preset {
  const p = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (p === undefined) throw new InvalidOptionError(field, name, `one of ${Object.keys(PRESETS).join(', ')}${didYouMean(name, Object.keys(PRESETS))}`);
  return p;
}
