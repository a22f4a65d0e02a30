import { LivemigError } from './livemig-error.js';

/**
 * Thrown when a VM does not fit the Wasm core: its bitmaps (and traces) need more than the 4 GiB wasm32
 * address space, or it has more pages than the core's 32-bit page indices reach (`reason` says which).
 */
export class CapacityError extends LivemigError {
  override name = 'CapacityError';
  constructor(
    readonly field: string,
    readonly requiredBytes: number,
    readonly limitBytes: number,
    /** Why, when it is not the bitmaps' size (the page count, or tracing). */
    readonly reason?: string,
  ) {
    super(
      `invalid ${field}: ` +
        (reason ??
          `the VM needs ${requiredBytes} bytes of Wasm memory for its page bitmaps, more than the core can address ` +
            `(${limitBytes} bytes); use fewer pages (a smaller memory or a larger page size)`),
    );
  }
}
