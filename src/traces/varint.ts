/**
 * Unsigned LEB128 varints (as in protobuf and WebAssembly): 7 bits per byte, high bit = more follows.
 * Values up to 2^53 (microsecond times, page numbers below 2^32) are encoded exactly with arithmetic, not
 * 32-bit shifts, so large values are not truncated.
 */

/** A growable byte buffer that varints are appended to. */
export class ByteSink {
  private buf = new Uint8Array(1024);
  length = 0;

  /** Appends `value` (a non-negative safe integer) as a varint. */
  varint(value: number): void {
    if (this.length + 10 > this.buf.length) this.grow(10);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** The bytes written so far (a view; valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }

  private grow(extra: number): void {
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/** Reads varints from `bytes`; `fail(at, what)` is called (and must throw) on a varint that runs off the end or overflows. */
export class ByteSource {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    private readonly fail: (at: number, what: string) => never,
  ) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varint(): number {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.bytes.length) return this.fail(start, 'a number runs past the end of its block');
      const b = this.bytes[this.pos++]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) break;
      scale *= 0x80;
      if (scale > 2 ** 53) return this.fail(start, 'a number is longer than 8 bytes (over 2^53)');
    }
    if (!Number.isSafeInteger(value)) return this.fail(start, 'a number exceeds 2^53');
    return value;
  }
}
