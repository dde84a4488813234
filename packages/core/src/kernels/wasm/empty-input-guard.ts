// Reductions and matrix products over ZERO elements return uninitialised memory on the wasm
// backend of tfjs 4.22: the kernels allocate their output and never write it (XNNPACK also
// refuses a matmul whose inner dimension is 0 and logs "XNN status … not successful"). An empty
// batch — an image without boxes, a modality absent from a batch — then yields a garbage loss
// and garbage gradients (measured: sum([]) = 3.6e-41, all([]) = 128, a [2,0]·[0,3] product full
// of leftovers). These guards give such outputs the values the cpu backend computes:
// Sum/Mean 0, Prod 1, Max/Min NaN, All/Any false, a product over an empty inner dimension 0.
import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asWasmBackend, sizeOf } from './wasm-heap.js';

const REDUCTION_FILL: Readonly<Record<string, number>> = { Sum: 0, Mean: 0, Prod: 1, Max: Number.NaN, Min: Number.NaN, All: 0, Any: 0 };

/** wasm kernels that get an empty-input guard. */
export const EMPTY_GUARDED_KERNELS: readonly string[] = [...Object.keys(REDUCTION_FILL), 'BatchMatMul'];

type KernelArgs = { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: unknown };

/** `original` with its empty-input case answered like the cpu backend. */
export function withEmptyInputGuard(original: KernelConfig): KernelConfig {
  const name = original.kernelName;
  const run = original.kernelFunc as unknown as (args: KernelArgs) => TensorInfo;
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    if (Object.values(args.inputs).every((t) => sizeOf(t.shape) > 0)) return run(args);
    if (name === 'BatchMatMul') return zeroProduct(args);
    const out = run(args); // right shape and dtype, unwritten values
    asWasmBackend(args.backend, name).typedArrayFromHeap(out).fill(REDUCTION_FILL[name]);
    return out;
  };
  return { ...original, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** a [..., M, K] · b [..., K, N] with an empty operand: [batch..., M, N] of zeros (empty if M or N is 0). */
function zeroProduct(args: KernelArgs): TensorInfo {
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
  const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const batch = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const backend = asWasmBackend(args.backend, 'BatchMatMul');
  const out = backend.makeOutput([...batch, m, n], a.dtype);
  backend.typedArrayFromHeap(out).fill(0);
  return out;
}
