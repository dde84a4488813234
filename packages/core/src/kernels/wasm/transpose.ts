// Transpose for the wasm backend when the innermost dimension stays innermost (e.g. splitting
// a fused qkv projection into heads: [B, N, 3, H, hd] → [3, B, H, N, hd]). The shipped kernel
// falls into a per-element index loop for such rank-5 permutations (~70 ms for 0.9 M floats
// here, more than all of a ViT block's matmuls); copying contiguous runs through heap views
// takes ~1 ms. Inputs of rank ≤ 4 (size-1 dims aside) and permutations that move the
// innermost dimension stay with the shipped kernel, which is fast there (XNNPACK).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asWasmBackend, sizeOf, type HeapArray } from './wasm-heap.js';

type TransposeArgs = { inputs: { x: TensorInfo }; attrs: { perm: number[] }; backend: unknown };

/** Input shape and permutation with size-1 dims dropped and dims that stay adjacent merged. */
export function simplifyPermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const keep = shape.map((d) => d !== 1);
  // Walk the output order; an input dim that directly follows the previous one merges into it.
  const groups: number[][] = [];
  for (const axis of perm) {
    if (!keep[axis]) continue;
    const last = groups.at(-1);
    if (last && nextKept(keep, last.at(-1)!) === axis) last.push(axis);
    else groups.push([axis]);
  }
  const byInputOrder = [...groups].sort((a, b) => a[0] - b[0]);
  const mergedShape = byInputOrder.map((g) => g.reduce((p, a) => p * shape[a], 1));
  const mergedPerm = groups.map((g) => byInputOrder.indexOf(g));
  return { shape: mergedShape, perm: mergedPerm };
}

function nextKept(keep: boolean[], axis: number): number {
  for (let a = axis + 1; a < keep.length; a++) if (keep[a]) return a;
  return -1;
}

/** Copies x (row-major `shape`) permuted by `perm` into out; perm must keep the last axis last. */
export function transposeRuns(x: HeapArray, shape: number[], perm: number[], out: HeapArray): void {
  const rank = shape.length;
  const run = shape[rank - 1];
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const outer = perm.slice(0, -1); // output dims above the run, in output order
  const dims = outer.map((a) => shape[a]);
  const strides = outer.map((a) => inStrides[a]);
  const idx = new Array<number>(outer.length).fill(0);
  const count = sizeOf(dims);
  let src = 0;
  for (let n = 0, dst = 0; n < count; n++, dst += run) {
    if (run >= 32) out.set(x.subarray(src, src + run), dst);
    else for (let j = 0; j < run; j++) out[dst + j] = x[src + j];
    // odometer over output dims, moving the input offset incrementally
    for (let d = outer.length - 1; d >= 0; d--) {
      src += strides[d];
      if (++idx[d] < dims[d]) break;
      src -= strides[d] * dims[d];
      idx[d] = 0;
    }
  }
}

export function makeTransposeConfig(shipped: KernelConfig): KernelConfig {
  const shippedFunc = shipped.kernelFunc as unknown as (a: TransposeArgs) => TensorInfo;
  const kernelFunc = (args: TransposeArgs): TensorInfo => {
    const { x } = args.inputs;
    const { shape, perm } = simplifyPermutation(x.shape, args.attrs.perm);
    const rank = x.shape.filter((d) => d !== 1).length;
    const innermostMoves = perm.at(-1) !== perm.length - 1;
    if (x.dtype === 'string' || rank <= 4 || perm.length < 2 || innermostMoves) return shippedFunc(args);
    const backend = asWasmBackend(args.backend, 'Transpose');
    const outShape = args.attrs.perm.map((a) => x.shape[a]);
    const out = backend.makeOutput(outShape, x.dtype);
    transposeRuns(backend.typedArrayFromHeap(x), shape, perm, backend.typedArrayFromHeap(out));
    return out;
  };
  return { ...shipped, kernelFunc: kernelFunc as unknown as KernelFunc };
}
