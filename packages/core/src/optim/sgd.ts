import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import { Optimizer, type ParamGroup } from './optimizer.js';
import { paramGroups, type ParamGroupSpec } from './param-groups.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** Coupled (L2) weight decay, added to the gradient as torch.optim.SGD does. Default 0. */
  weightDecay?: number;
}

/**
 * SGD as `torch.optim.SGD`: d = g + wd·p; with momentum the buffer starts as d, then
 * b ← μ·b + (1 − dampening)·d; the step uses d + μ·b (Nesterov) or b; p ← p − lr·step.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(params: Module | readonly ParamGroupSpec[], opts: SGDOptions = {}) {
    const lr = opts.lr ?? 1e-2;
    const weightDecay = opts.weightDecay ?? 0;
    const specs = Array.isArray(params) ? (params as readonly ParamGroupSpec[]) : paramGroups(params as Module, { weightDecay });
    super(specs, { lr, weightDecay });
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('SGD: Nesterov momentum requires momentum > 0 and dampening 0');
  }

  protected update(param: tf.Variable, grad: tf.Tensor, slots: Readonly<Record<string, tf.Tensor>>, _step: number, group: ParamGroup) {
    let d = group.weightDecay !== 0 ? tf.add(grad, tf.mul(param, group.weightDecay)) : grad;
    const newSlots: Record<string, tf.Tensor> = {};
    if (this.momentum !== 0) {
      const buf = slots.momentum_buffer ? tf.add(tf.mul(slots.momentum_buffer, this.momentum), tf.mul(d, 1 - this.dampening)) : tf.clone(d);
      newSlots.momentum_buffer = buf;
      d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : buf;
    }
    return { param: tf.sub(param, tf.mul(d, group.lr)), slots: newSlots };
  }

  protected hyper() {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov };
  }
}
