// UnsortedSegmentSum for the wasm backend, which ships without it. It is the gradient of
// `gather` (embedding lookups, RoI sampling): out[s, ...] = Σ_{i: ids[i] = s} x[i, ...].
// Ids outside [0, numSegments) are dropped, as in TensorFlow.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asWasmBackend, sizeOf } from './wasm-heap.js';

const KERNEL = 'UnsortedSegmentSum';

function unsortedSegmentSum(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  attrs: { numSegments: number };
  backend: unknown;
}): TensorInfo {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  const backend = asWasmBackend(args.backend, KERNEL);
  const numIds = sizeOf(segmentIds.shape);
  const inner = numIds === 0 ? 0 : sizeOf(x.shape) / numIds; // elements per segment row
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  // Views only after the allocation above (it may move the heap).
  const outVals = backend.typedArrayFromHeap(out);
  outVals.fill(0); // malloc'd memory is not zeroed
  const xVals = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < numIds; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j] += xVals[src + j];
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: KERNEL,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
