// DFL (Distribution Focal Loss, GFL): pushes the predicted distance distribution towards the
// two bins around the continuous target y, i.e. CE(left)·(right − y) + CE(right)·(y − left).
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';
import { hostValues, type HostValues } from './host-values.js';
import { reduceLoss, type ReduceOptions } from './reduction.js';

/** Constant [N, R+1] weights: (right − y) at bin ⌊y⌋, (y − left) at bin ⌊y⌋ + 1. */
function binWeights(target: ArrayLike<number>, n: number, bins: number): tf.Tensor2D {
  const w = new Float32Array(n * bins);
  for (let i = 0; i < n; i++) {
    const y = target[i];
    if (!(y >= 0 && y < bins - 1)) {
      // A target at regMax would need a bin R+1 that does not exist; mmdet's GFL head clamps
      // targets to regMax − 0.1 (boxToDistance does the same).
      throw new DetHeadInputError(`DFL target ${y} at row ${i} is outside [0, ${bins - 1}); clamp distances below regMax (e.g. boxToDistance)`);
    }
    const left = Math.floor(y);
    w[i * bins + left] = left + 1 - y;
    w[i * bins + left + 1] = y - left;
  }
  return tf.tensor2d(w, [n, bins]);
}

/**
 * pred: [N, R+1] logits of one side's distribution; target: [N] distances in [0, R).
 * Returns the mean (default, as mmdet's @weighted_loss), the sum, or the per-sample loss [N]
 * (reduction 'none').
 */
export function distributionFocalLoss(pred: tf.Tensor2D, target: HostValues, opts: ReduceOptions = {}): tf.Tensor {
  if (pred.rank !== 2 || pred.shape[1] < 2) throw new DetHeadInputError(`DFL pred must be [N, R+1] with R >= 1, got [${pred.shape.join(', ')}]`);
  const [n, bins] = pred.shape;
  const y = hostValues(target);
  if (y.length !== n) throw new DetHeadInputError(`DFL target has ${y.length} values for ${n} predictions`);
  return tf.tidy(() => {
    const weights = binWeights(y, n, bins); // constant [N, R+1]
    const loss = tf.neg(tf.sum(tf.mul(tf.logSoftmax(pred), weights), 1)); // [N]
    return reduceLoss(loss, opts);
  });
}
