// QFL (Quality Focal Loss, GFL): a joint classification–IoU score. Each class logit x gets the
// soft target T (the IoU score at the positive's class, 0 elsewhere) and the focal modulation
// |T − σ(x)|^β, summed over classes: mmdet's quality_focal_loss (sigmoid version).
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';
import { hostValues, type HostValues } from './host-values.js';
import { reduceLoss, type ReduceOptions } from './reduction.js';

export interface QualityFocalLossOptions extends ReduceOptions {
  /** Focusing exponent β (GFL default 2). */
  beta?: number;
}

/** Constant soft targets [N, K]: score at (i, label_i) for foreground rows, 0 elsewhere. */
function softTargets(labels: ArrayLike<number>, scores: ArrayLike<number>, n: number, k: number): tf.Tensor2D {
  const t = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label > k) {
      throw new DetHeadInputError(`QFL label ${label} at row ${i} is not a class in [0, ${k}) or the background label ${k}`);
    }
    if (label === k) continue; // background: its score is ignored
    const s = scores[i];
    if (!(s >= 0 && s <= 1)) throw new DetHeadInputError(`QFL score ${s} at row ${i} is not an IoU in [0, 1]`);
    t[i * k + label] = s;
  }
  return tf.tensor2d(t, [n, k]);
}

/**
 * logits: [N, K] class logits; labels: [N] class index, K = background; scores: [N] IoU of
 * each positive's predicted box with its target (ignored for background). Returns the mean
 * (default, as mmdet's @weighted_loss), the sum, or the per-sample loss [N] (reduction 'none').
 */
export function qualityFocalLoss(
  logits: tf.Tensor2D,
  labels: HostValues,
  scores: HostValues,
  opts: QualityFocalLossOptions = {},
): tf.Tensor {
  const beta = opts.beta ?? 2;
  if (!(beta > 0)) throw new DetHeadInputError(`QFL beta must be > 0, got ${beta}`);
  if (logits.rank !== 2) throw new DetHeadInputError(`QFL logits must be [N, K], got rank ${logits.rank}`);
  const [n, k] = logits.shape;
  const l = hostValues(labels);
  const s = hostValues(scores);
  if (l.length !== n || s.length !== n) throw new DetHeadInputError(`QFL got ${l.length} labels and ${s.length} scores for ${n} rows`);
  return tf.tidy(() => {
    const target = softTargets(l, s, n, k); // constant [N, K]
    // BCE with logits, stable: softplus(x) − x·T.
    const bce = tf.sub(tf.softplus(logits), tf.mul(logits, target)); // [N, K]
    const modulation = tf.pow(tf.abs(tf.sub(target, tf.sigmoid(logits))), beta); // [N, K]
    return reduceLoss(tf.sum(tf.mul(bce, modulation), 1), opts); // [N] or scalar
  });
}
