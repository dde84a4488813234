// SplitV (`tf.split`) for the wasm backend on top of the copy-free slice (the shipped kernel
// calls the shipped, whole-input-copying slice function directly).
import { backend_util, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';
import { sliceWasm } from './slice.js';

function splitV(args: {
  inputs: { x: TensorInfo };
  attrs: { numOrSizeSplits: number | number[]; axis: number };
  backend: unknown;
}): TensorInfo[] {
  const { x } = args.inputs;
  const axis = util.parseAxisParam(args.attrs.axis, x.shape)[0];
  const sizes = backend_util.prepareSplitSize(x as unknown as Tensor, args.attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const piece = sliceWasm({ inputs: { x }, attrs: { begin: begin.slice(), size }, backend: args.backend });
    begin[axis] += s;
    return piece;
  });
}

export const splitVConfig: KernelConfig = {
  kernelName: 'SplitV',
  backendName: 'wasm',
  kernelFunc: splitV as unknown as KernelFunc,
};
