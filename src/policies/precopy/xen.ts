import type { MigrationContext, WireFormat } from '../../engine/context.js';
import {
  XEN_BATCH_HEADER_BYTES, XEN_BATCH_PAGES, XEN_LAST_ITER_PAGES, XEN_MAX_FACTOR, XEN_MAX_ITERS, XEN_PFN_TYPE_BYTES,
} from '../../engine/defaults.js';
import { type PrecopyAlgorithm, type PrecopyOutcome, checkCaps } from './algorithm.js';

/**
 * Xen's classic live save loop, tools/libxc/xc_domain_save.c (Xen 4.2–4.5; read at RELEASE-4.5.0). Reference §3.1.
 *
 * - Round 1 sends every page; each later round sends the dirty bitmap fetched and cleared
 *   (SHADOW_OP_CLEAN) at the end of the round before, in one full pass at link speed (no rate limit).
 * - Pages go in batches of MAX_BATCH_SIZE (1024): before each batch the dirty bitmap is peeked
 *   (SHADOW_OP_PEEK) and a page dirtied again since is skipped and counted in skip_this_iter; the log keeps
 *   it for the next round. Not applied in the final round.
 * - After each round: stop when iter ≥ DEF_MAX_ITERS (29), or sent + skipped < 50 pages, or more than
 *   DEF_MAX_FACTOR (3) × memory has been sent; the next round is the stop-and-copy (so at most 30 rounds).
 * - Wire: a 4-byte batch header, then each page in full with its 8-byte pfn_type entry; the format has no
 *   zero-page elision.
 * Not modelled: HVM guests (xc_domain_save does not skip in round 1 for them and sends re-dirtied pages as
 * 8-byte XALLOC entries), so this is the PV guest's loop; the 4-byte end-of-pages terminator.
 */
export const xen: PrecopyAlgorithm = {
  name: 'xen',
  wire(pageSize: number): WireFormat {
    const page = pageSize + XEN_PFN_TYPE_BYTES;
    return { normalPageBytes: page, zeroPageBytes: page, burstTrailerBytes: XEN_BATCH_HEADER_BYTES };
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
        // One batch: the scan stops once the 1024th page is on the wire (every page costs the same).
        ctx.burst((XEN_BATCH_PAGES - 1) * ctx.wire.normalPageBytes + 1, { wrap: false, skipDirty: s.xenSkipRule, maxMs: Number.POSITIVE_INFINITY });
      }
      const sent = ctx.normalPages + ctx.zeroPages - sentBefore;
      const skipped = ctx.skippedPages - skippedBefore;
      totalSent += sent;
      if (
        iter >= XEN_MAX_ITERS || sent + skipped < XEN_LAST_ITER_PAGES || totalSent > s.pages * XEN_MAX_FACTOR ||
        ctx.controllerWantsStop(() => ctx.remainingPages + ctx.store.countBits('dirtyLog'))
      ) {
        ctx.stopAndCopy();
        return { status: 'completed' };
      }
      ctx.sync();
    }
  },
};
