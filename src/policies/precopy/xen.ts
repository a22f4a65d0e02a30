import type { CpuShareActuator } from '../../engine/context.js';
import type { PrecopyContext } from '../../engine/precopy-context.js';
import type { WireFormat } from '../../engine/wire.js';
import { type PrecopyAlgorithm, type PrecopyOutcome, checkCaps } from './algorithm.js';
import { refusePostcopy } from './algorithm.js';

/** Xen DEF_MAX_ITERS: 29 live iterations, so the 30th round is the stop-and-copy (xc_domain_save.c). */
export const XEN_MAX_ITERS = 29;
/** Xen DEF_MAX_FACTOR: stop once more than 3 × memory has been sent. */
export const XEN_MAX_FACTOR = 3;
/** Xen last-iteration trigger: sent + skipped in a round below this many pages. */
export const XEN_LAST_ITER_PAGES = 50;
/** Xen MAX_BATCH_SIZE: pages per batch; the dirty bitmap is peeked before each batch (xg_save_restore.h). */
export const XEN_BATCH_PAGES = 1024;
/** Xen batch header: the page count as an unsigned int. */
export const XEN_BATCH_HEADER_BYTES = 4;
/** Xen pfn_type entry sent with every page (unsigned long). */
export const XEN_PFN_TYPE_BYTES = 8;
/** Xen credit scheduler accounting period, over which a cap is enforced. [REC: cap modelled as a duty cycle] */
export const XEN_CREDIT_PERIOD_MS = 30;

/** Page + 8-byte pfn_type entry for every page (no zero-page elision), 4-byte header per batch. */
export function xenWire(pageSize: number): WireFormat {
  const page = pageSize + XEN_PFN_TYPE_BYTES;
  return { normalPageBytes: page, zeroPageBytes: page, burstTrailerBytes: XEN_BATCH_HEADER_BYTES };
}

/**
 * A Xen credit-scheduler cap (`xl sched-credit -c`) of share × 100 % of a physical CPU, at least 1 %, as a duty
 * cycle over the accounting period; a cap of 0 means uncapped (Cherkasova et al., 2007).
 */
export const xenCreditCap: CpuShareActuator = (share) => {
  const capPct = share * 100;
  const s = capPct <= 0 ? 1 : Math.min(100, Math.max(1, capPct)) / 100;
  return { cycle: s >= 1 ? null : { runMs: s * XEN_CREDIT_PERIOD_MS, sleepMs: (1 - s) * XEN_CREDIT_PERIOD_MS }, mode: 'restart' };
};

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
 * - A controller's CPU share is imposed as a credit-scheduler cap (xenCreditCap).
 * Not modelled: HVM guests (xc_domain_save does not skip in round 1 for them and sends re-dirtied pages as
 * 8-byte XALLOC entries), so this is the PV guest's loop; the 4-byte end-of-pages terminator.
 */
export const xen: PrecopyAlgorithm = {
  name: 'xen',
  wire: xenWire,
  cpuShare: xenCreditCap,
  run(ctx: PrecopyContext): PrecopyOutcome {
    refusePostcopy(ctx.scenario);
    const s = ctx.scenario;
    const batchBudget = (XEN_BATCH_PAGES - 1) * xenWire(s.pageSize).normalPageBytes + 1;
    ctx.setup();
    ctx.sync();
    let totalSent = 0;
    for (let iter = 1; ; iter++) {
      const sentBefore = ctx.normalPages + ctx.zeroPages;
      const skippedBefore = ctx.skippedPages;
      ctx.restartPass();
      while (!ctx.passDone) {
        const capped = checkCaps(ctx);
        if (capped) return capped;
        // One batch: the scan stops once the 1024th page is on the wire (every page costs the same).
        ctx.burst(batchBudget, { wrap: false, skipDirty: s.xenSkipRule, maxMs: Number.POSITIVE_INFINITY });
      }
      const sent = ctx.normalPages + ctx.zeroPages - sentBefore;
      const skipped = ctx.skippedPages - skippedBefore;
      totalSent += sent;
      if (
        iter >= XEN_MAX_ITERS || sent + skipped < XEN_LAST_ITER_PAGES || totalSent > s.pages * XEN_MAX_FACTOR ||
        ctx.controllerWantsStop(() => ctx.remainingPages + ctx.dirtyLogPages())
      ) {
        return ctx.stopAndCopy();
      }
      ctx.sync();
    }
  },
};
