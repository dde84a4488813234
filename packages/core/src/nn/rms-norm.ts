import * as tf from '@tensorflow/tfjs';
import { ones } from './init.js';
import { checkLastDim } from './layer-norm.js';
import { Module } from './module.js';

/**
 * RMSNorm as in Qwen2/Llama: y = weight · x / √(mean(x²) + eps), over the last dimension,
 * in float32. No bias, no mean subtraction.
 */
export class RMSNorm extends Module {
  readonly eps: number;

  constructor(
    readonly hiddenSize: number,
    opts: { eps?: number } = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-6;
    this.registerParameter('weight', ones([hiddenSize]));
  }

  get weight(): tf.Variable {
    return this.getParameter('weight');
  }

  /** x: [..., C] → [..., C]. */
  forward(x: tf.Tensor): tf.Tensor {
    checkLastDim(x, this.hiddenSize, 'RMSNorm');
    return tf.tidy(() => {
      const meanSquare = tf.mean(tf.square(x), -1, true);
      return tf.mul(this.weight, tf.mul(x, tf.rsqrt(tf.add(meanSquare, this.eps))));
    });
  }
}
