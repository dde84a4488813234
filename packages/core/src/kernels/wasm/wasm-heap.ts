// Direct access to the wasm backend's tensor memory, for kernels written in TypeScript.
// `typedArrayFromHeap` returns a *view* on the wasm heap (no copy), unlike `readSync`, which
// copies the whole tensor. A view is only valid until the next allocation (malloc may grow and
// replace the heap buffer), so kernels allocate their outputs first and take views after.
import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs';

export type HeapArray = Float32Array | Int32Array | Uint8Array;

export interface WasmBackendAccess {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): HeapArray;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

export function asWasmBackend(backend: unknown, kernelName: string): WasmBackendAccess {
  const b = backend as Partial<WasmBackendAccess> | null;
  if (!b || typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
    throw new Error(`${kernelName}: expected the tfjs wasm backend (makeOutput/typedArrayFromHeap missing)`);
  }
  return b as WasmBackendAccess;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
