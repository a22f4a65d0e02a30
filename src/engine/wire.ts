/** What one page costs on the wire; each pre-copy algorithm declares its own (beside it in src/policies/precopy/). */
export interface WireFormat {
  normalPageBytes: number;
  zeroPageBytes: number;
  /** Bytes framing each send burst (QEMU's section header, EOS and footer; Xen's batch header). */
  burstTrailerBytes: number;
}
