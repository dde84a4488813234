// Gradient of StridedSlice, which tfjs lacks on every backend: dy goes back to the positions the
// slice read, zeros elsewhere. Unit strides → pad; other strides → scatterND at the read indices.
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { slice_util } from '@tensorflow/tfjs';
import { tf } from '../../backend/tf.js';

export const stridedSliceGradConfig: GradConfig = {
  kernelName: 'StridedSlice',
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    return { x: () => stridedSliceBackward(dy as Tensor, x.shape, attrs) };
  },
};

function stridedSliceBackward(dy: Tensor, xShape: number[], attrs: NamedAttrMap): Tensor {
  const a = attrs as unknown as {
    begin: number[]; end: number[]; strides: number[];
    beginMask: number; endMask: number; ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number;
  };
  const info = slice_util.sliceInfo(xShape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
  // One entry per dim of x: new axes and shrunk axes only add/remove size-1 dims.
  const size = slice_util.computeOutShape(info.begin, info.end, info.strides);
  const dyDense = dy.reshape(size);
  if (info.strides.every((s) => s === 1)) {
    return tf.pad(dyDense, size.map((n, d) => [info.begin[d], xShape[d] - info.begin[d] - n] as [number, number]));
  }
  const indices = stridedIndices(info.begin, info.strides, size);
  return tf.scatterND(indices, dyDense.reshape([-1]), xShape);
}

/** [Π size, rank] int32 coordinates begin + k·stride, row-major over `size`. */
function stridedIndices(begin: number[], strides: number[], size: number[]): Tensor {
  const rank = size.length;
  const count = size.reduce((p, n) => p * n, 1);
  const out = new Int32Array(count * rank);
  const k = new Array<number>(rank).fill(0);
  for (let n = 0; n < count; n++) {
    for (let d = 0; d < rank; d++) out[n * rank + d] = begin[d] + k[d] * strides[d];
    for (let d = rank - 1; d >= 0 && ++k[d] === size[d]; d--) k[d] = 0;
  }
  return tf.tensor2d(out, [count, rank], 'int32');
}
