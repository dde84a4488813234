// Slice for the wasm backend without the whole-input copy. The shipped kernel calls
// `readSync(x)`, which copies all of x out of the wasm heap on every call, so `unstack`/`split`
// of an n-row tensor cost O(n²). Here we read x through a heap view and copy only the block.
import { slice_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asWasmBackend, sizeOf, type HeapArray } from './wasm-heap.js';

export interface SliceArgs {
  inputs: { x: TensorInfo };
  attrs: { begin: number | number[]; size?: number | number[] };
  backend: unknown;
}

/** Kernel function shared by Slice, Unpack, SplitV and StridedSlice overrides. */
export function sliceWasm(args: SliceArgs): TensorInfo {
  const { x } = args.inputs;
  if (x.dtype === 'string') throw new Error('Slice (wasm override): string tensors are not supported');
  const backend = asWasmBackend(args.backend, 'Slice');
  // parseSliceParams wants a tensor-like with .shape/.rank; TensorInfo has shape only.
  const xLike = { shape: x.shape, rank: x.shape.length } as unknown as Parameters<typeof slice_util.parseSliceParams>[0];
  const [begin, size] = slice_util.parseSliceParams(xLike, args.attrs.begin, args.attrs.size);
  const out = backend.makeOutput(size, x.dtype);
  if (sizeOf(size) === 0) return out;
  // Views after the allocation: makeOutput may grow (and replace) the heap.
  copyBlock(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

/**
 * Copies the block `[begin, begin + size)` of a row-major tensor of `shape` into `dst`.
 * Trailing dimensions taken whole are merged into one contiguous run per outer index.
 */
export function copyBlock(src: HeapArray, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: HeapArray): void {
  const rank = shape.length;
  let d = rank - 1;
  let run = 1;
  while (d >= 0 && begin[d] === 0 && size[d] === shape[d]) run *= shape[d--];
  if (d < 0) {
    dst.set(src.subarray(0, run));
    return;
  }
  const strides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  run *= size[d]; // dims after d are whole, so this run is contiguous
  let base = 0;
  for (let i = 0; i <= d; i++) base += begin[i] * strides[i];
  const idx = new Array<number>(d).fill(0);
  const count = sizeOf(size.slice(0, d));
  for (let n = 0, outOff = 0; n < count; n++, outOff += run) {
    let off = base;
    for (let i = 0; i < d; i++) off += idx[i] * strides[i];
    copyRun(src, off, dst, outOff, run);
    for (let i = d - 1; i >= 0 && ++idx[i] === size[i]; i--) idx[i] = 0; // odometer
  }
}

function copyRun(src: HeapArray, from: number, dst: HeapArray, to: number, n: number): void {
  if (n >= 32) {
    dst.set(src.subarray(from, from + n), to);
    return;
  }
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i]; // subarray costs more than tiny loops
}

export const sliceConfig: KernelConfig = {
  kernelName: 'Slice',
  backendName: 'wasm',
  kernelFunc: sliceWasm as unknown as KernelFunc,
};
