import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf.js';

/**
 * (x − mean) / √(variance + ε) · scale + offset, broadcasting the statistics over x's leading
 * dims like `tf.batchNorm`. Why not `tf.batchNorm`: in tfjs 4.22 its gradient breaks when
 * scale or offset is omitted (it saves an undefined input) and for inputs that are not rank 4
 * (its x-gradient reshapes the variance to [1, 1, 1, C]). Built from elementary ops, this one
 * differentiates on every backend.
 */
export function batchNorm(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  offset?: Tensor,
  scale?: Tensor,
  varianceEpsilon = 1e-3,
): Tensor {
  return tf.tidy(() => {
    let y = x.sub(mean).mul(tf.rsqrt(variance.add(varianceEpsilon)));
    if (scale) y = y.mul(scale);
    if (offset) y = y.add(offset);
    return y;
  });
}
