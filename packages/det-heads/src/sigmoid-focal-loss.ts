// Sigmoid focal loss (Lin et al. 2017; mmdet py_sigmoid_focal_loss): per class logit x with
// binary target t, BCE(x, t) · (α·t + (1 − α)(1 − t)) · |t − σ(x)|^γ, summed over classes.
// The one-hot targets are constants built on the host: no comparison op is differentiated.
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';
import { hostValues, type HostValues } from './host-values.js';
import { reduceLoss, type ReduceOptions } from './reduction.js';

export interface SigmoidFocalLossOptions extends ReduceOptions {
  gamma?: number;
  alpha?: number;
}

/**
 * logits: [N, K]; labels: [N] class index, K = background. Returns [N] per-row sums
 * (reduction 'none') or the reduction of them (default 'mean' over rows, or sum / avgFactor).
 */
export function sigmoidFocalLoss(logits: tf.Tensor2D, labels: HostValues, opts: SigmoidFocalLossOptions = {}): tf.Tensor {
  const { gamma = 2, alpha = 0.25 } = opts;
  if (!(gamma >= 0) || !(alpha >= 0 && alpha <= 1)) throw new DetHeadInputError(`focal loss: gamma must be >= 0 and alpha in [0, 1], got ${gamma}, ${alpha}`);
  if (logits.rank !== 2) throw new DetHeadInputError(`focal loss logits must be [N, K], got rank ${logits.rank}`);
  const [n, k] = logits.shape;
  const l = hostValues(labels);
  if (l.length !== n) throw new DetHeadInputError(`focal loss got ${l.length} labels for ${n} rows`);
  const onehot = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const c = l[i];
    if (!Number.isInteger(c) || c < 0 || c > k) throw new DetHeadInputError(`focal loss label ${c} at row ${i} is not a class in [0, ${k}) or the background label ${k}`);
    if (c < k) onehot[i * k + c] = 1;
  }
  return tf.tidy(() => {
    const t = tf.tensor2d(onehot, [n, k]);
    const bce = tf.sub(tf.softplus(logits), tf.mul(logits, t)); // [N, K]
    const alphaWeight = tf.add(tf.mul(t, 2 * alpha - 1), 1 - alpha); // α where t = 1, 1 − α where t = 0
    const pt = tf.abs(tf.sub(t, tf.sigmoid(logits))); // 1 − p_t
    const modulation = gamma === 2 ? tf.square(pt) : tf.pow(pt, gamma);
    return reduceLoss(tf.sum(tf.mul(tf.mul(bce, alphaWeight), modulation), 1), opts);
  });
}

/** Binary cross-entropy with logits, per element (centre-ness loss): softplus(x) − x·t. */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor, opts: ReduceOptions = {}): tf.Tensor {
  return tf.tidy(() => reduceLoss(tf.sub(tf.softplus(logits), tf.mul(logits, targets)), opts));
}
