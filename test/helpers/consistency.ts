import type { PageStore } from '../../src/core/page-store.js';
import { bit } from './stores.js';

/** One page the destination would hold wrong after the migration. */
export interface ConsistencyViolation {
  page: number;
  /** Stamp of the page's last write at the source (0 = never written during the run). */
  lastWrite: number;
  /** Stamp of the page's last send (0 = never sent). */
  lastSend: number;
  why: 'written after its last send' | 'populated but never sent';
}

/**
 * Checks, from a traced store (trace: true), that the destination holds the source's memory: every page's
 * last write came before its last send (stamps are a counter bumped once per touch or send call, so the order
 * is exact), and every page that holds data (populated at boot or written since) was sent at least once.
 * A page that was never written and never populated is a zero page: the destination's fresh memory matches it
 * without a send. Returns every violation (empty when consistent).
 */
export function destinationViolations(store: PageStore, limit = Number.POSITIVE_INFINITY): ConsistencyViolation[] {
  const lw = store.lastWrite;
  const ls = store.lastSend;
  if (lw === null || ls === null) throw new Error('destinationViolations needs a store created with trace: true');
  const out: ConsistencyViolation[] = [];
  for (let p = 0; p < store.pages && out.length < limit; p++) {
    const w = lw[p]!;
    const s = ls[p]!;
    if (w > s) out.push({ page: p, lastWrite: w, lastSend: s, why: 'written after its last send' });
    else if (s === 0 && bit(store.populated, p)) out.push({ page: p, lastWrite: w, lastSend: s, why: 'populated but never sent' });
  }
  return out;
}
