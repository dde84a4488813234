// Exact (erf) GELU with a hand-written gradient. The forward pass issues the same ops as the
// unfused 0.5·x·(1 + erf(x/√2)) (bit-identical values); the backward pass is
//   dx = dy · (Φ(x) + x·φ(x)),  Φ(x) = 0.5·(1 + erf(x/√2)),  φ(x) = exp(−x²/2)/√(2π),
// 8 kernels instead of the tape's ~15 (three of them full reductions for the constants' grads).
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs';
import { tf } from '../backend/tf.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const geluErf = tf.customGrad(((...args: Array<Tensor | GradSaveFunc>) => {
  const [x, save] = args as [Tensor, GradSaveFunc];
  const onePlusErf = tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)));
  save([x, onePlusErf]);
  return {
    value: tf.mul(tf.mul(0.5, x), onePlusErf),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [sx, a] = saved;
      const pdfTimesX = tf.mul(tf.mul(sx, INV_SQRT_2PI), tf.exp(tf.mul(tf.square(sx), -0.5)));
      return tf.mul(dy, tf.add(tf.mul(a, 0.5), pdfTimesX));
    },
  };
}) as Parameters<typeof tf.customGrad>[0]) as (x: Tensor) => Tensor;

/** 0.5·x·(1 + erf(x/√2)) from tfjs ops (tape gradient): the reference in tests and benches. */
export function geluErfUnfused(x: Tensor): Tensor {
  return tf.tidy(() => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}
