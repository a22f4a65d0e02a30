import { LivemigError } from './livemig-error.js';

/** Thrown when a VM's bitmaps (and traces) do not fit in the Wasm core's 4 GiB address space. */
export class CapacityError extends LivemigError {
  override name = 'CapacityError';
  constructor(
    readonly field: string,
    readonly requiredBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `invalid ${field}: the VM needs ${requiredBytes} bytes of Wasm memory for its page bitmaps, ` +
        `more than the core can address (${limitBytes} bytes); use fewer pages (a smaller memory or a larger page size)` +
        ' or turn per-page tracing off',
    );
  }
}
