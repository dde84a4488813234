// Clipping a polygon to an axis-aligned rectangle (Sutherland–Hodgman against 4 half-planes);
// DOTA tiling uses it to cut object polygons at tile borders.
import { assertFinite, BoxesError, rowCount } from './errors.js';

type Side = 0 | 1 | 2 | 3; // x ≥ x1, x ≤ x2, y ≥ y1, y ≤ y2

function clipHalfPlane(src: number[], side: Side, bound: number): number[] {
  const out: number[] = [];
  const n = src.length / 2;
  if (n === 0) return out;
  const axis = side < 2 ? 0 : 1;
  // Signed distance, positive inside.
  const dist = (k: number) => (side === 0 || side === 2 ? src[2 * k + axis] - bound : bound - src[2 * k + axis]);
  let prev = n - 1;
  let dPrev = dist(prev);
  for (let k = 0; k < n; k++) {
    const dCur = dist(k);
    if ((dCur >= 0) !== (dPrev >= 0)) {
      const t = dPrev / (dPrev - dCur);
      const x = src[2 * prev] + t * (src[2 * k] - src[2 * prev]);
      const y = src[2 * prev + 1] + t * (src[2 * k + 1] - src[2 * prev + 1]);
      // Snap onto the border exactly: the crossing lies on it by construction.
      out.push(axis === 0 ? bound : x, axis === 1 ? bound : y);
    }
    if (dCur >= 0) out.push(src[2 * k], src[2 * k + 1]);
    prev = k;
    dPrev = dCur;
  }
  return out;
}

/** Drops consecutive duplicate vertices (including last == first) left by clipping. */
function dropRepeats(v: number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < v.length; k += 2) {
    const m = out.length;
    if (m >= 2 && out[m - 2] === v[k] && out[m - 1] === v[k + 1]) continue;
    out.push(v[k], v[k + 1]);
  }
  while (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return out;
}

/**
 * Clips a polygon (flat x, y, … list, any winding; convex or not — a non-convex polygon may
 * come back with zero-width bridges, as with any Sutherland–Hodgman clip) to the rectangle
 * [x1, x2] × [y1, y2].
 * @returns Float64Array flat vertex list of the clipped polygon, winding preserved; empty
 *   when fewer than 3 distinct vertices remain (no overlap, or only a touching edge/point).
 */
export function clipPolygonToRect(poly: ArrayLike<number>, x1: number, y1: number, x2: number, y2: number): Float64Array {
  rowCount(poly, 2, 'clipPolygonToRect', 'poly');
  assertFinite(poly, 2, 'clipPolygonToRect', 'poly');
  assertFinite([x1, y1, x2, y2], 4, 'clipPolygonToRect', 'rect');
  if (x2 < x1 || y2 < y1) {
    throw new BoxesError(`clipPolygonToRect: rect (${x1}, ${y1}, ${x2}, ${y2}) has x2 < x1 or y2 < y1`);
  }
  let v = Array.from(poly);
  v = clipHalfPlane(v, 0, x1);
  v = clipHalfPlane(v, 1, x2);
  v = clipHalfPlane(v, 2, y1);
  v = clipHalfPlane(v, 3, y2);
  v = dropRepeats(v);
  return v.length < 6 ? new Float64Array(0) : Float64Array.from(v);
}
