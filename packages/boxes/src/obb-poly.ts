// Conversions OBB ⇄ polygon ⇄ HBB. Corner order is mmrotate's obb2poly:
//   corner_k = (cx, cy) + R(θ)·v_k,  R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]],
//   v = (−w/2, −h/2), (+w/2, −h/2), (+w/2, +h/2), (−w/2, +h/2)
// which is a clockwise ring on screen (y down) for w, h > 0.
import { normalizeObbInPlace } from './angle-convention.js';
import { assertOneOf, checkedRows } from './errors.js';
import { ANGLE_CONVENTIONS, type AngleConvention } from './types.js';

/** Writes the 4 corners of OBB `obbs[i*5..]` into `out[o..o+8]` (no checks; hot path). */
export function writeObbCorners(obbs: ArrayLike<number>, i: number, out: Float64Array, o: number): void {
  const b = i * 5;
  const cx = obbs[b], cy = obbs[b + 1], hw = obbs[b + 2] / 2, hh = obbs[b + 3] / 2, t = obbs[b + 4];
  const c = Math.cos(t), s = Math.sin(t);
  // R·(±hw, ±hh): precompute the two rotated half-axes.
  const ax = c * hw, ay = s * hw; // R·(hw, 0)
  const bx = -s * hh, by = c * hh; // R·(0, hh)
  out[o] = cx - ax - bx; out[o + 1] = cy - ay - by;
  out[o + 2] = cx + ax - bx; out[o + 3] = cy + ay - by;
  out[o + 4] = cx + ax + bx; out[o + 5] = cy + ay + by;
  out[o + 6] = cx - ax + bx; out[o + 7] = cy - ay + by;
}

/**
 * OBBs to their 4 corners.
 * @param obbs N×5 (cx, cy, w, h, θ rad)
 * @returns Float64Array N×8 (x1, y1, …, x4, y4), mmrotate obb2poly order.
 */
export function obbToPoly(obbs: ArrayLike<number>): Float64Array {
  const n = checkedRows(obbs, 5, 'obbToPoly', 'obbs');
  const out = new Float64Array(n * 8);
  for (let i = 0; i < n; i++) writeObbCorners(obbs, i, out, i * 8);
  return out;
}

/**
 * Axis-aligned bounding boxes of OBBs.
 * @param obbs N×5
 * @returns Float64Array N×4 xyxy.
 */
export function obbToHbb(obbs: ArrayLike<number>): Float64Array {
  const n = checkedRows(obbs, 5, 'obbToHbb', 'obbs');
  const out = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    const b = i * 5;
    const c = Math.abs(Math.cos(obbs[b + 4])), s = Math.abs(Math.sin(obbs[b + 4]));
    const w = Math.abs(obbs[b + 2]), h = Math.abs(obbs[b + 3]);
    const ex = (c * w + s * h) / 2, ey = (s * w + c * h) / 2;
    out[i * 4] = obbs[b] - ex;
    out[i * 4 + 1] = obbs[b + 1] - ey;
    out[i * 4 + 2] = obbs[b] + ex;
    out[i * 4 + 3] = obbs[b + 1] + ey;
  }
  return out;
}

/**
 * Axis-aligned bounding boxes of 4-point polygons.
 * @param polys N×8
 * @returns Float64Array N×4 xyxy.
 */
export function polyToHbb(polys: ArrayLike<number>): Float64Array {
  const n = checkedRows(polys, 8, 'polyToHbb', 'polys');
  const out = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (let k = 0; k < 8; k += 2) {
      const x = polys[i * 8 + k], y = polys[i * 8 + k + 1];
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
    }
    out.set([x1, y1, x2, y2], i * 4);
  }
  return out;
}

/**
 * Horizontal boxes as OBBs with θ = 0, then normalised to `convention` (so a tall box in le90
 * becomes (cx, cy, h, w, −π/2)).
 * @param xyxy N×4
 * @returns Float64Array N×5.
 */
export function hbbToObb(xyxy: ArrayLike<number>, convention: AngleConvention = 'le90'): Float64Array {
  assertOneOf(convention, ANGLE_CONVENTIONS, 'hbbToObb', 'convention');
  const n = checkedRows(xyxy, 4, 'hbbToObb', 'xyxy');
  const out = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) {
    const x1 = xyxy[i * 4], y1 = xyxy[i * 4 + 1], x2 = xyxy[i * 4 + 2], y2 = xyxy[i * 4 + 3];
    out.set([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, 0], i * 5);
  }
  normalizeObbInPlace(out, convention);
  return out;
}

/**
 * Horizontal boxes as 4-point polygons, same corner order as obbToPoly at θ = 0:
 * (x1,y1), (x2,y1), (x2,y2), (x1,y2).
 * @param xyxy N×4
 * @returns Float64Array N×8.
 */
export function hbbToPoly(xyxy: ArrayLike<number>): Float64Array {
  const n = checkedRows(xyxy, 4, 'hbbToPoly', 'xyxy');
  const out = new Float64Array(n * 8);
  for (let i = 0; i < n; i++) {
    const x1 = xyxy[i * 4], y1 = xyxy[i * 4 + 1], x2 = xyxy[i * 4 + 2], y2 = xyxy[i * 4 + 3];
    out.set([x1, y1, x2, y1, x2, y2, x1, y2], i * 8);
  }
  return out;
}
