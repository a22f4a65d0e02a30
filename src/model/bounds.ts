/** Bounds several option tables share, so a rate or downtime accepted by one is accepted by every other. */

/** The fastest rate any option, trace or layer may give: 1e13 B/s (80 Tbit/s, beyond any link). */
export const MAX_RATE_BYTES_PER_SEC = 1e13;
/** QEMU's largest downtime-limit (migration/options.c MAX_MIGRATE_DOWNTIME_SECONDS = 2000 s), ms. */
export const MAX_DOWNTIME_LIMIT_MS = 2_000_000;
