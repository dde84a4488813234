/**
 * Exact IoU of two convex quadrilaterals, the same double operations in the same order as
 * `@babelrs/boxes` `polyIoU` takes for a convex pair (its shoelace areas, strict bounds test,
 * Sutherland–Hodgman clip of P by Q in P's first-vertex frame, fan area), so the value is the
 * same to the last bit (a test checks it) — without that function's per-call tables: the dota
 * protocol calls it per (detection, GT) pair whose boxes overlap, on tables built once
 * (`quadTables`).
 */

/** Per-dataset tables of packed quads (N×8), computed once for all (class, image) groups. */
export interface QuadTables {
  poly: Float64Array;
  /** N×4 (xmin, ymin, xmax, ymax) of the corners. */
  bounds: Float64Array;
  /** |shoelace area|, computed as `polyIoU` computes it. */
  area: Float64Array;
  /** 1 where the quad is strictly convex (either orientation) with area ≥ 1 px² (see devkit-poly-iou). */
  regular: Uint8Array;
}

export function quadTables(poly: Float64Array): QuadTables {
  const n = poly.length / 8;
  const bounds = new Float64Array(4 * n);
  const area = new Float64Array(n);
  const regular = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const o = 8 * r;
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    for (let k = o; k < o + 8; k += 2) {
      const x = poly[k];
      const y = poly[k + 1];
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
    }
    bounds[4 * r] = x1;
    bounds[4 * r + 1] = y1;
    bounds[4 * r + 2] = x2;
    bounds[4 * r + 3] = y2;
    const x0 = poly[o];
    const y0 = poly[o + 1];
    const ax = poly[o + 2] - x0;
    const ay = poly[o + 3] - y0;
    const bx = poly[o + 4] - x0;
    const by = poly[o + 5] - y0;
    const cx = poly[o + 6] - x0;
    const cy = poly[o + 7] - y0;
    area[r] = Math.abs((ax * by - ay * bx + (bx * cy - by * cx)) / 2);
    regular[r] = isRegularQuad(poly, o);
  }
  return { poly, bounds, area, regular };
}

/**
 * Strictly convex (every turn the same strict sign) with area ≥ 1 px². Unrolled: it runs once per
 * quad of the dataset (a million detections); same operations as `regularQuads` was written with.
 */
function isRegularQuad(p: Float64Array, o: number): number {
  const x0 = p[o];
  const y0 = p[o + 1];
  const x1 = p[o + 2];
  const y1 = p[o + 3];
  const x2 = p[o + 4];
  const y2 = p[o + 5];
  const x3 = p[o + 6];
  const y3 = p[o + 7];
  const t0 = (x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1);
  const t1 = (x2 - x1) * (y3 - y2) - (y2 - y1) * (x3 - x2);
  const t2 = (x3 - x2) * (y0 - y3) - (y3 - y2) * (x0 - x3);
  const t3 = (x0 - x3) * (y1 - y0) - (y0 - y3) * (x1 - x0);
  const convex = (t0 > 0 && t1 > 0 && t2 > 0 && t3 > 0) || (t0 < 0 && t1 < 0 && t2 < 0 && t3 < 0);
  const twiceArea = x0 * y1 - y0 * x1 + (x1 * y2 - y1 * x2) + (x2 * y3 - y2 * x3) + (x3 * y0 - y3 * x0);
  return convex && Math.abs(twiceArea) >= 2 && Number.isFinite(twiceArea) ? 1 : 0;
}

// Clip buffers: a convex quad clipped by 4 half-planes has at most 8 vertices; each step at
// most doubles the count whatever the rounding, hence room for 4·2^4 vertices.
const inp = new Float64Array(128);
const out = new Float64Array(128);
const clip = new Float64Array(8);

/** IoU of quad `i` of `a` and quad `j` of `b`, both convex (`polyIoU(a_i, b_j)` bit for bit). */
export function convexQuadIoU(a: QuadTables, i: number, b: QuadTables, j: number): number {
  const areaA = a.area[i];
  const areaB = b.area[j];
  if (areaA <= 0 || areaB <= 0) return 0;
  const ab = a.bounds;
  const bb = b.bounds;
  if (ab[i * 4] >= bb[j * 4 + 2] || bb[j * 4] >= ab[i * 4 + 2] || ab[i * 4 + 1] >= bb[j * 4 + 3] || bb[j * 4 + 1] >= ab[i * 4 + 3]) return 0;
  const inter = convexQuadIntersection(a.poly, i * 8, b.poly, j * 8);
  if (inter <= 0) return 0;
  const denom = areaA + areaB - inter;
  return denom > 0 ? Math.min(1, inter / denom) : 0;
}

/** Area of P ∩ Q, P = p[pOff..+8], Q = q[qOff..+8] convex, either winding. */
function convexQuadIntersection(p: Float64Array, pOff: number, q: Float64Array, qOff: number): number {
  const ox = p[pOff];
  const oy = p[pOff + 1];
  let src = inp;
  let dst = out;
  for (let k = 0; k < 8; k += 2) {
    src[k] = p[pOff + k] - ox;
    src[k + 1] = p[pOff + k + 1] - oy;
    clip[k] = q[qOff + k] - ox;
    clip[k + 1] = q[qOff + k + 1] - oy;
  }
  let signedQ = 0;
  for (let k = 0, j = 3; k < 4; j = k++) signedQ += clip[2 * j] * clip[2 * k + 1] - clip[2 * k] * clip[2 * j + 1];
  if (signedQ === 0) return 0;
  const orient = signedQ > 0 ? 1 : -1;
  let n = 4;
  for (let e = 0; e < 4 && n > 0; e++) {
    const ax = clip[2 * e];
    const ay = clip[2 * e + 1];
    const e2 = e + 1 === 4 ? 0 : 2 * (e + 1);
    const ex = clip[e2] - ax;
    const ey = clip[e2 + 1] - ay;
    let m = 0;
    let prevX = src[2 * (n - 1)];
    let prevY = src[2 * (n - 1) + 1];
    let dPrev = orient * (ex * (prevY - ay) - ey * (prevX - ax));
    for (let v = 0; v < n; v++) {
      const curX = src[2 * v];
      const curY = src[2 * v + 1];
      const dCur = orient * (ex * (curY - ay) - ey * (curX - ax));
      if (dCur >= 0) {
        if (dPrev < 0) {
          const t = dPrev / (dPrev - dCur);
          dst[m++] = prevX + t * (curX - prevX);
          dst[m++] = prevY + t * (curY - prevY);
        }
        dst[m++] = curX;
        dst[m++] = curY;
      } else if (dPrev >= 0) {
        const t = dPrev / (dPrev - dCur);
        dst[m++] = prevX + t * (curX - prevX);
        dst[m++] = prevY + t * (curY - prevY);
      }
      prevX = curX;
      prevY = curY;
      dPrev = dCur;
    }
    const t = src;
    src = dst;
    dst = t;
    n = m / 2;
  }
  if (n < 3) return 0;
  // ringArea: fan from the first vertex
  const x0 = src[0];
  const y0 = src[1];
  let s = 0;
  let px = src[2] - x0;
  let py = src[3] - y0;
  for (let k = 2; k < n; k++) {
    const qx = src[2 * k] - x0;
    const qy = src[2 * k + 1] - y0;
    s += px * qy - py * qx;
    px = qx;
    py = qy;
  }
  return Math.abs(s) / 2;
}
