import { CapacityError } from '../errors/capacity-error.js';

/**
 * What the Wasm core can hold. The core (assembly/) is sized by these, and option ranges are checked against
 * them, so they are written once, here.
 */

export { MAX_STREAMS } from './streams.js';
/** Most pages a VM may have: page indices are 32-bit in the core (kept a whole 64-page word below 2^32). */
export const MAX_PAGES = 2 ** 32 - 64;
/** Bytes a 64-bit float counts exactly (2^53, 8 PiB): the most memory, data cap and data sent a run may have. */
export const MAX_EXACT_BYTES = 2 ** 53;
/** The wasm32 address space. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;
/** Room kept for the core's own data (stack, PRNG streams) below the bitmaps. */
export const WASM_RESERVED_BYTES = 1024 * 1024;

/** Bytes of Wasm memory per page: four bitmaps and the core's summary bit per 64 pages, plus two u32 stamps when tracing. */
export function bytesPerPage(trace: boolean): number {
  return 4 / 8 + 1 / 512 + (trace ? 8 : 0);
}

/** Refuses a VM the core cannot hold (bitmaps beyond the wasm32 address space, or page numbers beyond 32 bits). */
export function checkCapacity(field: string, pages: number, trace: boolean, pageSize?: number): void {
  const need = Math.ceil(pages * bytesPerPage(trace)) + WASM_RESERVED_BYTES;
  if (need > WASM_MEMORY_LIMIT_BYTES) {
    throw new CapacityError(field, need, WASM_MEMORY_LIMIT_BYTES, trace
      ? `the VM needs ${need} bytes of Wasm memory for its page bitmaps and per-page traces (8 B per page), more than ` +
        `the core can address (${WASM_MEMORY_LIMIT_BYTES} bytes); turn tracing off or use fewer pages`
      : undefined);
  }
  if (pages > MAX_PAGES) {
    throw new CapacityError(field, need, WASM_MEMORY_LIMIT_BYTES,
      `${pages} pages${pageSize === undefined ? '' : ` of ${pageSize} B`}; the core indexes at most ${MAX_PAGES} pages (32-bit page numbers): use a larger page size`);
  }
}
