import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';
import { Dropout } from './dropout.js';
import { gelu } from './gelu.js';
import { Linear, type LinearOptions } from './linear.js';
import { Module } from './module.js';
import { silu } from './silu.js';

export type Activation = 'gelu' | 'gelu_tanh' | 'silu' | 'relu';

export function activate(x: tf.Tensor, act: Activation): tf.Tensor {
  switch (act) {
    case 'gelu':
      return gelu(x, 'none');
    case 'gelu_tanh':
      return gelu(x, 'tanh');
    case 'silu':
      return silu(x);
    case 'relu':
      return x.relu();
    default:
      throw new Error(`activate: unknown activation ${JSON.stringify(act)}`);
  }
}

export interface MLPOptions {
  hiddenFeatures?: number;
  outFeatures?: number;
  act?: Activation;
  bias?: boolean;
  drop?: number;
  init?: LinearOptions['init'];
  rng?: Rng;
}

/** timm `Mlp`: fc1 → act → drop → fc2 → drop, with timm's parameter names (fc1, fc2). */
export class MLP extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly drop1: Dropout;
  readonly drop2: Dropout;
  readonly act: Activation;

  constructor(inFeatures: number, opts: MLPOptions = {}) {
    super();
    const hidden = opts.hiddenFeatures ?? inFeatures;
    const out = opts.outFeatures ?? inFeatures;
    const linOpts = { bias: opts.bias ?? true, init: opts.init, rng: opts.rng };
    this.act = opts.act ?? 'gelu';
    this.fc1 = this.registerModule('fc1', new Linear(inFeatures, hidden, linOpts));
    this.drop1 = this.registerModule('drop1', new Dropout(opts.drop ?? 0, { rng: opts.rng }));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, out, linOpts));
    this.drop2 = this.registerModule('drop2', new Dropout(opts.drop ?? 0, { rng: opts.rng }));
  }

  /** x: [..., in] → [..., out]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = this.drop1.forward(activate(this.fc1.forward(x), this.act));
      return this.drop2.forward(this.fc2.forward(h));
    });
  }
}
