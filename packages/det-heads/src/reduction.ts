// mmdet's weight_reduce_loss semantics (default 'mean', as its @weighted_loss losses): 'none' keeps the per-sample losses, 'sum' adds them,
// 'mean' divides the sum by the number of samples or by an explicit avgFactor (e.g. the number
// of positive anchors, as the GFL head does).
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';

export type Reduction = 'none' | 'sum' | 'mean';

export interface ReduceOptions {
  reduction?: Reduction;
  /** Divisor for 'mean' instead of the element count. */
  avgFactor?: number;
}

export function reduceLoss(loss: tf.Tensor, opts: ReduceOptions = {}): tf.Tensor {
  const reduction = opts.reduction ?? 'mean';
  switch (reduction) {
    case 'none':
      return loss;
    case 'sum':
      return tf.sum(loss);
    case 'mean': {
      if (opts.avgFactor === undefined) return tf.mean(loss);
      if (!(opts.avgFactor > 0)) throw new DetHeadInputError(`avgFactor must be > 0, got ${opts.avgFactor}`);
      return tf.div(tf.sum(loss), opts.avgFactor);
    }
    default:
      throw new DetHeadInputError(`unknown reduction '${String(reduction)}' (expected none, sum or mean)`);
  }
}
