import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf.js';
import { matMul } from './mat-mul.js';
import { linear2d } from './linear-2d.js';

/**
 * y = x · Wᵀ + b with PyTorch's weight layout (`weight` is [out, in]), so safetensors keys
 * load without transposing. x: [..., in] → y: [..., out]. Uses {@link matMul}, so on wasm the
 * forward and backward passes are plain 2-D products (XNNPACK's fast path).
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const inDim = x.shape[x.rank - 1];
  if (weight.rank !== 2 || weight.shape[1] !== inDim) {
    throw new Error(`linear: weight must be [out, ${inDim}] for input [${x.shape}], got [${weight.shape}]`);
  }
  const outDim = weight.shape[0];
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outDim)) {
    throw new Error(`linear: bias must be [${outDim}], got [${bias.shape}]`);
  }
  return tf.tidy(() => {
    const x2 = x.reshape([-1, inDim]); // [M, in]
    // wasm: one custom-gradient op (plain 2-D products, one transpose, bias grad as a product);
    // other backends have fast transposed products of their own.
    if (tf.getBackend() === 'wasm') return linear2d(x2, weight, bias).reshape([...x.shape.slice(0, -1), outDim]);
    let y = matMul(x2, weight, false, true); // [M, out]
    if (bias) y = y.add(bias);
    return y.reshape([...x.shape.slice(0, -1), outDim]);
  });
}
