import * as tf from '@tensorflow/tfjs';

/**
 * y = x · Wᵀ + b with PyTorch's weight layout (`weight` is [out, in]), so safetensors keys
 * load without transposing.  x: [..., in] → y: [..., out].
 */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const inDim = x.shape[x.shape.length - 1];
    const outDim = weight.shape[0];
    const x2 = x.reshape([-1, inDim]); // [M, in]
    let y = tf.matMul(x2, weight, false, true); // [M, out]
    if (bias) y = y.add(bias);
    return y.reshape([...x.shape.slice(0, -1), outDim]);
  });
}
