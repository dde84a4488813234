// poly → OBB as the minimum-area enclosing rectangle (cv2.minAreaRect semantics, which
// mmrotate's poly2obb_oc uses): convex hull, then rotating calipers — the optimal rectangle
// has a side collinear with a hull edge, so trying every hull edge is exact.
import { normalizeObbInPlace } from './angle-convention.js';
import { assertOneOf, checkedRows } from './errors.js';
import { ANGLE_CONVENTIONS, type AngleConvention } from './types.js';

/** Convex hull (Andrew's monotone chain, counter-clockwise in math axes) of up to 4 points. */
function convexHull(px: number[], py: number[]): number[] {
  const idx = [0, 1, 2, 3].slice(0, px.length).sort((a, b) => px[a] - px[b] || py[a] - py[b]);
  const cross = (o: number, a: number, b: number) =>
    (px[a] - px[o]) * (py[b] - py[o]) - (py[a] - py[o]) * (px[b] - px[o]);
  const lower: number[] = [];
  for (const i of idx) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], i) <= 0) lower.pop();
    lower.push(i);
  }
  const upper: number[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], i) <= 0) upper.pop();
    upper.push(i);
  }
  lower.pop();
  upper.pop();
  const hull = lower.concat(upper);
  // All points identical: the chain leaves one index twice or none.
  return hull.length === 0 ? [idx[0]] : hull;
}

/** Minimum-area rectangle of one quadrilateral, written as (cx, cy, w, h, θ) to out[o..]. */
function minAreaRect(polys: ArrayLike<number>, i: number, out: Float64Array, o: number): void {
  // Work relative to the first vertex: keeps products small for boxes far from the origin.
  const ox = polys[i * 8], oy = polys[i * 8 + 1];
  const px: number[] = [], py: number[] = [];
  for (let k = 0; k < 4; k++) {
    px.push(polys[i * 8 + 2 * k] - ox);
    py.push(polys[i * 8 + 2 * k + 1] - oy);
  }
  const hull = convexHull(px, py);
  if (hull.length === 1 || (hull.length === 2 && px[hull[0]] === px[hull[1]] && py[hull[0]] === py[hull[1]])) {
    out.set([px[hull[0]] + ox, py[hull[0]] + oy, 0, 0, 0], o);
    return;
  }
  let best = Infinity;
  for (let e = 0; e < hull.length; e++) {
    const a = hull[e], b = hull[(e + 1) % hull.length];
    const len = Math.hypot(px[b] - px[a], py[b] - py[a]);
    if (len === 0) continue;
    const ux = (px[b] - px[a]) / len, uy = (py[b] - py[a]) / len;
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const k of hull) {
      const pu = px[k] * ux + py[k] * uy; // projection on the edge direction
      const pv = -px[k] * uy + py[k] * ux; // projection on its normal
      if (pu < minU) minU = pu;
      if (pu > maxU) maxU = pu;
      if (pv < minV) minV = pv;
      if (pv > maxV) maxV = pv;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < best) {
      best = area;
      const mu = (minU + maxU) / 2, mv = (minV + maxV) / 2;
      // Back from (u, v) coordinates: p = mu·u + mv·n, n = (−uy, ux).
      out[o] = ox + mu * ux - mv * uy;
      out[o + 1] = oy + mu * uy + mv * ux;
      out[o + 2] = maxU - minU;
      out[o + 3] = maxV - minV;
      out[o + 4] = Math.atan2(uy, ux);
    }
  }
}

/**
 * Minimum-area enclosing rectangles of arbitrary quadrilaterals (any vertex order), as OBBs
 * normalised to `convention`. For a true rectangle this recovers it up to float error.
 * Degenerate input gives h = 0 (collinear points) or w = h = 0 (one point).
 * @param polys N×8
 * @returns Float64Array N×5.
 */
export function polyToObb(polys: ArrayLike<number>, convention: AngleConvention = 'le90'): Float64Array {
  assertOneOf(convention, ANGLE_CONVENTIONS, 'polyToObb', 'convention');
  const n = checkedRows(polys, 8, 'polyToObb', 'polys');
  const out = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) minAreaRect(polys, i, out, i * 5);
  normalizeObbInPlace(out, convention);
  return out;
}
