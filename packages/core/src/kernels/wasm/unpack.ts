// Unpack (`tf.unstack`) for the wasm backend on top of the copy-free slice: the shipped kernel
// calls the shipped slice function directly, so overriding Slice alone would not reach it.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { sliceWasm } from './slice.js';

function unpack(args: { inputs: { value: TensorInfo }; attrs: { axis: number }; backend: unknown }): TensorInfo[] {
  const { value } = args.inputs;
  const rank = value.shape.length;
  const axis = args.attrs.axis < 0 ? args.attrs.axis + rank : args.attrs.axis;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]; i++) {
    begin[axis] = i;
    const piece = sliceWasm({ inputs: { x: value }, attrs: { begin: begin.slice(), size }, backend: args.backend });
    outs.push({ dataId: piece.dataId, dtype: piece.dtype, shape: outShape }); // same buffer, axis dropped
  }
  return outs;
}

export const unpackConfig: KernelConfig = {
  kernelName: 'Unpack',
  backendName: 'wasm',
  kernelFunc: unpack as unknown as KernelFunc,
};
