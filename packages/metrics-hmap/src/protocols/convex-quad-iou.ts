import { convexIntersectionAreaAt } from '@babelrs/boxes';

/**
 * Exact IoU of two convex quadrilaterals, the same double operations in the same order as
 * `@babelrs/boxes` `polyIoU` takes for a convex pair (its shoelace areas, strict bounds test,
 * Sutherland–Hodgman clip of P by Q in P's first-vertex frame, fan area), so the value is the
 * same to the last bit (a test checks it; the clip is boxes' own `convexIntersectionAreaAt`) —
 * without that function's per-call tables: the dota
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

/** IoU of quad `i` of `a` and quad `j` of `b`, both convex (`polyIoU(a_i, b_j)` bit for bit). */
export function convexQuadIoU(a: QuadTables, i: number, b: QuadTables, j: number): number {
  const areaA = a.area[i];
  const areaB = b.area[j];
  if (areaA <= 0 || areaB <= 0) return 0;
  const ab = a.bounds;
  const bb = b.bounds;
  if (ab[i * 4] >= bb[j * 4 + 2] || bb[j * 4] >= ab[i * 4 + 2] || ab[i * 4 + 1] >= bb[j * 4 + 3] || bb[j * 4 + 1] >= ab[i * 4 + 3]) return 0;
  // the clip polyIoU runs for a convex pair (P clipped by Q in P's first-vertex frame, fan area)
  const inter = convexIntersectionAreaAt(a.poly, i * 8, 4, b.poly, j * 8, 4);
  if (inter <= 0) return 0;
  const denom = areaA + areaB - inter;
  return denom > 0 ? Math.min(1, inter / denom) : 0;
}
