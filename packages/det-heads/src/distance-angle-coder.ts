// Rotated FCOS box coding (mmrotate DistanceAnglePointCoder): a box is the distances
// (left, top, right, bottom) from a point to its sides measured in the box's own frame, plus
// the box angle θ. Decoding: w = l + r, h = t + b, centre = point + R(θ)·((r − l)/2, (b − t)/2).
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';

/**
 * points: [N, 2]; distances: [N, 4] (l, t, r, b); angles: [N, 1] radians → [N, 5]
 * (cx, cy, w, h, θ). Differentiable w.r.t. distances and angles; θ is returned as given (the
 * caller normalises to le90 for output; the KLD loss does not need it normalised).
 */
export function distanceAngleToObb(points: tf.Tensor2D, distances: tf.Tensor2D, angles: tf.Tensor2D): tf.Tensor2D {
  const n = points.shape[0];
  if (points.rank !== 2 || points.shape[1] !== 2) throw new DetHeadInputError(`points must be [N, 2], got [${points.shape.join(', ')}]`);
  if (distances.rank !== 2 || distances.shape[1] !== 4 || distances.shape[0] !== n) throw new DetHeadInputError(`distances must be [${n}, 4], got [${distances.shape.join(', ')}]`);
  if (angles.rank !== 2 || angles.shape[1] !== 1 || angles.shape[0] !== n) throw new DetHeadInputError(`angles must be [${n}, 1], got [${angles.shape.join(', ')}]`);
  return tf.tidy(() => {
    const [l, t, r, b] = tf.split(distances, 4, 1); // each [N, 1]
    const ox = tf.div(tf.sub(r, l), 2);
    const oy = tf.div(tf.sub(b, t), 2);
    const cos = tf.cos(angles);
    const sin = tf.sin(angles);
    const [px, py] = tf.split(points, 2, 1);
    const cx = tf.add(px, tf.sub(tf.mul(cos, ox), tf.mul(sin, oy)));
    const cy = tf.add(py, tf.add(tf.mul(sin, ox), tf.mul(cos, oy)));
    return tf.concat([cx, cy, tf.add(l, r), tf.add(t, b), angles], 1) as tf.Tensor2D;
  });
}

/**
 * Host inverse for one point and one box (cx, cy, w, h, θ): the point's offset from the
 * centre turned into the box frame (R(θ)ᵀ), then l = w/2 + ox, r = w/2 − ox, t = h/2 + oy,
 * b = h/2 − oy (mmrotate RotatedFCOSHead._get_target_single). Returns [l, t, r, b, ox, oy].
 */
export function obbToDistanceHost(x: number, y: number, box: ArrayLike<number>, o = 0): [number, number, number, number, number, number] {
  const [cx, cy, w, h, theta] = [box[o], box[o + 1], box[o + 2], box[o + 3], box[o + 4]];
  const [c, s] = [Math.cos(theta), Math.sin(theta)];
  const [dx, dy] = [x - cx, y - cy];
  const ox = c * dx + s * dy;
  const oy = -s * dx + c * dy;
  return [w / 2 + ox, h / 2 + oy, w / 2 - ox, h / 2 - oy, ox, oy];
}
