import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * Folder (with trailing separator) holding tfjs-backend-wasm's .wasm binaries. Resolved through
 * Node's resolver so it works from source, from our ESM dist and from our CJS dist (tsup shims
 * `import.meta.url` there), wherever npm hoisted the package.
 */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm'); // .../dist/tf-backend-wasm.node.js
  return path.dirname(entry) + path.sep;
}

/** Names of the expected binaries that are absent from `dir` (empty when all are there). */
export function missingWasmBinaries(dir: string): string[] {
  return WASM_BINARIES.filter((name) => !fs.existsSync(path.join(dir, name)));
}
