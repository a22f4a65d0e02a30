/** The inlined core (src/core/wasm-bytes.generated.ts) must be build/release.wasm byte for byte: Node and browsers run it. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WASM_BASE64, WASM_SHA256 } from '../../src/core/wasm-bytes.generated.js';

describe('inlined Wasm core', () => {
  it('is build/release.wasm (else run `node scripts/inline-wasm.mjs` after asc)', () => {
    const disk = readFileSync(new URL('../../build/release.wasm', import.meta.url));
    expect(Buffer.from(WASM_BASE64, 'base64').equals(disk)).toBe(true);
    expect(createHash('sha256').update(disk).digest('hex')).toBe(WASM_SHA256);
  });
});
