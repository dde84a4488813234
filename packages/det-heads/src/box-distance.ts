// GFL-style box coding: a box is the distances (left, top, right, bottom) from an anchor point
// to its sides (mmdet distance2bbox / bbox2distance, DistancePointBBoxCoder).
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';

function checkPair(points: tf.Tensor2D, other: tf.Tensor2D, otherName: string): void {
  if (points.rank !== 2 || points.shape[1] !== 2) throw new DetHeadInputError(`points must be [N, 2] (x, y), got [${points.shape.join(', ')}]`);
  if (other.rank !== 2 || other.shape[1] !== 4) throw new DetHeadInputError(`${otherName} must be [N, 4], got [${other.shape.join(', ')}]`);
  if (other.shape[0] !== points.shape[0]) throw new DetHeadInputError(`${points.shape[0]} points but ${other.shape[0]} ${otherName}`);
}

/**
 * points: [N, 2] (x, y); distances: [N, 4] (left, top, right, bottom) → boxes [N, 4] (x1, y1,
 * x2, y2). With `maxShape` = [height, width] the corners are clipped to the image, as mmdet.
 * Differentiable w.r.t. distances (the decoded box feeds the GIoU loss).
 */
export function distanceToBox(points: tf.Tensor2D, distances: tf.Tensor2D, maxShape?: readonly [number, number]): tf.Tensor2D {
  checkPair(points, distances, 'distances');
  return tf.tidy(() => {
    const xyxy = tf.concat([points, points], 1); // [N, 4]
    const sign = tf.tensor2d([[-1, -1, 1, 1]]);
    const boxes = tf.add(xyxy, tf.mul(distances, sign)); // [N, 4]
    if (!maxShape) return boxes as tf.Tensor2D;
    const [h, w] = maxShape;
    // clipByValue per column: x against width, y against height.
    const [x1, y1, x2, y2] = tf.split(boxes, 4, 1);
    return tf.concat([tf.clipByValue(x1, 0, w), tf.clipByValue(y1, 0, h), tf.clipByValue(x2, 0, w), tf.clipByValue(y2, 0, h)], 1) as tf.Tensor2D;
  });
}

/**
 * The inverse, for regression targets: points [N, 2], boxes [N, 4] → distances [N, 4]. With
 * `maxDistance` (GFL: regMax, in stride units) the distances are clamped to
 * [0, maxDistance − eps] so that the DFL's right bin exists (mmdet eps = 0.1).
 */
export function boxToDistance(points: tf.Tensor2D, boxes: tf.Tensor2D, maxDistance?: number, eps = 0.1): tf.Tensor2D {
  checkPair(points, boxes, 'boxes');
  if (maxDistance !== undefined && !(maxDistance > eps)) {
    throw new DetHeadInputError(`maxDistance must exceed eps (${eps}), got ${maxDistance}`);
  }
  return tf.tidy(() => {
    const xyxy = tf.concat([points, points], 1); // [N, 4]
    const sign = tf.tensor2d([[1, 1, -1, -1]]);
    const d = tf.mul(tf.sub(xyxy, boxes), sign); // [N, 4] left, top, right, bottom
    return (maxDistance === undefined ? d : tf.clipByValue(d, 0, maxDistance - eps)) as tf.Tensor2D;
  });
}
