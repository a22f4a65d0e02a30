import { describe, expect, it } from 'vitest';
import { CapacityError } from '../../src/errors/capacity-error.js';
import { InvalidOptionError } from '../../src/errors/invalid-option-error.js';
import { LivemigError } from '../../src/errors/livemig-error.js';
import { migrate } from '../../src/api/migrate.js';
import type { MigrationOptions } from '../../src/model/options.js';
import { resolveOptions } from '../../src/api/resolve.js';
import { WasmPageStore } from '../../src/core/wasm-page-store.js';
import { MiB, resolveTest } from '../helpers/stores.js';

const TiB = 1024 ** 4;

interface Case {
  name: string;
  options: unknown;
  /** The field the error must name (a pattern where the path may go one level deeper, e.g. controller.name). */
  field: string | RegExp;
  /** What the message must say about the accepted values. */
  accepted: RegExp;
}

const small = { memoryBytes: 8 * MiB };

const CASES: Case[] = [
  { name: 'negative bandwidth', options: { ...small, bandwidthBytesPerSec: -1 }, field: 'bandwidthBytesPerSec', accepted: /> 0 B\/s/ },
  { name: 'zero bandwidth', options: { ...small, bandwidthBytesPerSec: 0 }, field: 'bandwidthBytesPerSec', accepted: /> 0 B\/s/ },
  { name: 'NaN bandwidth', options: { ...small, bandwidthBytesPerSec: Number.NaN }, field: 'bandwidthBytesPerSec', accepted: /finite number > 0/ },
  { name: 'Infinity bandwidth', options: { ...small, bandwidthBytesPerSec: Number.POSITIVE_INFINITY }, field: 'bandwidthBytesPerSec', accepted: /finite number/ },
  { name: 'bandwidth as a string', options: { ...small, bandwidthBytesPerSec: '1e9' }, field: 'bandwidthBytesPerSec', accepted: /finite number > 0/ },
  { name: 'Infinity memory', options: { memoryBytes: Number.POSITIVE_INFINITY }, field: 'memoryBytes', accepted: /integer >= \d+ B/ },
  { name: 'fractional memory', options: { memoryBytes: 8 * MiB + 0.5 }, field: 'memoryBytes', accepted: /integer/ },
  { name: 'memory below one page', options: { memoryBytes: 2048 }, field: 'memoryBytes', accepted: />= 4096 B|whole number of 4096 B pages/ },
  { name: 'zero memory', options: { memoryBytes: 0 }, field: 'memoryBytes', accepted: /integer >= \d+ B/ },
  { name: 'memory not a whole number of pages', options: { memoryBytes: 8 * MiB + 100 }, field: 'memoryBytes', accepted: /whole number of 4096 B pages/ },
  { name: 'memory not a whole number of 2 MiB pages', options: { memoryBytes: 9 * MiB, pageSize: 2 * MiB }, field: 'memoryBytes', accepted: /whole number of 2097152 B pages/ },
  { name: 'page size not a power of two', options: { ...small, pageSize: 3000 }, field: 'pageSize', accepted: /power of two from 512 B to 1 GiB/ },
  { name: 'page size below 512', options: { ...small, pageSize: 256 }, field: 'pageSize', accepted: />= 512 B/ },
  { name: 'page size above 1 GiB', options: { memoryBytes: 4 * 1024 ** 3, pageSize: 2 * 1024 ** 3 }, field: 'pageSize', accepted: /<= 1073741824 B/ },
  { name: 'unknown algorithm', options: { ...small, algorithm: 'vmware' }, field: 'algorithm', accepted: /one of qemu, xen, simgrid, stop-and-copy/ },
  { name: 'unknown workload kind', options: { ...small, workload: { kind: 'random' } }, field: 'workload.kind', accepted: /one of idle, compute, uniform, hot-cold, sequential/ },
  { name: 'workload not an object', options: { ...small, workload: 'uniform' }, field: 'workload', accepted: /object with a "kind"/ },
  { name: 'hotFraction 0', options: { ...small, workload: { kind: 'hot-cold', writesPerSec: 1, hotFraction: 0 } }, field: 'workload.hotFraction', accepted: /> 0 and <= 1/ },
  { name: 'hotFraction above 1', options: { ...small, workload: { kind: 'hot-cold', writesPerSec: 1, hotFraction: 1.5 } }, field: 'workload.hotFraction', accepted: /> 0 and <= 1/ },
  { name: 'hotProbability negative', options: { ...small, workload: { kind: 'hot-cold', writesPerSec: 1, hotProbability: -0.1 } }, field: 'workload.hotProbability', accepted: />= 0 and <= 1/ },
  { name: 'negative writesPerSec', options: { ...small, workload: { kind: 'uniform', writesPerSec: -5 } }, field: 'workload.writesPerSec', accepted: />= 0/ },
  { name: 'missing writesPerSec', options: { ...small, workload: { kind: 'uniform' } }, field: 'workload.writesPerSec', accepted: /finite number >= 0/ },
  { name: 'regionSize past the end', options: { ...small, workload: { kind: 'uniform', writesPerSec: 1, regionStart: 0.5, regionSize: 0.6 } }, field: 'workload.regionSize', accepted: /<= 1 - regionStart \(0\.5\)/ },
  { name: 'a field the workload kind does not have', options: { ...small, workload: { kind: 'uniform', writesPerSec: 1, hotFraction: 0.1 } }, field: 'workload.hotFraction', accepted: /no such field for kind "uniform"/ },
  { name: 'bad field in a workload list', options: { ...small, workload: [{ kind: 'idle' }, { kind: 'hot-cold', writesPerSec: 1, hotFraction: 2 }] }, field: 'workload[1].hotFraction', accepted: /<= 1/ },
  { name: 'empty workload list', options: { ...small, workload: [] }, field: 'workload', accepted: /list of 1 to 1024 workload specs/ },
  { name: 'vcpus mismatching the workload list', options: { ...small, vcpus: 3, workload: [{ kind: 'idle' }, { kind: 'idle' }] }, field: 'vcpus', accepted: /length of the workload list \(2\)/ },
  { name: 'zero vcpus', options: { ...small, vcpus: 0 }, field: 'vcpus', accepted: /integer >= 1 and <= 1024/ },
  { name: 'too many vcpus', options: { ...small, vcpus: 1025 }, field: 'vcpus', accepted: /<= 1024/ },
  { name: 'unknown option key', options: { ...small, bandwidth: 1e9 }, field: 'bandwidth', accepted: /known option \(.*bandwidthBytesPerSec/ },
  { name: 'zero downtime limit', options: { ...small, downtimeLimitMs: 0 }, field: 'downtimeLimitMs', accepted: /> 0 ms/ },
  { name: 'NaN downtime limit', options: { ...small, downtimeLimitMs: Number.NaN }, field: 'downtimeLimitMs', accepted: /> 0 ms and <= 2000000 ms/ },
  { name: 'populatedFraction above 1', options: { ...small, populatedFraction: 1.01 }, field: 'populatedFraction', accepted: />= 0 and <= 1/ },
  { name: 'negative setup time', options: { ...small, setupTimeMs: -1 }, field: 'setupTimeMs', accepted: />= 0 ms/ },
  { name: 'zero max time', options: { ...small, maxTimeMs: 0 }, field: 'maxTimeMs', accepted: /> 0 ms/ },
  { name: 'zero max data', options: { ...small, maxDataBytes: 0 }, field: 'maxDataBytes', accepted: /> 0 B/ },
  { name: 'zero max-bandwidth', options: { ...small, maxBandwidthBytesPerSec: 0 }, field: 'maxBandwidthBytesPerSec', accepted: /> 0 B\/s/ },
  { name: 'negative seed', options: { ...small, seed: -1 }, field: 'seed', accepted: /integer >= 0 and <= 4294967295/ },
  { name: 'seed above 2^32 - 1', options: { ...small, seed: 2 ** 32 }, field: 'seed', accepted: /<= 4294967295/ },
  { name: 'fractional seed', options: { ...small, seed: 1.5 }, field: 'seed', accepted: /integer/ },
  { name: 'trace is internal, not an option', options: { ...small, trace: true }, field: 'trace', accepted: /a known option/ },
  { name: 'null is refused, not read as the default', options: { ...small, memoryBytes: null }, field: 'memoryBytes', accepted: /integer >= 512/ },
  { name: 'xenSkipRule not a boolean', options: { ...small, xenSkipRule: 'yes' }, field: 'xenSkipRule', accepted: /true or false/ },
  { name: 'a hook that is not a function', options: { ...small, hooks: { onRound: 3 } }, field: 'hooks.onRound', accepted: /a function/ },
  { name: 'unknown controller', options: { ...small, controller: 'no-such-controller' }, field: /^controller(\.name)?$/, accepted: /one of .*none/ },
  { name: 'options not an object', options: 42, field: 'options', accepted: /options object/ },
];

describe('invalid options throw InvalidOptionError naming the field and the accepted range', () => {
  for (const c of CASES) {
    it(c.name, () => {
      let caught: unknown;
      try {
        migrate(c.options as MigrationOptions);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(InvalidOptionError);
      expect(caught).toBeInstanceOf(LivemigError);
      const e = caught as InvalidOptionError;
      if (typeof c.field === 'string') expect(e.field).toBe(c.field);
      else expect(e.field).toMatch(c.field);
      expect(e.accepted).toMatch(c.accepted);
      expect(e.message).toContain(`invalid ${e.field}:`);
      expect(e.message).toContain(e.accepted);
      // resolveOptions (what the CLI and tests use) throws the same error
      expect(() => resolveOptions(c.options as MigrationOptions)).toThrow(e.message);
    });
  }

  it('valid boundary values are accepted', () => {
    for (const options of [
      { ...small, populatedFraction: 0, workload: { kind: 'hot-cold', writesPerSec: 0, hotFraction: 1, hotProbability: 1 } },
      { ...small, populatedFraction: 1, seed: 0xffffffff, setupTimeMs: 0, resumeTimeMs: 0, deviceStateBytes: 0 },
      { memoryBytes: 4096, workload: { kind: 'uniform', writesPerSec: 100, regionStart: 0.999 } },
      { memoryBytes: 64 * 512, pageSize: 512 },
      { ...small, vcpus: 4, workload: [{ kind: 'idle' }, { kind: 'compute' }, { kind: 'idle' }, { kind: 'idle' }] },
    ] as MigrationOptions[]) {
      expect(() => migrate(options)).not.toThrow();
    }
  });
});

describe('a VM too large for the Wasm core throws CapacityError naming memoryBytes', () => {
  for (const [name, options] of [
    ['64 TiB of 4 KiB pages', { memoryBytes: 64 * TiB }],
    ['2 TiB traced (8 bytes of stamps per page)', { memoryBytes: 2 * TiB, trace: true }],
    ['8 TiB of 512-byte pages', { memoryBytes: 8 * TiB, pageSize: 512 }],
  ] as const) {
    it(name, () => {
      let caught: unknown;
      try {
        resolveTest(options);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(CapacityError);
      expect(caught).toBeInstanceOf(LivemigError);
      const e = caught as CapacityError;
      expect(e.field).toBe('memoryBytes');
      expect(e.message).toContain('memoryBytes');
      expect(e.limitBytes).toBe(4 * 1024 ** 3);
      expect(e.requiredBytes).toBeGreaterThan(e.limitBytes);
      if (!('trace' in options)) expect(() => migrate(options)).toThrow(CapacityError);
    });
  }

  it('the same memory in 2 MiB pages fits, and 1 TiB of 4 KiB pages fits even traced', () => {
    expect(() => resolveOptions({ memoryBytes: 64 * TiB, pageSize: 2 * MiB })).not.toThrow();
    expect(() => resolveOptions({ memoryBytes: TiB }, { trace: true })).not.toThrow();
  });

  /**
   * A VM whose bitmaps would fit (3/8 B per page) but whose page count does not fit the core's 32-bit page index.
   * It must be refused with a LivemigError naming memoryBytes, and the reason given must be true: either a
   * CapacityError whose "needs X bytes, more than ... (Y bytes)" has X > Y, or an InvalidOptionError stating the
   * page-count limit.
   */
  function checkPageCountRefusal(options: MigrationOptions): void {
    let caught: unknown;
    try {
      resolveOptions(options);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LivemigError);
    const e = caught as CapacityError | InvalidOptionError;
    expect(e.field).toBe('memoryBytes');
    if (e instanceof CapacityError) {
      const claimsBytes = /needs (\d+) bytes.*more than the core can address \((\d+) bytes\)/.exec(e.message);
      if (claimsBytes) expect(Number(claimsBytes[1])).toBeGreaterThan(Number(claimsBytes[2]));
      else expect(e.message).toMatch(/pages/);
    } else {
      expect(e).toBeInstanceOf(InvalidOptionError);
      expect((e as InvalidOptionError).accepted).toMatch(/\d+ pages/);
    }
  }

  it('2^32 pages (16 TiB of 4 KiB pages): refused, naming memoryBytes, with a true reason', () => {
    checkPageCountRefusal({ memoryBytes: 16 * TiB });
    checkPageCountRefusal({ memoryBytes: 2 * TiB, pageSize: 512 });
  });

  it('2^32 − 1 pages: refused with a LivemigError, or given full-size bitmaps; never a RangeError', () => {
    // The bitmaps of 2^32 − 1 pages are ceil(pages / 64) 64-bit words each; computing that count in 32 bits
    // ((pages + 63) >>> 6) wraps to 0 and the host's typed-array views then throw a raw RangeError.
    // (If this size is ever accepted, the test allocates ~1.6 GB of Wasm memory but runs no migration.)
    const pages = 2 ** 32 - 1;
    let resolved = false;
    let caught: unknown;
    try {
      resolveOptions({ memoryBytes: pages * 4096 });
      resolved = true;
      const store = new WasmPageStore(pages);
      expect(store.toSend.length).toBe(Math.ceil(pages / 64) * 2);
    } catch (e) {
      caught = e;
    }
    if (caught !== undefined) {
      expect(caught).toBeInstanceOf(LivemigError);
      expect((caught as CapacityError | InvalidOptionError).field).toBe('memoryBytes');
      if (!resolved) checkPageCountRefusal({ memoryBytes: pages * 4096 });
    }
  });
});
