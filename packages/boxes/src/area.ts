// Areas of horizontal boxes, OBBs and polygons.
import { checkedRows, rowCount, assertFinite } from './errors.js';

/** Shoelace area (absolute) of the vertices in buf[o..o+2n], taken relative to the first
 * vertex so coordinates far from the origin do not cancel catastrophically. */
export function ringArea(buf: ArrayLike<number>, o: number, n: number): number {
  if (n < 3) return 0;
  const x0 = buf[o], y0 = buf[o + 1];
  let s = 0;
  let px = buf[o + 2] - x0, py = buf[o + 3] - y0;
  for (let k = 2; k < n; k++) {
    const qx = buf[o + 2 * k] - x0, qy = buf[o + 2 * k + 1] - y0;
    s += px * qy - py * qx;
    px = qx;
    py = qy;
  }
  return Math.abs(s) / 2;
}

/**
 * Areas of N×4 xyxy boxes; an inverted box (x2 < x1 or y2 < y1) has area 0.
 * @returns Float64Array N.
 */
export function hbbArea(xyxy: ArrayLike<number>): Float64Array {
  const n = checkedRows(xyxy, 4, 'hbbArea', 'xyxy');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.max(0, xyxy[i * 4 + 2] - xyxy[i * 4]) * Math.max(0, xyxy[i * 4 + 3] - xyxy[i * 4 + 1]);
  }
  return out;
}

/**
 * Areas |w·h| of N×5 OBBs.
 * @returns Float64Array N.
 */
export function obbArea(obbs: ArrayLike<number>): Float64Array {
  const n = checkedRows(obbs, 5, 'obbArea', 'obbs');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.abs(obbs[i * 5 + 2] * obbs[i * 5 + 3]);
  return out;
}

/**
 * Absolute area of one simple polygon given as a flat x, y, x, y, … list (any vertex count,
 * either winding). Fewer than 3 vertices → 0.
 */
export function polygonArea(poly: ArrayLike<number>): number {
  rowCount(poly, 2, 'polygonArea', 'poly');
  assertFinite(poly, 2, 'polygonArea', 'poly');
  return ringArea(poly, 0, poly.length / 2);
}
