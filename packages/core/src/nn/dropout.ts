import * as tf from '@tensorflow/tfjs';
import { defaultRng } from '../random/global-rng.js';
import type { Rng } from '../random/rng.js';
import { Module } from './module.js';

/**
 * Element-wise dropout: zeroes each value with probability p and scales the rest by 1/(1−p).
 * Masks come from the seeded `Rng` (same on every backend). Identity in eval mode or for p=0.
 */
export class Dropout extends Module {
  private readonly rng: Rng | undefined;

  constructor(
    readonly p = 0.5,
    opts: { rng?: Rng } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
    this.rng = opts.rng;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    const keep = 1 - this.p;
    const mask = (this.rng ?? defaultRng()).fillBernoulli(x.size, keep);
    return tf.tidy(() => tf.mul(x, tf.mul(tf.tensor(mask, x.shape, 'float32'), 1 / keep)));
  }
}
