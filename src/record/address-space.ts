import type { TraceRegion } from '../traces/header.js';
import type { Mapping } from './maps.js';

/** A run of virtual pages given a run of trace page numbers the first time it was seen writable. */
export interface Region {
  /** First virtual address and its page count. */
  va: number;
  pages: number;
  /** First trace page number. */
  firstPage: number;
  name: string;
  sinceInterval: number;
  /** Anonymous memory (no file behind it): a page not yet present reads as zeros. */
  anonymous: boolean;
  /** True when the region appeared after the first scan in anonymous memory: its earlier content was zero. */
  zeroBaseline: boolean;
}

/** A part of a current mapping inside one region: what a scan reads. */
export interface Piece {
  region: Region;
  /** Page offset inside the region, and the number of pages. */
  offset: number;
  pages: number;
}

/**
 * Turns a process's sparse, changing virtual address space into the dense page space of a trace [REC]:
 * writable virtual pages get trace page numbers in the order they are first seen, and keep them (a page
 * unmapped and mapped again at the same address is the same trace page). A mapping that grows (the heap's
 * brk, a stack) gets its new part as a new region.
 */
export class AddressSpace {
  /** Regions sorted by virtual address; they never overlap. */
  readonly regions: Region[] = [];
  pages = 0;

  constructor(private readonly pageSize: number) {}

  /** Maps `mappings` onto regions (adding regions for virtual pages not seen before) and returns the pieces to scan. */
  update(mappings: readonly Mapping[], interval: number): Piece[] {
    const ps = this.pageSize;
    const pieces: Piece[] = [];
    for (const m of mappings) {
      let va = m.start;
      const end = m.end;
      // Walk the regions overlapping [va, end), filling the gaps between them with new regions.
      let i = this.firstEndingAfter(va);
      while (va < end) {
        const r = this.regions[i];
        if (r && r.va <= va) {
          const rEnd = r.va + r.pages * ps;
          const stop = Math.min(end, rEnd);
          pieces.push({ region: r, offset: (va - r.va) / ps, pages: (stop - va) / ps });
          va = stop;
          i++;
          continue;
        }
        const gapEnd = r ? Math.min(end, r.va) : end;
        const anonymous = m.name === '' || /^\[(heap|stack|anon:.*)\]$/.test(m.name);
        const fresh: Region = {
          va, pages: (gapEnd - va) / ps, firstPage: this.pages, name: m.name, sinceInterval: interval,
          anonymous, zeroBaseline: interval > 0 && anonymous,
        };
        this.pages += fresh.pages;
        this.regions.splice(i, 0, fresh);
        pieces.push({ region: fresh, offset: 0, pages: fresh.pages });
        va = gapEnd;
        i++;
      }
    }
    return pieces;
  }

  /** The regions as the trace header lists them, in trace page order. */
  describe(): TraceRegion[] {
    return [...this.regions]
      .sort((a, b) => a.firstPage - b.firstPage)
      .map((r) => ({ firstPage: r.firstPage, pages: r.pages, address: `0x${r.va.toString(16)}`, name: r.name, sinceInterval: r.sinceInterval }));
  }

  private firstEndingAfter(va: number): number {
    let lo = 0;
    let hi = this.regions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.regions[mid]!;
      if (r.va + r.pages * this.pageSize <= va) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
