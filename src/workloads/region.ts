import type { PageRange } from './workload.js';

/** The page range a region spec (fractions of memory) covers in a VM of `pages` pages; never empty. */
export function regionPages(pages: number, regionStart = 0, regionSize = 1 - regionStart): PageRange {
  const start = Math.min(pages - 1, Math.floor(regionStart * pages));
  const count = Math.max(1, Math.min(pages - start, Math.floor(regionSize * pages)));
  return { start, count };
}
