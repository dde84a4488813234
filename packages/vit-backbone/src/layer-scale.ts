// LayerScale (CaiT; timm `LayerScale`, InternViT `ls1`/`ls2`): a learned per-channel gain on a
// residual branch. timm names the vector `ls1.gamma`; InternViT stores it as `ls1` directly
// (the key map in load-weights.ts translates).
import * as tf from '@tensorflow/tfjs';
import { init, Module } from '@babelrs/core';

export class LayerScale extends Module {
  constructor(
    readonly dim: number,
    initValue: number,
  ) {
    super();
    this.registerParameter('gamma', init.constant([dim], initValue));
  }

  /** x: [..., D] → x · γ. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.getParameter('gamma'));
  }
}
