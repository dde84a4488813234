import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/** SiLU / swish: x · sigmoid(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

export class SiLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return silu(x);
  }
}
