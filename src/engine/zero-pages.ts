/**
 * Where the zero pages are when migration starts (the `zeroPageLayout` option): which pages of guest memory
 * were written since boot (populated) and which are still zero. QEMU sends a zero page as 9 B
 * (save_zero_page), so where they sit decides when in the first pass the scan speeds up, and so the time of
 * the first re-sync.
 * - 'spread' (default): populated pages spread evenly, as in a real guest's RAM, where the kernel's
 *   allocator scatters what it has touched [REC]; the workloads' regions are populated first, so a region's
 *   writes land on populated pages (its meaning is unchanged), the rest of the populated pages are spread
 *   evenly over the remaining memory.
 * - 'top': populated pages are a prefix of memory and every zero page sits at the top (livemig ≤ 0.1).
 * - 'zero:A-B,C-D': exactly these page ranges (inclusive page indices) are zero, every other page is
 *   populated; populatedFraction is then not used.
 */
import type { PageStore } from '../core/page-store.js';
import { ZERO_PAGE_LAYOUTS, ZERO_RANGES_PATTERN, ZERO_RANGES_SYNTAX, parseZeroRanges } from '../model/guest-model.js';
import type { WorkloadSpec } from '../model/workloads.js';
import { regionPages } from '../workloads/region.js';

export { ZERO_PAGE_LAYOUTS, ZERO_RANGES_PATTERN, ZERO_RANGES_SYNTAX, parseZeroRanges };

/** Sets `count` of the pages in [start, start+n) whose bit is clear, spread evenly (Bresenham); returns how many it set. */
function spreadOver(bits: Uint32Array, free: number[], count: number): number {
  const n = free.length;
  if (count <= 0 || n === 0) return 0;
  const k = Math.min(count, n);
  for (let i = 0; i < n; i++) {
    // Page i of the free list is taken when floor((i+1)·k/n) steps up: k of n, evenly spaced.
    if (Math.floor(((i + 1) * k) / n) > Math.floor((i * k) / n)) {
      const p = free[i]!;
      bits[p >>> 5]! |= 1 << (p & 31);
    }
  }
  return k;
}

/**
 * Fills the store's populated bitmap for the layout. Writes the bitmap view directly (both stores expose it),
 * after populatePrefix for 'top' (the core's own loop) or populatePrefix(0) to start from all-zero.
 */
export function populateLayout(store: PageStore, layout: string, populatedFraction: number, workloads: readonly WorkloadSpec[]): void {
  const pages = store.pages;
  const count = Math.floor(populatedFraction * pages);
  if (layout === 'top') {
    store.populatePrefix(count);
    return;
  }
  store.populatePrefix(0);
  const bits = store.populated;
  if (layout.startsWith('zero:')) {
    const ranges = parseZeroRanges('zeroPageLayout', layout, pages);
    let p = 0;
    for (const [a, b] of [...ranges, [pages, pages] as [number, number]]) {
      for (; p < a; p++) bits[p >>> 5]! |= 1 << (p & 31);
      p = b + 1;
    }
    return;
  }
  // spread: the workloads' regions first, then the rest of memory.
  const inRegion = new Uint8Array(pages);
  for (const w of workloads) {
    if (!('regionStart' in w) || w.writesPerSec === undefined) continue;
    const r = regionPages(pages, w.regionStart, w.regionSize);
    inRegion.fill(1, r.start, r.start + r.count);
  }
  const region: number[] = [];
  const rest: number[] = [];
  for (let p = 0; p < pages; p++) (inRegion[p] === 1 ? region : rest).push(p);
  const used = spreadOver(bits, region, count);
  spreadOver(bits, rest, count - used);
}
