import * as tf from '@tensorflow/tfjs';
import { defaultRng } from '../random/global-rng.js';
import type { Rng } from '../random/rng.js';
import { Module } from './module.js';

/**
 * Stochastic depth (timm `DropPath`): drops the WHOLE residual branch per sample with
 * probability p; kept samples are scaled by 1/(1−p) when `scaleByKeep`. Identity in eval mode.
 */
export class DropPath extends Module {
  private readonly rng: Rng | undefined;
  readonly scaleByKeep: boolean;

  constructor(
    readonly p = 0,
    opts: { rng?: Rng; scaleByKeep?: boolean } = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`DropPath: p must be in [0, 1), got ${p}`);
    this.rng = opts.rng;
    this.scaleByKeep = opts.scaleByKeep ?? true;
  }

  /** x: [B, ...] */
  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    const keep = 1 - this.p;
    const batch = x.shape[0];
    const mask = (this.rng ?? defaultRng()).fillBernoulli(batch, keep);
    const maskShape = [batch, ...x.shape.slice(1).map(() => 1)]; // [B, 1, 1, …]
    return tf.tidy(() => {
      let m = tf.tensor(mask, maskShape, 'float32');
      if (this.scaleByKeep) m = tf.mul(m, 1 / keep);
      return tf.mul(x, m);
    });
  }
}
