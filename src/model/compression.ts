/**
 * Multifd compression and page contents: the defaults of the compressible class's ratio and of a channel's
 * compress throughput, by method and level. Used by the option table's defaults text and by the wire model
 * (src/engine/wire-model.ts); the options `compressionRatio` and `compressPerCoreBytesPerSec` override them.
 *
 * Sources and reasoning:
 * - Level 1 of zstd (QEMU's default level, migration/options.c DEFAULT_MIGRATE_MULTIFD_ZSTD_LEVEL) is calibrated on
 *   QEMU's own measurement (docs/devel/migration/qatzip-compression.rst, 10.1) [ABS]: 54 GiB of Silesia data plus
 *   10 GiB of zero pages, 8 channels, zstd: 20.2 s at 810 % CPU and 8 579 Mb/s on the wire. CPU-bound on 8 cores,
 *   that is 54 GiB / 20.2 s / 8 ≈ 360 MB/s of input per core, and 58 GB in / 21.7 GB out ≈ 2.7 : 1 [REC from ABS].
 * - Other levels and zlib: the same figures scaled by lzbench's relative speeds and ratios on the Silesia corpus
 *   (zlib 1.2.11 −1: 119 MB/s, 2.74; −6: 35 MB/s, 3.07; −9: 14 MB/s, 3.13; zstd 1.4 −1: 470 MB/s, 2.88; −3: 330,
 *   3.13; −9: 60, 3.47; −19: 3, 3.70) [MEM], interpolated between the levels listed [REC].
 * - Level 0: zlib stores (ratio 1, memcpy-like speed) [SRC zlib Z_NO_COMPRESSION]; zstd level 0 means its
 *   default level 3 [SRC zstd ZSTD_CLEVEL_DEFAULT].
 * - Incompressible pages keep their size: zlib and zstd fall back to stored/raw blocks whose framing (a few bytes
 *   per 64–128 KiB block) is below 0.01 % [REC]; zero pages never reach the compressor (QEMU detects them
 *   first, on the main thread or in the channel, qemu-versions-and-wire.md §A.3).
 */

/** multifd-compression methods modelled (qpl, uadk and qatzip need hardware and are not). */
export const COMPRESSION_METHODS = ['none', 'zlib', 'zstd'] as const;
export type CompressionMethod = (typeof COMPRESSION_METHODS)[number];

/** QEMU's default level for zlib and zstd (DEFAULT_MIGRATE_MULTIFD_ZLIB_LEVEL, _ZSTD_LEVEL). */
export const DEFAULT_COMPRESSION_LEVEL = 1;
/** Highest level QEMU accepts (migrate_params_check): zlib 9, zstd 20. */
export const MAX_COMPRESSION_LEVEL: Record<Exclude<CompressionMethod, 'none'>, number> = { zlib: 9, zstd: 20 };

/** [ratio of a compressible page, uncompressed input bytes per second per core] at the levels listed. */
type Points = readonly (readonly [level: number, ratio: number, bytesPerSec: number])[];

const MB = 1e6;
const ZSTD1 = { ratio: 2.7, rate: 360 * MB };
const ZSTD: Points = [
  [1, ZSTD1.ratio, ZSTD1.rate],
  [3, ZSTD1.ratio * (3.13 / 2.88), ZSTD1.rate * (330 / 470)],
  [9, ZSTD1.ratio * (3.47 / 2.88), ZSTD1.rate * (60 / 470)],
  [19, ZSTD1.ratio * (3.7 / 2.88), ZSTD1.rate * (3 / 470)],
  [20, ZSTD1.ratio * (3.72 / 2.88), ZSTD1.rate * (2.5 / 470)],
];
const ZLIB: Points = [
  [0, 1, 2000 * MB],
  [1, ZSTD1.ratio * (2.74 / 2.88), ZSTD1.rate * (119 / 470)],
  [6, ZSTD1.ratio * (3.07 / 2.88), ZSTD1.rate * (35 / 470)],
  [9, ZSTD1.ratio * (3.13 / 2.88), ZSTD1.rate * (14 / 470)],
];

function interpolate(points: Points, level: number): { ratio: number; bytesPerSec: number } {
  let lo = points[0]!;
  let hi = points[points.length - 1]!;
  for (const p of points) {
    if (p[0] <= level) lo = p;
    if (p[0] >= level) { hi = p; break; }
  }
  if (hi[0] === lo[0]) return { ratio: lo[1], bytesPerSec: lo[2] };
  const t = (level - lo[0]) / (hi[0] - lo[0]);
  // Speeds fall geometrically with the level, ratios rise about linearly.
  return { ratio: lo[1] + t * (hi[1] - lo[1]), bytesPerSec: lo[2] * Math.pow(hi[2] / lo[2], t) };
}

/** The default ratio of a compressible page and the per-core throughput of `method` at `level`. */
export function compressionDefaults(method: Exclude<CompressionMethod, 'none'>, level: number): { ratio: number; bytesPerSec: number } {
  if (method === 'zstd') return interpolate(ZSTD, level === 0 ? 3 : level);
  return interpolate(ZLIB, level);
}
