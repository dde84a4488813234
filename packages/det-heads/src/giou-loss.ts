// GIoU loss (generalised IoU) for axis-aligned boxes: 1 − (IoU − |C \ (A ∪ B)| / |C|), with C the
// smallest enclosing box. Same formula and eps as mmdet's giou_loss / bbox_overlaps(mode='giou').
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';
import { reduceLoss, type ReduceOptions } from './reduction.js';

const EPS = 1e-7;

function area(wh: tf.Tensor): tf.Tensor {
  const [w, h] = tf.split(wh, 2, 1); // each [N, 1]
  return tf.reshape(tf.mul(w, h), [-1]); // [N]
}

/**
 * Aligned pairwise GIoU of pred[i] and target[i], boxes [N, 4] as (x1, y1, x2, y2) → [N].
 * Built from min/max/relu only, so it is differentiable w.r.t. pred on every backend. Where a
 * pred coordinate exactly equals the target's, tfjs's max/min gradient goes wholly to the pred
 * side while torch splits it in half: a subgradient choice, only at exact ties.
 */
export function alignedGiou(pred: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor1D {
  for (const [name, b] of [['pred', pred], ['target', target]] as const) {
    if (b.rank !== 2 || b.shape[1] !== 4) throw new DetHeadInputError(`${name} boxes must be [N, 4] (x1, y1, x2, y2), got [${b.shape.join(', ')}]`);
  }
  if (pred.shape[0] !== target.shape[0]) throw new DetHeadInputError(`pred has ${pred.shape[0]} boxes, target ${target.shape[0]}`);
  return tf.tidy(() => {
    const [p1, p2] = tf.split(pred, 2, 1); // [N, 2] corners
    const [t1, t2] = tf.split(target, 2, 1);
    const areaP = area(tf.sub(p2, p1));
    const areaT = area(tf.sub(t2, t1));
    const overlap = area(tf.relu(tf.sub(tf.minimum(p2, t2), tf.maximum(p1, t1)))); // [N]
    const union = tf.maximum(tf.sub(tf.add(areaP, areaT), overlap), EPS);
    const enclose = tf.maximum(area(tf.relu(tf.sub(tf.maximum(p2, t2), tf.minimum(p1, t1)))), EPS);
    return tf.sub(tf.div(overlap, union), tf.div(tf.sub(enclose, union), enclose)) as tf.Tensor1D;
  });
}

/** 1 − GIoU per box pair, then reduced (default 'mean'). */
export function giouLoss(pred: tf.Tensor2D, target: tf.Tensor2D, opts: ReduceOptions = {}): tf.Tensor {
  return tf.tidy(() => reduceLoss(tf.sub(1, alignedGiou(pred, target)), opts));
}
