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

/**
 * The destination after a postcopy, from a traced store (trace: true) and `switchStamp`, the largest stamp before
 * the switch (the largest lastSend when the last pre-copy round ended). Stamps above it belong to postcopy:
 * sends are pushes or fetches, writes are the destination guest's. A page the destination guest wrote must have
 * been there first (received before the switch, pushed, or fetched by the fault of that access: its last send
 * no later than its last write) and never overwritten by a send after; a page it did not write must carry the
 * source's last write (the pre-copy rule). Returns every violation (empty when consistent).
 */
export function postcopyDestinationViolations(store: PageStore, switchStamp: number, limit = Number.POSITIVE_INFINITY): (ConsistencyViolation | { page: number; lastWrite: number; lastSend: number; why: 'written at the destination before it arrived, or overwritten after' })[] {
  const lw = store.lastWrite;
  const ls = store.lastSend;
  if (lw === null || ls === null) throw new Error('postcopyDestinationViolations needs a store created with trace: true');
  const out: ReturnType<typeof postcopyDestinationViolations> = [];
  for (let p = 0; p < store.pages && out.length < limit; p++) {
    const w = lw[p]!;
    const s = ls[p]!;
    if (w > switchStamp) {
      if (s > w) out.push({ page: p, lastWrite: w, lastSend: s, why: 'written at the destination before it arrived, or overwritten after' });
    } else if (w > s) out.push({ page: p, lastWrite: w, lastSend: s, why: 'written after its last send' });
    else if (s === 0 && bit(store.populated, p)) out.push({ page: p, lastWrite: w, lastSend: s, why: 'populated but never sent' });
  }
  return out;
}
