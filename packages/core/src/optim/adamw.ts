import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import { Optimizer, type ParamGroup } from './optimizer.js';
import { paramGroups, type ParamGroupSpec } from './param-groups.js';

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Default weight decay for groups that do not set one (torch default 0.01). */
  weightDecay?: number;
}

/**
 * AdamW exactly as `torch.optim.AdamW` (amsgrad=False): decoupled weight decay
 * p ← p·(1 − lr·wd) first, then the Adam step with bias correction and eps OUTSIDE the sqrt:
 * p ← p − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + eps).
 * Given a Module, parameters are grouped with `paramGroups` (no decay on biases, norm weights
 * and other rank-≤1 parameters); given groups, each keeps its own lr and weight decay.
 */
export class AdamW extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;

  constructor(params: Module | readonly ParamGroupSpec[], opts: AdamWOptions = {}) {
    const lr = opts.lr ?? 1e-3;
    const weightDecay = opts.weightDecay ?? 1e-2;
    const specs = Array.isArray(params) ? (params as readonly ParamGroupSpec[]) : paramGroups(params as Module, { weightDecay });
    super(specs, { lr, weightDecay });
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    for (const b of [this.beta1, this.beta2]) if (!(b >= 0 && b < 1)) throw new RangeError(`AdamW: betas must be in [0, 1), got [${this.beta1}, ${this.beta2}]`);
    if (!(this.eps >= 0)) throw new RangeError(`AdamW: eps must be ≥ 0, got ${this.eps}`);
  }

  protected update(param: tf.Variable, grad: tf.Tensor, slots: Readonly<Record<string, tf.Tensor>>, step: number, group: ParamGroup) {
    const { lr, weightDecay } = group;
    const p = weightDecay !== 0 ? tf.mul(param, 1 - lr * weightDecay) : param;
    const m0 = slots.exp_avg ?? tf.zerosLike(param);
    const v0 = slots.exp_avg_sq ?? tf.zerosLike(param);
    const m = tf.add(tf.mul(m0, this.beta1), tf.mul(grad, 1 - this.beta1));
    const v = tf.add(tf.mul(v0, this.beta2), tf.mul(tf.mul(grad, grad), 1 - this.beta2));
    // Bias corrections in float64 on the JS side, as torch computes them in Python floats.
    const stepSize = lr / (1 - this.beta1 ** step);
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** step);
    const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), this.eps);
    const next = tf.sub(p, tf.mul(tf.div(m, denom), stepSize));
    return { param: next, slots: { exp_avg: m, exp_avg_sq: v } };
  }

  protected hyper() {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps };
  }
}
