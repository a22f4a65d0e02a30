/**
 * Where the Wasm core comes from: its bytes are inlined at build time (scripts/inline-wasm.mjs, from
 * build/release.wasm), so Node, bundlers, a plain <script type="module"> and Web Workers all compile the same
 * bytes, synchronously, without a file system or a fetch. This module imports nothing from Node.
 */
import { WASM_BASE64 } from './wasm-bytes.generated.js';

let compiled: WebAssembly.Module | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** The compiled core, compiled once per thread (a few KB: synchronous compilation is allowed everywhere). */
export function coreModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(decodeBase64(WASM_BASE64));
  return compiled;
}

/** The core's only possible import: AssemblyScript's abort (a release build with noAssert imports nothing). */
const IMPORTS = { env: { abort: () => { throw new Error('livemig: the Wasm core aborted'); } } };

/** A fresh instance of the core (one per VM). */
export function instantiateCore(): WebAssembly.Exports {
  return new WebAssembly.Instance(coreModule(), IMPORTS).exports;
}
