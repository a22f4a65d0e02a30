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

/** Half-open page ranges [start, end), sorted and disjoint. */
type Ranges = [number, number][];

/**
 * Populates `count` of the pages of `ranges` (taken in page order), spread evenly: page i of them is taken when
 * floor((i+1)·k/n) steps up. The per-page walk is the core's (populateSpread), one call per range. Returns how
 * many it set.
 */
function spreadOver(store: PageStore, ranges: Ranges, count: number): number {
  let n = 0;
  for (const [a, b] of ranges) n += b - a;
  const k = Math.min(count, n);
  if (k <= 0) return 0;
  let acc = 0;
  for (const [a, b] of ranges) acc = store.populateSpread(a, b, k, n, acc);
  return k;
}

/** The union of the writers' regions, and the rest of memory, as sorted disjoint ranges. */
function regionsAndRest(pages: number, workloads: readonly WorkloadSpec[]): { region: Ranges; rest: Ranges } {
  const spans = workloads
    .filter((w) => 'regionStart' in w)
    .map((w) => regionPages(pages, (w as { regionStart?: number }).regionStart, (w as { regionSize?: number }).regionSize))
    .map((r): [number, number] => [r.start, r.start + r.count])
    .sort((x, y) => x[0] - y[0]);
  const region: Ranges = [];
  for (const [a, b] of spans) {
    const last = region[region.length - 1];
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else region.push([a, b]);
  }
  const rest: Ranges = [];
  let p = 0;
  for (const [a, b] of region) {
    if (a > p) rest.push([p, a]);
    p = b;
  }
  if (p < pages) rest.push([p, pages]);
  return { region, rest };
}

/**
 * Fills the store's populated bitmap for the layout, with the core's range calls (populatePrefix, populateSpread),
 * one per range, never one per page.
 */
export function populateLayout(store: PageStore, layout: string, populatedFraction: number, workloads: readonly WorkloadSpec[]): void {
  const pages = store.pages;
  const count = Math.floor(populatedFraction * pages);
  if (layout === 'top') {
    store.populatePrefix(count);
    return;
  }
  store.populatePrefix(0);
  if (layout.startsWith('zero:')) {
    const ranges = parseZeroRanges('zeroPageLayout', layout, pages);
    let p = 0;
    for (const [a, b] of [...ranges, [pages, pages] as [number, number]]) {
      if (a > p) store.populateSpread(p, a, 1, 1, 0); // every page of the gap
      p = b + 1;
    }
    return;
  }
  // spread: the workloads' regions first, then the rest of memory.
  const { region, rest } = regionsAndRest(pages, workloads);
  const used = spreadOver(store, region, count);
  spreadOver(store, rest, count - used);
}
