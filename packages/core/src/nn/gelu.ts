import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { geluErf } from '../ops/gelu-erf.js';

/** `none`: exact 0.5·x·(1 + erf(x/√2)); `tanh`: the tanh approximation (torch `approximate='tanh'`). */
export type GeluApproximation = 'none' | 'tanh';

export function gelu(x: tf.Tensor, approximate: GeluApproximation = 'none'): tf.Tensor {
  return tf.tidy(() => {
    if (approximate === 'tanh') {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
    // Fused op: the same forward ops (Erf exists on cpu and wasm), closed-form backward.
    return geluErf(x);
  });
}

export class GELU extends Module {
  constructor(readonly approximate: GeluApproximation = 'none') {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    return gelu(x, this.approximate);
  }
}
