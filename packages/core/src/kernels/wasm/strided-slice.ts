// StridedSlice for the wasm backend: unit-stride slices (the common `x[a:b]` case) go through
// the copy-free slice; anything else is handed to the shipped kernel, which is fine there (it
// works on heap ids, not on a JS copy).
import { slice_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { sliceWasm } from './slice.js';

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

type StridedSliceArgs = { inputs: { x: TensorInfo }; attrs: StridedSliceAttrs; backend: unknown };

export function makeStridedSliceConfig(shipped: KernelConfig): KernelConfig {
  const shippedFunc = shipped.kernelFunc as unknown as (a: StridedSliceArgs) => TensorInfo;
  const kernelFunc = (args: StridedSliceArgs): TensorInfo => {
    const a = args.attrs;
    const info = slice_util.sliceInfo(
      args.inputs.x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask,
    );
    if (info.isIdentity || !(info.sliceDim0 || info.isSimpleSlice)) return shippedFunc(args);
    const size = slice_util.computeOutShape(info.begin, info.end, info.strides);
    const piece = sliceWasm({ inputs: args.inputs, attrs: { begin: info.begin, size }, backend: args.backend });
    return { dataId: piece.dataId, dtype: piece.dtype, shape: info.finalShape }; // reshape is free
  };
  return { ...shipped, kernelFunc: kernelFunc as unknown as KernelFunc };
}
