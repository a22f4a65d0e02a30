import type { PageStore } from '../core/page-store.js';
import { WasmPageStore } from '../core/wasm-page-store.js';
import { MigrationContext } from '../engine/context.js';
import { assertReportInvariants, invariantChecksOn, reportViolations } from '../engine/invariants.js';
import { Vcpu } from '../engine/vcpu.js';
import { refuseWireOptions } from '../engine/wire-model.js';
import type { MigrationOptions, ResolvedOptions } from '../model/options.js';
import type { MigrationReport } from '../model/report.js';
import { PRECOPY_ALGORITHMS } from '../policies/precopy/index.js';
import { createWorkload } from '../workloads/index.js';
import { resolveOptions } from './resolve.js';

/**
 * Emulates one live migration and returns its report, synchronously. The same options and seed give the
 * same report, bit for bit. Throws InvalidOptionError (or CapacityError) naming the first bad option.
 *
 * @example
 * const report = migrate({ memoryBytes: 8 * GiB, bandwidthBytesPerSec: 1.25e9, algorithm: 'xen' });
 * if (report.status === 'completed') console.log(report.summary.downtimeMs);
 */
export function migrate(options: MigrationOptions = {}): MigrationReport {
  const resolved = resolveOptions(options);
  return withStore(resolved, (store) => runMigration(resolved, store));
}

/** Runs `fn` on a Wasm store for the resolved VM, on the thread's idle core when there is one, released after. */
export function withStore<T>(resolved: ResolvedOptions, fn: (store: WasmPageStore) => T, trace = resolved.trace): T {
  const store = WasmPageStore.acquire(resolved.scenario.pages, trace);
  try {
    return fn(store);
  } finally {
    store.release();
  }
}

/** PRNG seed of vCPU `i`'s stream: the run seed mixed with the vCPU index (one stream per workload). */
export function streamSeed(seed: number, vcpu: number): number {
  return (seed ^ Math.imul(vcpu + 1, 0x9e3779b9)) >>> 0;
}

/** Runs a resolved migration on a given page store (the Wasm core, or the TypeScript reference in tests). */
export function runMigration(resolved: ResolvedOptions, store: PageStore): MigrationReport {
  const s = resolved.scenario;
  if (s.algorithm !== 'qemu') refuseWireOptions(s);
  const vcpus = resolved.workloads.map((spec, i) => {
    store.seedStream(i, streamSeed(s.seed, i));
    return new Vcpu(i, createWorkload(spec, s.pages, i, s.pageSize, resolved.workloads.length > 1 ? `workload[${i}]` : 'workload'));
  });
  const algorithm = PRECOPY_ALGORITHMS[s.algorithm];
  const wire = algorithm.wire(s.pageSize);
  const ctx = new MigrationContext(resolved, store, vcpus, wire, algorithm.cpuShare, resolved.controller.create());
  const report = ctx.report(algorithm.run(ctx));
  if (invariantChecksOn()) assertReportInvariants(report, wire, resolved.linkCapacity);
  return report;
}

/** Every invariant `report` breaks (src/engine/invariants.ts), with the wire format of its algorithm. */
export function checkReport(report: MigrationReport): string[] {
  const s = report.scenario;
  return reportViolations(report, PRECOPY_ALGORITHMS[s.algorithm].wire(s.pageSize));
}
