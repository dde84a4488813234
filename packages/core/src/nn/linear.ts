import * as tf from '@tensorflow/tfjs';
import { castToPolicy, getAutocastPrecision } from '../amp/precision.js';
import { linear } from '../ops/linear.js';
import type { Rng } from '../random/rng.js';
import { truncNormal, uniform, zeros } from './init.js';
import { Module } from './module.js';

export interface LinearOptions {
  bias?: boolean;
  /**
   * `torch` (default): nn.Linear's own init, U(±1/√in) for weight and bias.
   * `trunc_normal`: timm ViT init, trunc_normal(std) weight, zero bias.
   */
  init?: 'torch' | 'trunc_normal';
  std?: number;
  rng?: Rng;
}

/**
 * y = x·Wᵀ + b, weight [out, in] (PyTorch layout, so checkpoints load untransposed).
 * Under `autocast('fp16' | 'bf16')` inputs, weight, bias and output are rounded to that format,
 * as a real AMP matmul kernel would compute them.
 */
export class Linear extends Module {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    const { bias = true, init = 'torch', std = 0.02, rng } = opts;
    const bound = 1 / Math.sqrt(inFeatures);
    if (init === 'torch') {
      this.registerParameter('weight', uniform([outFeatures, inFeatures], -bound, bound, rng));
      if (bias) this.registerParameter('bias', uniform([outFeatures], -bound, bound, rng));
    } else {
      this.registerParameter('weight', truncNormal([outFeatures, inFeatures], { std, rng }));
      if (bias) this.registerParameter('bias', zeros([outFeatures]));
    }
  }

  get weight(): tf.Variable {
    return this.getParameter('weight');
  }

  get bias(): tf.Variable | null {
    return this.hasParameter('bias') ? this.getParameter('bias') : null;
  }

  /** x: [..., in] → [..., out]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const precision = getAutocastPrecision();
      const bias = this.bias;
      const y = linear(
        castToPolicy(x, precision),
        castToPolicy(this.weight, precision) as tf.Tensor2D,
        bias ? (castToPolicy(bias, precision) as tf.Tensor1D) : undefined,
      );
      return castToPolicy(y, precision);
    });
  }
}
