// Exact rotated IoU (mmcv box_iou_rotated semantics, clockwise=True, but float64 and exact):
// corners by the obb2poly formula, then convex polygon intersection. Two cheap rejections
// run before clipping — circumcircles, then bounding boxes — because most pairs in an
// evaluation do not overlap at all.
import { convexIntersectionAreaAt } from './convex-intersection.js';
import { checkedRows } from './errors.js';
import { fanIntersectionAreaAt } from './polygon-intersection.js';
import { writeObbCorners } from './obb-poly.js';
import type { RotatedIoUOptions } from './types.js';

/** Precomputed geometry of N convex quadrilaterals, shared by IoU and NMS. */
export interface PreparedQuads {
  n: number;
  corners: Float64Array; // N×8
  area: Float64Array; // N
  bounds: Float64Array; // N×4 xyxy of the corners
  /** 1 = convex in either winding; 0 = concave or self-intersecting (polygons only). */
  convex: Uint8Array;
  /** +1 / −1: sign of the shoelace area (winding); needed by the non-convex path. */
  winding: Int8Array;
  /**
   * OBBs only: centres (N×2) and corners relative to the own centre (N×8). Far from the origin
   * (e.g. cx = 1e9) absolute corners lose the low bits of w·cos θ; intersecting in a frame
   * centred on the first box keeps IoU exact to ~1e-15 at any offset.
   */
  centers?: Float64Array;
  local?: Float64Array;
}

/** Scratch for the second box's corners moved into the first box's frame. */
const shifted = new Float64Array(8);

function fillBounds(q: PreparedQuads): void {
  const { corners, bounds } = q;
  for (let i = 0; i < q.n; i++) {
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (let k = i * 8; k < i * 8 + 8; k += 2) {
      const x = corners[k], y = corners[k + 1];
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
    }
    bounds[i * 4] = x1; bounds[i * 4 + 1] = y1; bounds[i * 4 + 2] = x2; bounds[i * 4 + 3] = y2;
  }
}

/** OBBs (N×5) → corners, |w·h| areas, bounds. */
export function prepareObbs(obbs: ArrayLike<number>, fn: string, arg: string): PreparedQuads {
  const n = checkedRows(obbs, 5, fn, arg);
  const q: PreparedQuads = {
    n, corners: new Float64Array(n * 8), area: new Float64Array(n), bounds: new Float64Array(n * 4),
    convex: new Uint8Array(n).fill(1), winding: new Int8Array(n).fill(1),
  };
  const centers = new Float64Array(n * 2);
  const local = new Float64Array(n * 8);
  const one = new Float64Array(5);
  for (let i = 0; i < n; i++) {
    writeObbCorners(obbs, i, q.corners, i * 8);
    q.area[i] = Math.abs(obbs[i * 5 + 2] * obbs[i * 5 + 3]);
    centers[i * 2] = obbs[i * 5];
    centers[i * 2 + 1] = obbs[i * 5 + 1];
    one[2] = obbs[i * 5 + 2];
    one[3] = obbs[i * 5 + 3];
    one[4] = obbs[i * 5 + 4];
    writeObbCorners(one, 0, local, i * 8); // same box at the origin
  }
  q.centers = centers;
  q.local = local;
  fillBounds(q);
  return q;
}

/** Polygons (N×8) → corners (copied to float64), shoelace areas, bounds. */
export function preparePolys(polys: ArrayLike<number>, fn: string, arg: string): PreparedQuads {
  const n = checkedRows(polys, 8, fn, arg);
  const corners = Float64Array.from(polys);
  const q: PreparedQuads = {
    n, corners, area: new Float64Array(n), bounds: new Float64Array(n * 4),
    convex: new Uint8Array(n), winding: new Int8Array(n),
  };
  for (let i = 0; i < n; i++) {
    // Shoelace relative to the first vertex (see ringArea) for quadrilaterals, inlined.
    const o = i * 8, x0 = corners[o], y0 = corners[o + 1];
    const x1 = corners[o + 2] - x0, y1 = corners[o + 3] - y0;
    const x2 = corners[o + 4] - x0, y2 = corners[o + 5] - y0;
    const x3 = corners[o + 6] - x0, y3 = corners[o + 7] - y0;
    const signed = (x1 * y2 - y1 * x2 + (x2 * y3 - y2 * x3)) / 2;
    q.area[i] = Math.abs(signed);
    q.winding[i] = signed < 0 ? -1 : 1;
    q.convex[i] = isConvexQuad(corners, o) ? 1 : 0;
  }
  fillBounds(q);
  return q;
}

/** Convex (either winding) iff the turn at every vertex has the same sign (zeros allowed). */
function isConvexQuad(c: Float64Array, o: number): boolean {
  let pos = false, neg = false;
  for (let k = 0; k < 4; k++) {
    const a = o + 2 * k, b = o + 2 * ((k + 1) % 4), d = o + 2 * ((k + 2) % 4);
    const turn = (c[b] - c[a]) * (c[d + 1] - c[b + 1]) - (c[b + 1] - c[a + 1]) * (c[d] - c[b]);
    if (turn > 0) pos = true;
    else if (turn < 0) neg = true;
  }
  return !(pos && neg);
}

/** Overlap of quad i of `a` and quad j of `b`; 0 for disjoint bounds or zero areas. */
export function quadOverlap(a: PreparedQuads, i: number, b: PreparedQuads, j: number, iof: boolean): number {
  const areaA = a.area[i], areaB = b.area[j];
  if (areaA <= 0 || areaB <= 0) return 0;
  const ab = a.bounds, bb = b.bounds;
  if (ab[i * 4] >= bb[j * 4 + 2] || bb[j * 4] >= ab[i * 4 + 2] || ab[i * 4 + 1] >= bb[j * 4 + 3] || bb[j * 4 + 1] >= ab[i * 4 + 3]) {
    return 0; // bounding boxes disjoint or touching: no interior overlap
  }
  const inter = a.local && b.local && a.centers && b.centers
    ? obbIntersectionArea(a, i, b, j)
    : a.convex[i] & b.convex[j]
    ? convexIntersectionAreaAt(a.corners, i * 8, 4, b.corners, j * 8, 4)
    // DOTA polyiou orients both polygons positively, then sums signed triangle overlaps.
    : fanIntersectionAreaAt(a.corners, i * 8, 4, b.corners, j * 8, 4) * a.winding[i] * b.winding[j];
  if (inter <= 0) return 0;
  const denom = iof ? areaA : areaA + areaB - inter;
  return denom > 0 ? Math.min(1, inter / denom) : 0;
}

/** |A ∩ B| of two OBBs in A's centred frame: B's local corners + (centre_B − centre_A). */
function obbIntersectionArea(a: PreparedQuads, i: number, b: PreparedQuads, j: number): number {
  const la = a.local!, lb = b.local!;
  const dx = b.centers![j * 2] - a.centers![i * 2];
  const dy = b.centers![j * 2 + 1] - a.centers![i * 2 + 1];
  for (let k = 0; k < 8; k += 2) {
    shifted[k] = lb[j * 8 + k] + dx;
    shifted[k + 1] = lb[j * 8 + k + 1] + dy;
  }
  return convexIntersectionAreaAt(la, i * 8, 4, shifted, 0, 4);
}

function pairwise(a: PreparedQuads, b: PreparedQuads, iof: boolean): Float64Array {
  const out = new Float64Array(a.n * b.n);
  for (let i = 0; i < a.n; i++) {
    for (let j = 0; j < b.n; j++) out[i * b.n + j] = quadOverlap(a, i, b, j, iof);
  }
  return out;
}

/**
 * Pairwise exact IoU (or IoF) of rotated boxes.
 * @param a N×5 (cx, cy, w, h, θ rad), any convention
 * @param b M×5
 * @param opts.mode `iou` (default) or `iof` = |A∩B| / |A|, A from `a`
 * @returns Float64Array N×M. Zero-area boxes give 0, never NaN.
 */
export function rotatedIoU(a: ArrayLike<number>, b: ArrayLike<number>, opts: RotatedIoUOptions = {}): Float64Array {
  const pa = prepareObbs(a, 'rotatedIoU', 'a');
  const pb = prepareObbs(b, 'rotatedIoU', 'b');
  return pairwise(pa, pb, (opts.mode ?? 'iou') === 'iof');
}

/**
 * Pairwise IoU (or IoF) of quadrilaterals in either winding, DOTA devkit polyiou semantics:
 * |A∩B| / (|A| + |B| − |A∩B|), areas by the shoelace formula, no +1. Convex quadrilaterals
 * take one exact convex clip; concave ones the devkit's signed triangle-fan method (also
 * exact); a self-intersecting "bow-tie" gets the devkit's signed-area value, clamped to [0, 1].
 * @param a N×8 (x1, y1, …, x4, y4)
 * @param b M×8
 * @returns Float64Array N×M.
 */
export function polyIoU(a: ArrayLike<number>, b: ArrayLike<number>, opts: RotatedIoUOptions = {}): Float64Array {
  const pa = preparePolys(a, 'polyIoU', 'a');
  const pb = preparePolys(b, 'polyIoU', 'b');
  return pairwise(pa, pb, (opts.mode ?? 'iou') === 'iof');
}
