// GroupNorm over NHWC maps (torch.nn.GroupNorm semantics: statistics per sample and group of
// channels over H, W and the group's channels, biased variance, affine per channel). Built
// from mean / square / rsqrt, which have gradients on every backend including wasm.
import * as tf from '@tensorflow/tfjs';
import { Module, init } from '@babelrs/core';
import { DetHeadInputError } from './errors.js';

export class GroupNorm extends Module {
  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly eps = 1e-5,
  ) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new DetHeadInputError(`GroupNorm: ${numChannels} channels cannot be split into ${numGroups} groups`);
    }
    this.registerParameter('weight', init.ones([numChannels]));
    this.registerParameter('bias', init.zeros([numChannels]));
  }

  /** x: [B, H, W, C] → same shape. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    const [b, h, w, c] = x.shape;
    if (c !== this.numChannels) throw new DetHeadInputError(`GroupNorm expects ${this.numChannels} channels, got ${c}`);
    return tf.tidy(() => {
      const g = this.numGroups;
      const grouped = tf.reshape(x, [b, h * w, g, c / g]); // [B, HW, G, C/G]
      const mean = tf.mean(grouped, [1, 3], true); // [B, 1, G, 1]
      const centred = tf.sub(grouped, mean);
      const variance = tf.mean(tf.square(centred), [1, 3], true);
      const normed = tf.reshape(tf.mul(centred, tf.rsqrt(tf.add(variance, this.eps))), [b, h, w, c]);
      return tf.add(tf.mul(normed, this.getParameter('weight')), this.getParameter('bias')) as tf.Tensor4D;
    });
  }
}
