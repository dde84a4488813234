/**
 * 2-D affine maps between pixel frames (x right, y down, continuous coordinates: pixel (i, j)
 * covers [i, i+1) × [j, j+1)), and their action on boxes. Every geometric transform records its
 * map, so a pipeline's composite map takes original-image coordinates to network-input
 * coordinates, and its inverse takes predictions back (see `boxesToOriginal`).
 */
import { normalizeObb } from '@babelrs/boxes';
import type { BoxType } from '../sample.js';

/** `[a, b, c, d, e, f]`: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine2D = readonly [number, number, number, number, number, number];

export const IDENTITY_AFFINE: Affine2D = [1, 0, 0, 0, 1, 0];

/** The map "first `inner`, then `outer`". */
export function composeAffine(outer: Affine2D, inner: Affine2D): Affine2D {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

export function invertAffine(m: Affine2D): Affine2D {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new RangeError('invertAffine: singular map');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Applies `m` to a point. */
export function applyAffine(m: Affine2D, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/**
 * Boxes under an axis-preserving map (scales, flips, 90° rotations: the only kinds the
 * transforms produce). HBB: the image of the two corners, re-ordered. OBB: centre mapped,
 * each side's direction mapped and its length scaled, then re-normalised to le90, because a
 * flip or rotation can move θ out of [−π/2, π/2) or make h the longer side.
 */
export function affineBoxes(boxes: Float64Array, boxType: BoxType, m: Affine2D): Float64Array {
  return boxType === 'hbb' ? affineHbb(boxes, m) : affineObb(boxes, m);
}

function affineHbb(boxes: Float64Array, m: Affine2D): Float64Array {
  const out = new Float64Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    const [xa, ya] = applyAffine(m, boxes[i], boxes[i + 1]);
    const [xb, yb] = applyAffine(m, boxes[i + 2], boxes[i + 3]);
    out[i] = Math.min(xa, xb);
    out[i + 1] = Math.min(ya, yb);
    out[i + 2] = Math.max(xa, xb);
    out[i + 3] = Math.max(ya, yb);
  }
  return out;
}

function affineObb(boxes: Float64Array, m: Affine2D): Float64Array {
  const out = new Float64Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 5) {
    const [cx, cy] = applyAffine(m, boxes[i], boxes[i + 1]);
    const cos = Math.cos(boxes[i + 4]);
    const sin = Math.sin(boxes[i + 4]);
    // Linear part only: directions, not points.
    const ux = m[0] * cos + m[1] * sin;
    const uy = m[3] * cos + m[4] * sin;
    const vx = -m[0] * sin + m[1] * cos;
    const vy = -m[3] * sin + m[4] * cos;
    out[i] = cx;
    out[i + 1] = cy;
    out[i + 2] = boxes[i + 2] * Math.hypot(ux, uy);
    out[i + 3] = boxes[i + 3] * Math.hypot(vx, vy);
    out[i + 4] = Math.atan2(uy, ux);
  }
  return normalizeObb(out, 'le90');
}
