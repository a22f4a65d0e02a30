/**
 * Wire realism (issue 11): page contents, XBZRLE, multifd and compression, as QEMU puts them on the wire.
 * The pre-copy algorithm (src/policies/precopy/qemu.ts) builds a WireConfig from the scenario and its release's
 * rules; the engine's bursts then scan through this model instead of the plain per-page costs.
 *
 * Page contents [REC], never stored: a page is zero (its populated bit clear), or of the compressible or the
 * incompressible class. The class is a hash of the page's 64-page block and the seed (assembly/index.ts
 * compressibleBlock), so `compressibleFraction` of the blocks are compressible: no per-page state, and the
 * word-at-a-time scan still holds. What a write changes is the workload's `bytesChangedPerWrite` (the same bytes
 * of the page, in place, src/model/workloads.ts).
 *
 * XBZRLE (QEMU migration/ram.c save_xbzrle_page, migration/page_cache.c, migration/xbzrle.c; reference §B.1):
 * off until the first scan wrap (xbzrle_started), then every populated page looks up its slot (page index mod
 * entries, a direct-mapped cache of cacheBytes / pageSize entries). Miss: cache_miss, insert (refused while the slot
 * holds another page younger than 2 syncs; never in the last stage), a normal page. Hit: the entry's age becomes
 * dirty_sync_count, the encoder reads the page, and sends nothing (unchanged), an encoded page (8 B header, 1 B flag,
 * 2 B length, data) or, above a page, a normal page (overflow). The encoder runs in the migration thread at
 * `xbzrleEncodeBytesPerSec`: a burst lasts the longer of its link time and its encode time.
 *
 * Multifd (migration/multifd.c, multifd-zlib.c, multifd-zstd.c; reference §B.2, §A.3): the main thread queues pages
 * into 128-page packets (MULTIFD_PACKET_SIZE / page size), each with a 1 344 B header (320 B + 128 offsets of 8 B),
 * handed to the channels round-robin. A sync (multifd_send_sync_main) flushes the partial packet and sends a
 * header-only SYNC packet on every channel; 8.1+ in per-round mode also puts an 8 B RAM_SAVE_FLAG_MULTIFD_FLUSH on
 * the main stream. Syncs come after every section (≤ 8.0, or machine types ≤ 8.0) or at every scan wrap (8.1+),
 * and at setup and completion. Zero pages are 9 B on the main stream, or (9.0+, machine ≥ 9.0) offsets in a
 * packet. With compression a compressible page's payload is pageSize / ratio (rounded), an incompressible one
 * stays its size; compressing takes pageSize / compressPerCoreBytesPerSec per page on one channel's core, so the
 * channels together compress at channels × that rate, and a burst lasts the longer of its link time and its
 * compress time. Which bytes the rate limit and the bandwidth estimate see depends on the release: ≤ 8.0 counts
 * page bytes uncompressed plus the header at enqueue; 8.1 the payloads written (headers missed); 8.2+ payload and
 * header (the wire). [REC] The rate limit is checked per page with the header spread over the packet's pages
 * (10.5 B a page), and a packet's bytes are counted when its pages are queued; QEMU counts them when the packet is
 * written, so its overshoot can reach channels × 512 KiB. Not modelled: the destination's decompression, the pipeline
 * bubble after a sync, qpl/uadk/qatzip, the old compress-threads capability.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { WIRE_SLOTS, type PageStore } from '../core/page-store.js';
import type { MultifdStats, ResolvedScenario, RoundRecord, XbzrleStats } from '../model/report.js';
import type { WorkloadSpec } from '../model/workloads.js';

/** Pages per multifd packet payload (MULTIFD_PACKET_SIZE 512 KiB / 4 KiB; 128 whatever the page size). */
export const MULTIFD_PACKET_PAGES = 128;
/** Bytes of a multifd packet header: MultiFDPacket_t's 320 B plus 128 offsets of 8 B (migration/multifd.h). */
export const MULTIFD_PACKET_HEADER_BYTES = 320 + 8 * MULTIFD_PACKET_PAGES;
/** RAM_SAVE_FLAG_MULTIFD_FLUSH on the main stream (8.1+, migration/ram.c). */
export const MULTIFD_FLUSH_FLAG_BYTES = 8;
/** An XBZRLE page's framing: page header 8 B + ENCODING_FLAG_XBZRLE 1 B + be16 length (save_xbzrle_page). */
export const XBZRLE_FRAME_BYTES = 8 + 1 + 2;
/** QEMU page header (save_page_header), excluded from xbzrle-cache.bytes. */
const PAGE_HEADER_BYTES = 8;

/** How multifd's bytes are counted for the rate limit and the bandwidth estimate (reference §A.3). */
export type MultifdCounting = 'enqueue' | 'payload' | 'wire';

/** What the algorithm tells the engine about the wire (null parts are off). */
export interface WireConfig {
  pageSize: number;
  /** Main-stream page costs. */
  normalPageBytes: number;
  zeroPageBytes: number;
  compressibleFraction: number;
  seed: number;
  /** XBZRLE; `inert`: the capability is on but every page takes the multifd path (QEMU < 8.2 with multifd). */
  xbzrle: { entries: number; changedBytes: number; encodeBytesPerSec: number; inert: boolean } | null;
  multifd: {
    channels: number;
    zeroInChannel: boolean;
    counting: MultifdCounting;
    flush: 'section' | 'round';
    compression: { ratio: number; bytesPerSecPerCore: number } | null;
  } | null;
}

/** The bytes a workload's write changes in its page: the largest over the vCPUs' workloads (phases: over their phases). */
export function changedBytesPerWrite(workloads: readonly WorkloadSpec[], pageSize: number): number {
  let most = 0;
  const visit = (w: WorkloadSpec): void => {
    if (w.kind === 'phases') {
      for (const p of w.phases as readonly { workload: WorkloadSpec }[]) visit(p.workload);
      return;
    }
    if (!('bytesChangedPerWrite' in w)) return;
    const b = (w as { bytesChangedPerWrite?: number }).bytesChangedPerWrite;
    most = Math.max(most, b === undefined ? pageSize : Math.min(b, pageSize));
  };
  for (const w of workloads) visit(w);
  return most;
}

/** Options of the wire features are QEMU's: other algorithms refuse them, naming the first one set. */
export function refuseWireOptions(s: ResolvedScenario): void {
  const set: [string, unknown][] = [
    ['xbzrle', s.xbzrle ? true : null], ['multifdChannels', s.multifdChannels], ['multifdCompression', s.multifdCompression === 'none' ? null : s.multifdCompression],
    ['machineType', s.machineType],
  ];
  for (const [k, v] of set) {
    if (v !== null) throw new InvalidOptionError(k, v, `its default with algorithm ${s.algorithm} (XBZRLE, multifd and machine types are QEMU's: algorithm qemu)`);
  }
}

function zeroXbzrle(): XbzrleStats {
  return { pages: 0, bytes: 0, cacheMiss: 0, cacheMissRate: 0, encodingRate: 0, overflow: 0, unchangedPages: 0, encodeCpuMs: 0 };
}
function zeroMultifd(channels: number): MultifdStats {
  return {
    channels, pages: 0, zeroPages: 0, packets: 0, syncPackets: 0, bytes: 0, countedBytes: 0, uncompressedBytes: 0, compressedBytes: 0,
    compressionRatio: 1, compressCpuMs: 0, flushFlagBytes: 0,
  };
}

/** One scan's result, as the engine accounts it. */
export interface WireScan {
  cursor: number;
  /** Pages taken off the to-send bitmap. */
  taken: number;
  normal: number;
  zero: number;
  skipped: number;
  /** Bytes the rate limit and the bandwidth estimate count. */
  counted: number;
  /** Bytes on the link. */
  wire: number;
  /** Time the CPU-bound stage (encoder or compressors) needs, ms. */
  cpuMs: number;
  /** Its work: page bytes read by the encoder or the compressors. */
  work: number;
}

/** The running wire: XBZRLE cache state lives in the page store; packets, channels and statistics here. */
export class WireModel {
  private xbzrleStarted = false;
  private packetFill = 0;
  private nextChannel = 0;
  /** Pages and packets per channel (the round-robin of multifd_send). */
  readonly channelPages: number[];
  readonly channelPackets: number[];
  readonly totalX: XbzrleStats | null;
  readonly totalM: MultifdStats | null;
  private roundX: XbzrleStats | null = null;
  private roundM: MultifdStats | null = null;
  /** Pages sent of any kind in the round and in total (cache-miss-rate's denominator). */
  private roundSent = 0;
  private totalSent = 0;
  private readonly compressedPageBytes: number;
  private readonly cpuRate: number;

  constructor(private readonly store: PageStore, readonly cfg: WireConfig) {
    const m = cfg.multifd;
    const ps = cfg.pageSize;
    this.channelPages = new Array<number>(m?.channels ?? 0).fill(0);
    this.channelPackets = new Array<number>(m?.channels ?? 0).fill(0);
    this.totalX = cfg.xbzrle ? zeroXbzrle() : null;
    this.totalM = m ? zeroMultifd(m.channels) : null;
    this.compressedPageBytes = m?.compression ? Math.max(1, Math.round(ps / m.compression.ratio)) : ps;
    this.cpuRate = m?.compression ? m.compression.bytesPerSecPerCore * m.channels : cfg.xbzrle && !cfg.xbzrle.inert ? cfg.xbzrle.encodeBytesPerSec : Infinity;
    store.setContent(cfg.compressibleFraction, cfg.seed);
    if (cfg.xbzrle) store.initXbzrle(cfg.xbzrle.entries);
    store.setWireCosts(this.costs());
    store.setXbzrle(false, 0, false, 0, ps, XBZRLE_FRAME_BYTES, ps);
  }

  /** Per-page costs [counted, wire, work] × [zero, incompressible, compressible] for the core's scan. */
  private costs(): number[] {
    const c = this.cfg;
    const m = c.multifd;
    if (m === null) return [c.zeroPageBytes, c.normalPageBytes, c.normalPageBytes, c.zeroPageBytes, c.normalPageBytes, c.normalPageBytes, 0, 0, 0];
    const hdr = MULTIFD_PACKET_HEADER_BYTES / MULTIFD_PACKET_PAGES;
    const ps = c.pageSize;
    const zeroWire = m.zeroInChannel ? hdr : c.zeroPageBytes;
    const wireI = ps + hdr;
    const wireC = this.compressedPageBytes + hdr;
    const counted = m.counting === 'enqueue' ? [c.zeroPageBytes, ps + hdr, ps + hdr]
      : m.counting === 'payload' ? [m.zeroInChannel ? 0 : c.zeroPageBytes, ps, this.compressedPageBytes]
        : [zeroWire, wireI, wireC];
    const work = m.compression ? ps : 0;
    return [...counted, zeroWire, wireI, wireC, 0, work, work];
  }

  /** The CPU-bound stage's work budget for a burst of `maxMs` (Infinity when nothing is CPU-bound). */
  workBudget(maxMs: number): number {
    return this.cpuRate === Infinity ? Infinity : (this.cpuRate * maxMs) / 1000;
  }

  /** A round begins: its statistics start at zero. */
  openRound(r: RoundRecord): void {
    this.roundSent = 0;
    if (this.totalX) r.xbzrle = this.roundX = zeroXbzrle();
    if (this.totalM) r.multifd = this.roundM = zeroMultifd(this.totalM.channels);
  }

  /** A round ends: its rates are computed. */
  closeRound(): void {
    if (this.roundX) finishX(this.roundX, this.roundSent, this.cfg.pageSize);
    if (this.roundM) finishM(this.roundM);
  }

  /** The run's statistics, rates computed (for the summary). */
  totals(): { xbzrle?: XbzrleStats; multifd?: MultifdStats } {
    const out: { xbzrle?: XbzrleStats; multifd?: MultifdStats } = {};
    if (this.totalX) out.xbzrle = finishX({ ...this.totalX }, this.totalSent, this.cfg.pageSize);
    if (this.totalM) out.multifd = finishM({ ...this.totalM });
    return out;
  }

  private addX(f: (x: XbzrleStats) => void): void {
    if (this.totalX) f(this.totalX);
    if (this.roundX) f(this.roundX);
  }
  private addM(f: (m: MultifdStats) => void): void {
    if (this.totalM) f(this.totalM);
    if (this.roundM) f(this.roundM);
  }

  /** The first scan wrap (complete_round): XBZRLE starts. */
  startXbzrle(): void {
    this.xbzrleStarted = this.cfg.xbzrle !== null && !this.cfg.xbzrle.inert;
  }

  /**
   * One scan of [cursor, end) under the three budgets; `generation` is dirty_sync_count, `lastStage` the
   * stop-and-copy. Multifd packets filled by the scan are emitted (their headers billed) as they fill.
   */
  scan(cursor: number, end: number, budget: number, wireBudget: number, workBudget: number, skipDirty: boolean, generation: number, lastStage: boolean): WireScan {
    const c = this.cfg;
    const st = this.store;
    if (c.xbzrle && this.xbzrleStarted) st.setXbzrle(true, generation, lastStage, c.xbzrle.changedBytes, c.pageSize, XBZRLE_FRAME_BYTES, c.pageSize);
    const next = st.scanSendWire(cursor, end, budget, wireBudget, workBudget, skipDirty);
    const o = st.wireCounters();
    const normal = o[WIRE_SLOTS.normal]!;
    const zero = o[WIRE_SLOTS.zero]!;
    const skipped = o[WIRE_SLOTS.skipped]!;
    const comp = o[WIRE_SLOTS.compressible]!;
    const work = o[WIRE_SLOTS.work]!;
    const enc = o[WIRE_SLOTS.xbzrleEncoded]!;
    const unchanged = o[WIRE_SLOTS.xbzrleUnchanged]!;
    let counted = 0;
    let wire = 0;
    const m = c.multifd;
    if (m === null) {
      // Main stream only: the core's sums are exact (whole bytes).
      counted = wire = o[WIRE_SLOTS.wire]!;
      if (this.xbzrleStarted && c.xbzrle) {
        const data = o[WIRE_SLOTS.xbzrleData]!;
        const overflow = o[WIRE_SLOTS.xbzrleOverflow]!;
        const miss = o[WIRE_SLOTS.xbzrleMiss]!;
        this.addX((x) => {
          x.pages += enc;
          x.bytes += enc * (XBZRLE_FRAME_BYTES - PAGE_HEADER_BYTES) + data + overflow * c.pageSize;
          x.cacheMiss += miss;
          x.overflow += overflow;
          x.unchangedPages += unchanged;
          x.encodeCpuMs += (work / c.xbzrle!.encodeBytesPerSec) * 1000;
        });
      }
    } else {
      const ps = c.pageSize;
      const inChannelZero = m.zeroInChannel ? zero : 0;
      const mainZero = zero - inChannelZero;
      const payload = comp * this.compressedPageBytes + (normal - comp) * ps;
      const packets = this.queue(normal + inChannelZero);
      const headers = packets * MULTIFD_PACKET_HEADER_BYTES;
      const mainBytes = mainZero * c.zeroPageBytes;
      const channelWire = payload + headers;
      wire = mainBytes + channelWire;
      const channelCounted = m.counting === 'enqueue' ? normal * ps + headers : m.counting === 'payload' ? payload : channelWire;
      counted = mainBytes + channelCounted;
      const cpuCoreMs = m.compression ? (work / m.compression.bytesPerSecPerCore) * 1000 : 0;
      this.addM((x) => {
        x.pages += normal;
        x.zeroPages += inChannelZero;
        x.packets += packets;
        x.bytes += channelWire;
        x.countedBytes += channelCounted;
        x.uncompressedBytes += normal * ps;
        x.compressedBytes += payload;
        x.compressCpuMs += cpuCoreMs;
      });
    }
    const sent = normal + zero + enc;
    this.roundSent += sent;
    this.totalSent += sent;
    return {
      cursor: next, taken: normal + zero + skipped + enc + unchanged, normal, zero, skipped, counted, wire,
      cpuMs: this.cpuRate === Infinity ? 0 : (work / this.cpuRate) * 1000, work,
    };
  }

  /** Queues `n` pages into packets; returns the full packets emitted, handed to the channels round-robin. */
  private queue(n: number): number {
    const fill = this.packetFill + n;
    const full = Math.floor(fill / MULTIFD_PACKET_PAGES);
    this.packetFill = fill - full * MULTIFD_PACKET_PAGES;
    const ch = this.channelPages.length;
    if (full > 0) {
      // Packet i goes to channel (next + i) mod ch: each channel gets floor or ceil of full / ch.
      const base = Math.floor(full / ch);
      const extra = full - base * ch;
      for (let i = 0; i < ch; i++) {
        const k = base + (((i - this.nextChannel + ch) % ch) < extra ? 1 : 0);
        this.channelPackets[i]! += k;
        this.channelPages[i]! += k * MULTIFD_PACKET_PAGES;
      }
      this.nextChannel = (this.nextChannel + full) % ch;
    }
    return full;
  }

  /** Whether multifd syncs after every section (≤ 8.0 rules) rather than at every wrap. */
  get syncPerSection(): boolean {
    return this.cfg.multifd?.flush === 'section';
  }
  get syncPerRound(): boolean {
    return this.cfg.multifd?.flush === 'round';
  }

  /**
   * multifd_send_sync_main: the partial packet goes out, then one header-only SYNC packet per channel; in
   * per-round mode (8.1+) the main stream carries RAM_SAVE_FLAG_MULTIFD_FLUSH. Returns the bytes, counted and on the wire.
   */
  sync(): { counted: number; wire: number } {
    const m = this.cfg.multifd;
    if (m === null) return { counted: 0, wire: 0 };
    let packets = 0;
    if (this.packetFill > 0) {
      const i = this.nextChannel;
      this.channelPackets[i]! += 1;
      this.channelPages[i]! += this.packetFill;
      this.nextChannel = (i + 1) % m.channels;
      this.packetFill = 0;
      packets = 1;
    }
    const syncPackets = m.channels;
    const headers = (packets + syncPackets) * MULTIFD_PACKET_HEADER_BYTES;
    const flag = m.flush === 'round' ? MULTIFD_FLUSH_FLAG_BYTES : 0;
    const channelCounted = m.counting === 'payload' ? 0 : headers;
    this.addM((x) => {
      x.packets += packets;
      x.syncPackets += syncPackets;
      x.bytes += headers;
      x.countedBytes += channelCounted;
      x.flushFlagBytes += flag;
    });
    return { counted: channelCounted + flag, wire: headers + flag };
  }
}

function finishX(x: XbzrleStats, sent: number, pageSize: number): XbzrleStats {
  x.cacheMissRate = sent > 0 ? x.cacheMiss / sent : 0;
  // QEMU divides by xbzrle bytes, overflows' page size included (migration_update_rates).
  x.encodingRate = x.pages > 0 && x.bytes > 0 ? (x.pages * pageSize) / x.bytes : 0;
  return x;
}
function finishM(m: MultifdStats): MultifdStats {
  m.compressionRatio = m.compressedBytes > 0 ? m.uncompressedBytes / m.compressedBytes : 1;
  return m;
}
