import type { MigrationContext, WireFormat } from '../../engine/context.js';
import { XEN_LAST_ITER_PAGES, XEN_MAX_FACTOR, XEN_MAX_ITERS } from '../../engine/defaults.js';
import { type PrecopyAlgorithm, type PrecopyOutcome, checkCaps } from './algorithm.js';

/**
 * Xen's classic live save loop, tools/libxc/xc_domain_save.c (Xen 3.x–4.5). Reference §3.1.
 *
 * - Round 1 sends every page; each later round sends the dirty bitmap fetched and cleared
 *   (SHADOW_OP_CLEAN) at the end of the round before, in one full pass at link speed (no rate limit:
 *   ADAPTIVE_SAVE is off in the common build).
 * - Skip rule: a page whose dirty bit is set again when its turn comes (SHADOW_OP_PEEK) is skipped and
 *   counted in skip_this_iter; the log keeps it for the next round. Not applied in the final round.
 * - After each round: stop when iter ≥ DEF_MAX_ITERS (29), or sent + skipped < 50 pages, or more than
 *   DEF_MAX_FACTOR (3) × memory has been sent; the next round is the stop-and-copy (so at most 30 rounds).
 * - Wire: every page goes in full with its 8-byte pfn_type entry; the classic format has no zero-page
 *   elision and no end-of-section marker. [REC: per-batch headers of 4 B per 1024 pages are left out]
 */
export const xen: PrecopyAlgorithm = {
  name: 'xen',
  wire(pageSize: number): WireFormat {
    return { normalPageBytes: pageSize + 8, zeroPageBytes: pageSize + 8, burstTrailerBytes: 0 };
  },
  run(ctx: MigrationContext): PrecopyOutcome {
    const s = ctx.options.scenario;
    ctx.setup();
    ctx.sync();
    let totalSent = 0;
    for (let iter = 1; ; iter++) {
      const sentBefore = ctx.normalPages + ctx.zeroPages;
      const skippedBefore = ctx.skippedPages;
      ctx.cursor = 0;
      while (!ctx.passDone) {
        const capped = checkCaps(ctx);
        if (capped) return capped;
        ctx.burst(Number.POSITIVE_INFINITY, { wrap: false, skipDirty: s.xenSkipRule });
      }
      const sent = ctx.normalPages + ctx.zeroPages - sentBefore;
      const skipped = ctx.skippedPages - skippedBefore;
      totalSent += sent;
      if (
        iter >= XEN_MAX_ITERS || sent + skipped < XEN_LAST_ITER_PAGES || totalSent > s.pages * XEN_MAX_FACTOR ||
        ctx.controllerWantsStop(ctx.remainingPages + ctx.store.countBits('dirtyLog'))
      ) {
        ctx.stopAndCopy();
        return { status: 'completed' };
      }
      ctx.sync();
    }
  },
};
