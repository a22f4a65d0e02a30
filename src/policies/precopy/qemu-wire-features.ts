/**
 * QEMU's XBZRLE, multifd and compression options checked against the release and the machine type, and turned
 * into the engine's WireConfig (src/engine/wire-model.ts, which models them). Sources: qemu/qemu
 * migration/options.c (migrate_caps_check, migrate_params_check), migration/ram.c (ram_save_target_page,
 * save_xbzrle_page), migration/multifd.c, hw/core/machine.c (hw_compat_8_0, hw_compat_8_2); reference
 * qemu-versions-and-wire.md §A.3, §A.5, §B.1, §B.2.
 */
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { compressionDefaults, DEFAULT_COMPRESSION_LEVEL, MAX_COMPRESSION_LEVEL } from '../../model/compression.js';
import type { ResolvedScenario } from '../../model/report.js';
import { changedBytesPerWrite, type WireConfig } from '../../engine/wire-model.js';
import { QEMU_VERSIONS, type QemuReleaseRules } from './qemu-releases.js';
import type { WireFormat } from '../../engine/wire.js';

const order = (v: string) => (QEMU_VERSIONS as readonly string[]).indexOf(v);

/** The wire configuration of a QEMU run, or null when no wire feature is on. Throws naming the option at fault. */
export function qemuWireConfig(s: ResolvedScenario, rules: QemuReleaseRules, wire: WireFormat): WireConfig | null {
  const machine = s.machineType ?? s.qemuVersion;
  if (order(machine) > order(s.qemuVersion)) {
    throw new InvalidOptionError('machineType', machine, `a machine type of QEMU ${s.qemuVersion} or earlier (a binary runs its own and older machine types)`);
  }
  const channels = s.multifdChannels;
  const method = s.multifdCompression;
  if (channels === null) {
    if (method !== 'none') throw new InvalidOptionError('multifdCompression', method, "'none' without multifd (multifd-compression compresses multifd channels: set multifdChannels)");
  }
  if (method === 'none') {
    for (const k of ['multifdCompressionLevel', 'compressionRatio', 'compressPerCoreBytesPerSec'] as const) {
      if (s[k] !== null) throw new InvalidOptionError(k, s[k], 'no value without compression (set multifdCompression to zlib or zstd)');
    }
  } else if (s.multifdCompressionLevel !== null && s.multifdCompressionLevel > MAX_COMPRESSION_LEVEL[method]) {
    throw new InvalidOptionError('multifdCompressionLevel', s.multifdCompressionLevel, `0 to ${MAX_COMPRESSION_LEVEL[method]} for ${method} (multifd-${method}-level)`);
  }
  const ps = s.pageSize;
  const cache = s.xbzrleCacheBytes;
  if (s.xbzrle && (cache < ps || cache % ps !== 0 || (cache & (cache - 1)) !== 0)) {
    throw new InvalidOptionError('xbzrleCacheBytes', cache, `a power of two, at least the page size (${ps} B): xbzrle-cache-size must be a multiple of the target page size and a power of 2`);
  }
  if (s.xbzrle && channels !== null && rules.xbzrleWithMultifd === 'refused') {
    throw new InvalidOptionError('xbzrle', true, `false with multifd on QEMU ${s.qemuVersion}: "Multifd is not compatible with xbzrle" (migrate_caps_check, QEMU 8.2+); up to 8.1 the pair is accepted and XBZRLE never encodes`);
  }
  if (!s.xbzrle && channels === null) return null;
  const level = s.multifdCompressionLevel ?? DEFAULT_COMPRESSION_LEVEL;
  const defaults = method === 'none' ? null : compressionDefaults(method, level);
  return {
    pageSize: ps,
    normalPageBytes: wire.normalPageBytes,
    zeroPageBytes: wire.zeroPageBytes,
    compressibleFraction: s.compressibleFraction,
    seed: s.seed,
    xbzrle: s.xbzrle
      ? { entries: cache / ps, changedBytes: changedBytesPerWrite(s.workloads, ps), encodeBytesPerSec: s.xbzrleEncodeBytesPerSec, inert: channels !== null }
      : null,
    multifd: channels === null ? null : {
      channels,
      // hw_compat_8_2 sets zero-page-detection=legacy, hw_compat_8_0 multifd-flush-after-each-section=on.
      zeroInChannel: rules.multifdZeroPages && order(machine) >= order('9.0'),
      counting: rules.multifdCounting,
      flush: rules.multifdSyncPerRound && order(machine) >= order('8.1') ? 'round' : 'section',
      compression: defaults === null ? null : {
        ratio: s.compressionRatio ?? defaults.ratio,
        bytesPerSecPerCore: s.compressPerCoreBytesPerSec ?? defaults.bytesPerSec,
      },
    },
  };
}
