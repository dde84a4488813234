// Intersection area of two simple polygons that need not be convex, by signed triangle fans
// (the method of the DOTA devkit's polyiou): with a fan point o, a polygon's indicator is
// the signed sum of the triangles (o, v_i, v_i+1); the intersection area is then the sum over
// triangle pairs of sign(T1)·sign(T2)·|T1 ∩ T2|, each a convex 3×3 clip.
// For convex polygons the single convex clip (convex-intersection.ts) is ~10× cheaper and
// gives the same number; this path exists for concave quadrilaterals in detection files.
import { convexIntersectionAreaAt } from './convex-intersection.js';
import { assertFinite, rowCount } from './errors.js';

const triA = new Float64Array(6);
const triB = new Float64Array(6);

/** Signed intersection area of polygons at p[pOff..], q[qOff..] (internal, no checks). */
export function fanIntersectionAreaAt(
  p: ArrayLike<number>, pOff: number, pn: number,
  q: ArrayLike<number>, qOff: number, qn: number,
): number {
  if (pn < 3 || qn < 3) return 0;
  // Fan point = P's first vertex, and everything in coordinates relative to it: then every
  // triangle of P's fan that touches the fan point is degenerate and skipped cheaply.
  const ox = p[pOff], oy = p[pOff + 1];
  let total = 0;
  for (let i = 0; i < pn; i++) {
    const i2 = i + 1 === pn ? 0 : i + 1;
    const ax = p[pOff + 2 * i] - ox, ay = p[pOff + 2 * i + 1] - oy;
    const bx = p[pOff + 2 * i2] - ox, by = p[pOff + 2 * i2 + 1] - oy;
    const s1 = ax * by - ay * bx;
    if (s1 === 0) continue;
    triA[2] = ax; triA[3] = ay; triA[4] = bx; triA[5] = by;
    for (let j = 0; j < qn; j++) {
      const j2 = j + 1 === qn ? 0 : j + 1;
      const cx = q[qOff + 2 * j] - ox, cy = q[qOff + 2 * j + 1] - oy;
      const dx = q[qOff + 2 * j2] - ox, dy = q[qOff + 2 * j2 + 1] - oy;
      const s2 = cx * dy - cy * dx;
      if (s2 === 0) continue;
      triB[2] = cx; triB[3] = cy; triB[4] = dx; triB[5] = dy;
      const a = convexIntersectionAreaAt(triA, 0, 3, triB, 0, 3);
      total += (s1 > 0) === (s2 > 0) ? a : -a;
    }
  }
  return total;
}

function bounds(v: ArrayLike<number>): [number, number, number, number] {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (let k = 0; k < v.length; k += 2) {
    x1 = Math.min(x1, v[k]); x2 = Math.max(x2, v[k]);
    y1 = Math.min(y1, v[k + 1]); y2 = Math.max(y2, v[k + 1]);
  }
  return [x1, y1, x2, y2];
}

function boundsOverlap(p: ArrayLike<number>, q: ArrayLike<number>): boolean {
  const a = bounds(p), b = bounds(q);
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/**
 * Area of the intersection of two simple polygons (convex or not, either winding) given as
 * flat x, y, … lists. Self-intersecting input is evaluated with signed-area semantics, as
 * the DOTA devkit does.
 */
export function polygonIntersectionArea(p: ArrayLike<number>, q: ArrayLike<number>): number {
  rowCount(p, 2, 'polygonIntersectionArea', 'p');
  rowCount(q, 2, 'polygonIntersectionArea', 'q');
  assertFinite(p, 2, 'polygonIntersectionArea', 'p');
  assertFinite(q, 2, 'polygonIntersectionArea', 'q');
  // Disjoint bounding boxes: exactly 0 (the fan sum would leave ~1e-16 of cancellation).
  if (!boundsOverlap(p, q)) return 0;
  // The fan sum is signed by both windings; the area is its magnitude.
  return Math.abs(fanIntersectionAreaAt(p, 0, p.length / 2, q, 0, q.length / 2));
}
