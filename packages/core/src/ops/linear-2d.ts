// y = x·Wᵀ + b for x [M, in], W [out, in] (PyTorch layout) with a hand-written gradient that
// issues only plain 2-D products (XNNPACK's fast path on wasm) and one transpose:
//   dx = dY·W           [M, out]·[out, in]   (W is already in the right layout)
//   dW = dYᵀ·x          transpose dY once, then [out, M]·[M, in] lands in W's layout
//   db = Σ_rows dY
// The generic path (core's matMul + add) needs three transposes for the same.
// The forward issues the same kernels as the generic path (values are bit-identical).
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf.js';

type Grad = Parameters<typeof tf.customGrad>[0];

/**
 * Column sums of a 2-D tensor, [M, N] → [N]. Measured on wasm against the alternatives: a
 * 1×M ones-product pays XNNPACK's packing of the (new every step) M×N operand and is 2–4×
 * slower; a JS loop over the heap is no faster than the shipped transpose-and-reduce Sum.
 */
export function sumColumns(t2d: Tensor): Tensor {
  return tf.sum(t2d, 0);
}

const withBias = tf.customGrad(((...args: Array<Tensor | GradSaveFunc>) => {
  const [x, w, b, save] = args as [Tensor, Tensor, Tensor, GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, tf.transpose(w)), b), // [M, out]
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [sx, sw] = saved;
      return [tf.matMul(dy, sw), tf.matMul(tf.transpose(dy), sx), sumColumns(dy)];
    },
  };
}) as Grad) as (x: Tensor, w: Tensor, b: Tensor) => Tensor;

const withoutBias = tf.customGrad(((...args: Array<Tensor | GradSaveFunc>) => {
  const [x, w, save] = args as [Tensor, Tensor, GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, tf.transpose(w)), // [M, out]
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [sx, sw] = saved;
      return [tf.matMul(dy, sw), tf.matMul(tf.transpose(dy), sx)];
    },
  };
}) as Grad) as (x: Tensor, w: Tensor) => Tensor;

/** x [M, in] · W [out, in]ᵀ (+ b [out]) → [M, out]; shapes are checked by the caller. */
export function linear2d(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  return bias ? withBias(x, weight, bias) : withoutBias(x, weight);
}
