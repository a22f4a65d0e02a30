import { closeSync, openSync, readSync } from 'node:fs';
import type { Piece, Region } from './address-space.js';

/** Pages read per readSync call and per copy buffer: 4 MiB at 4 KiB pages [REC: large enough that syscalls cost little]. */
const CHUNK_PAGES = 1024;
/** pagemap bits 63 (present) and 62 (swapped) [SRC linux Documentation/admin-guide/mm/pagemap.rst]. */
const RESIDENT = (1n << 63n) | (1n << 62n);
/** Pages compared at once by memcmp before looking at single pages (16 × 4 KiB = 64 KiB). */
const GROUP_PAGES = 16;

/** What one scan found. */
export interface ScanResult {
  /** Trace page numbers written since the previous scan, and the changed bytes of each (same order, sorted by page). */
  pages: Uint32Array;
  changedBytes: Uint32Array;
  bytesRead: number;
  /** Pages the kernel refused to read (EIO: e.g. a file mapping beyond the file's end); treated as unchanged. */
  unreadablePages: number;
}

interface RegionState {
  /** The previous scan's copy, one buffer per CHUNK_PAGES pages, allocated on first read. */
  chunks: (Buffer | undefined)[];
  /** With `compare: 'hash'`: two 32-bit hashes per page instead of the copy. */
  hashes: (Uint32Array | undefined)[];
  /** 1 = the page has a baseline copy (it was read before, or is known to have been zero). */
  seen: Uint8Array;
}

/**
 * The `content` method: reads the writable pages through /proc/PID/mem and compares each with the copy
 * taken at the previous scan; a page whose bytes differ was written, and the number of differing bytes is
 * what XBZRLE would have to encode. A write that restores the old bytes, or several writes to one page
 * between two scans, look like no write and one write respectively. Memory: one copy of every writable
 * page read.
 */
export class ContentScanner {
  private readonly state = new Map<Region, RegionState>();
  private readonly scratch: Buffer;

  private memFd = -1;
  private pagemapFd = -1;
  private readonly pagemap = new BigUint64Array(CHUNK_PAGES);

  /** The two hashes of an all-zero page (the baseline of memory that appears during the recording). */
  private readonly zeroHash: [number, number];

  constructor(
    private readonly pid: number,
    private readonly pageSize: number,
    /** Keep a copy of every page (finds changed bytes) or two 32-bit hashes per page (8 bytes instead of a page). */
    readonly compare: 'copy' | 'hash' = 'copy',
  ) {
    this.scratch = Buffer.allocUnsafeSlow(CHUNK_PAGES * pageSize);
    const zero = new Uint32Array(pageSize / 4);
    this.zeroHash = hashPage(zero, 0, zero.length);
  }

  /**
   * Opens /proc/PID/mem for one scan. An open file stays bound to the address space it was opened on, so a
   * descriptor opened before a just-started command's exec would read the old image: open it per scan.
   */
  private open(): void {
    this.memFd = openSync(`/proc/${this.pid}/mem`, 'r');
    try {
      this.pagemapFd = openSync(`/proc/${this.pid}/pagemap`, 'r');
    } catch {
      this.pagemapFd = -1; // read every page instead
    }
  }

  /** Reads every piece, returns the pages changed since the last scan (none the first time a page is read). */
  scan(pieces: readonly Piece[]): ScanResult {
    this.open();
    try {
      return this.scanOpen(pieces);
    } finally {
      closeSync(this.memFd);
      if (this.pagemapFd >= 0) closeSync(this.pagemapFd);
    }
  }

  private scanOpen(pieces: readonly Piece[]): ScanResult {
    const ps = this.pageSize;
    const found: number[] = [];
    const changed: number[] = [];
    let bytesRead = 0;
    let unreadable = 0;
    for (const piece of pieces) {
      const r = piece.region;
      let st = this.state.get(r);
      if (!st) {
        st = { chunks: [], hashes: [], seen: new Uint8Array(r.pages) };
        // A region that appeared in anonymous memory after recording began started as zero pages.
        if (r.zeroBaseline) st.seen.fill(1);
        this.state.set(r, st);
      }
      const end = piece.offset + piece.pages;
      for (let p = piece.offset; p < end; ) {
        const ci = Math.floor(p / CHUNK_PAGES);
        const stop = Math.min(end, (ci + 1) * CHUNK_PAGES);
        const n = stop - p;
        const got = r.anonymous ? this.readPresent(r.va + p * ps, n) : this.read(r.va + p * ps, n);
        bytesRead += got.bytes;
        unreadable += got.bad.size;
        const base = (p - ci * CHUNK_PAGES) * ps;
        if (this.compare === 'hash') {
          this.compareHashes(st, r, ci, p, n, got.bad, found);
          p = stop;
          continue;
        }
        let prev = st.chunks[ci];
        if (!prev) {
          prev = st.chunks[ci] = Buffer.alloc(CHUNK_PAGES * ps);
          if (!r.zeroBaseline && got.bad.size === 0) {
            // First sight of these pages: take the copy; there is nothing to compare with.
            this.scratch.copy(prev, base, 0, n * ps);
            st.seen.fill(1, p, stop);
            p = stop;
            continue;
          }
        }
        for (let g = 0; g < n; g += GROUP_PAGES) {
          const gn = Math.min(GROUP_PAGES, n - g);
          if (got.bad.size === 0 && this.scratch.compare(prev, base + g * ps, base + (g + gn) * ps, g * ps, (g + gn) * ps) === 0) {
            for (let k = g; k < g + gn; k++) st.seen[p + k] = 1;
            continue;
          }
          for (let k = g; k < g + gn; k++) {
            if (got.bad.has(k)) continue;
            const page = p + k;
            const off = base + k * ps;
            if (this.scratch.compare(prev, off, off + ps, k * ps, (k + 1) * ps) !== 0) {
              if (st.seen[page]) {
                found.push(r.firstPage + page);
                changed.push(countChanged(this.scratch, k * ps, prev, off, ps));
              }
              this.scratch.copy(prev, off, k * ps, (k + 1) * ps);
            }
            st.seen[page] = 1;
          }
        }
        p = stop;
      }
    }
    // Regions are visited in address order, trace pages are numbered in order of discovery: sort by page.
    const order = Array.from(found.keys()).sort((a, b) => found[a]! - found[b]!);
    return {
      pages: Uint32Array.from(order, (i) => found[i]!),
      changedBytes: Uint32Array.from(order, (i) => changed[i]!),
      bytesRead,
      unreadablePages: unreadable,
    };
  }

  /** The hash variant of the comparison: a page whose hashes changed was written (no changed-byte count). */
  private compareHashes(st: RegionState, r: Region, ci: number, p: number, n: number, bad: ReadonlySet<number>, found: number[]): void {
    let h = st.hashes[ci];
    if (!h) {
      h = st.hashes[ci] = new Uint32Array(CHUNK_PAGES * 2);
      if (r.zeroBaseline) for (let i = 0; i < CHUNK_PAGES; i++) { h[2 * i] = this.zeroHash[0]; h[2 * i + 1] = this.zeroHash[1]; }
    }
    const words = new Uint32Array(this.scratch.buffer, this.scratch.byteOffset, (n * this.pageSize) >>> 2);
    const per = this.pageSize >>> 2;
    const slot0 = p - ci * CHUNK_PAGES;
    for (let k = 0; k < n; k++) {
      if (bad.has(k)) continue;
      const [a, b] = hashPage(words, k * per, per);
      const slot = 2 * (slot0 + k);
      if (h[slot] !== a || h[slot + 1] !== b) {
        if (st.seen[p + k]) found.push(r.firstPage + p + k);
        h[slot] = a;
        h[slot + 1] = b;
      }
      st.seen[p + k] = 1;
    }
  }

  /** Forgets the copies of regions no longer mapped (their pages keep their numbers; a new mapping starts from a fresh copy). */
  retain(live: ReadonlySet<Region>): void {
    for (const r of this.state.keys()) if (!live.has(r)) this.state.delete(r);
  }

  /**
   * Like read, but pages the pagemap says are neither present nor swapped (bits 63, 62) are not read: in anonymous
   * memory they are zero pages, and reading them through /proc/PID/mem costs as much as reading real ones.
   */
  private readPresent(va: number, n: number): { bytes: number; bad: Set<number> } {
    if (this.pagemapFd < 0) return this.read(va, n);
    const ps = this.pageSize;
    const entries = this.pagemap.subarray(0, n);
    const got = readSync(this.pagemapFd, new Uint8Array(entries.buffer, 0, n * 8), 0, n * 8, (va / ps) * 8);
    if (got !== n * 8) return this.read(va, n);
    const bad = new Set<number>();
    let bytes = 0;
    for (let k = 0; k < n; ) {
      const resident = (entries[k]! & RESIDENT) !== 0n;
      let j = k + 1;
      while (j < n && ((entries[j]! & RESIDENT) !== 0n) === resident) j++;
      if (resident) {
        const part = this.read(va + k * ps, j - k, k);
        bytes += part.bytes;
        for (const b of part.bad) bad.add(b);
      } else {
        this.scratch.fill(0, k * ps, j * ps);
      }
      k = j;
    }
    return { bytes, bad };
  }

  /** Reads `n` pages at `va` into the scratch buffer; pages that fail to read are listed in `bad` (zero-filled). */
  private read(va: number, n: number, at = 0): { bytes: number; bad: Set<number> } {
    const ps = this.pageSize;
    const bad = new Set<number>();
    try {
      const got = readSync(this.memFd, this.scratch, at * ps, n * ps, va);
      if (got === n * ps) return { bytes: got, bad };
    } catch (e) {
      if (isGone(e)) throw e;
    }
    // Something in the range did not read (EIO on an unbacked file page, or a short read): go page by page.
    let bytes = 0;
    for (let k = 0; k < n; k++) {
      try {
        const got = readSync(this.memFd, this.scratch, (at + k) * ps, ps, va + k * ps);
        bytes += got;
        if (got !== ps) bad.add(at + k);
      } catch (e) {
        if (isGone(e)) throw e;
        bad.add(at + k);
      }
    }
    return { bytes, bad };
  }
}

/** ESRCH: the process exited while being read. */
function isGone(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ESRCH';
}

/**
 * Two independent 32-bit hashes of a page's words [REC: FNV-1a-style and a multiply-rotate lane; a change
 * goes unseen only if both collide, about 2^-64 per changed page].
 */
function hashPage(w: Uint32Array, from: number, n: number): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = from; i < from + n; i++) {
    const x = w[i]!;
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul((b + x) | 0, 0x85ebca6b);
    b = (b << 13) | (b >>> 19);
  }
  return [a >>> 0, b >>> 0];
}

/** Bytes that differ between two pages, word by word (pages are 4-byte aligned in both buffers). */
function countChanged(a: Buffer, ao: number, b: Buffer, bo: number, len: number): number {
  const wa = new Uint32Array(a.buffer, a.byteOffset + ao, len >>> 2);
  const wb = new Uint32Array(b.buffer, b.byteOffset + bo, len >>> 2);
  let n = 0;
  for (let i = 0; i < wa.length; i++) {
    const x = wa[i]! ^ wb[i]!;
    if (x === 0) continue;
    n += ((x & 0xff) !== 0 ? 1 : 0) + ((x & 0xff00) !== 0 ? 1 : 0) + ((x & 0xff0000) !== 0 ? 1 : 0) + ((x >>> 24) !== 0 ? 1 : 0);
  }
  return n;
}
