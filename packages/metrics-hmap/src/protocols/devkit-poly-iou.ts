/**
 * The DOTA devkit's polygon IoU (`polyiou.cpp::iou_poly`), operation for operation, for the
 * `dota` protocol. The devkit does not compute the exact intersection: it sums signed
 * triangle-fan intersections, clipping with an epsilon (`sig`, 1e-8), and reverses clockwise
 * polygons in place before taking their areas. Its IoU differs from the exact one in the last
 * bits, sometimes more, and on 1M detections that flips a few matches at the 0.5 threshold
 * (mAP off by ~2e-5); this port gives the devkit's value bit for bit (same double operations in
 * the same order). Quadrilaterals only, as the devkit (`n1 = n2 = 4`).
 */
import { convexQuadIoU, quadTables, type QuadTables } from './convex-quad-iou.js';

const EPS = 1e-8;
const MAXN = 51;

function sig(d: number): number {
  return (d > EPS ? 1 : 0) - (d < -EPS ? 1 : 0);
}

function cross(ox: number, oy: number, ax: number, ay: number, bx: number, by: number): number {
  return (ax - ox) * (by - oy) - (bx - ox) * (ay - oy);
}

/** Signed area of the first n points (closes the ring in place, as the C++ does). */
function area(xs: Float64Array, ys: Float64Array, n: number): number {
  xs[n] = xs[0];
  ys[n] = ys[0];
  let res = 0;
  for (let i = 0; i < n; i++) res += xs[i] * ys[i + 1] - ys[i] * xs[i + 1];
  return res / 2.0;
}

/** Scratch of one intersection (the C++ stack arrays `p[10]` and `pp[maxn]`). */
const px = new Float64Array(MAXN + 1);
const py = new Float64Array(MAXN + 1);
const ppx = new Float64Array(MAXN + 1);
const ppy = new Float64Array(MAXN + 1);

/**
 * `polygon_cut`: keeps the part of p (n points) left of a→b; returns the new n. Each point's
 * cross product is computed once and carried to the next edge (the C++ computes it twice, with
 * the same inputs and so the same value), and `lineCross` reuses the two.
 */
function polygonCut(n: number, ax: number, ay: number, bx: number, by: number): number {
  let m = 0;
  px[n] = px[0];
  py[n] = py[0];
  let cPrev = cross(ax, ay, bx, by, px[0], py[0]);
  let sPrev = sig(cPrev);
  for (let i = 0; i < n; i++) {
    const cNext = cross(ax, ay, bx, by, px[i + 1], py[i + 1]);
    const sNext = sig(cNext);
    if (sPrev > 0) {
      ppx[m] = px[i];
      ppy[m] = py[i];
      m++;
    }
    if (sPrev !== sNext) {
      // lineCross(a, b, p[i], p[i+1], pp[m++]): s1, s2 are never both ~0 here (their signs
      // differ); when s2 − s1 is ~0 it returns early and pp[m] keeps what it held.
      if (sig(cNext - cPrev) !== 0) {
        ppx[m] = (px[i] * cNext - px[i + 1] * cPrev) / (cNext - cPrev);
        ppy[m] = (py[i] * cNext - py[i + 1] * cPrev) / (cNext - cPrev);
      }
      m++;
    }
    cPrev = cNext;
    sPrev = sNext;
  }
  n = 0;
  for (let i = 0; i < m; i++) {
    if (i === 0 || !(sig(ppx[i] - ppx[i - 1]) === 0 && sig(ppy[i] - ppy[i - 1]) === 0)) {
      px[n] = ppx[i];
      py[n] = ppy[i];
      n++;
    }
  }
  while (n > 1 && sig(px[n - 1] - px[0]) === 0 && sig(py[n - 1] - py[0]) === 0) n--;
  return n;
}

/** Signed intersection area of triangles (o, a, b) and (o, c, d), o the origin. */
function triangleIntersect(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): number {
  const s1 = sig(cross(0, 0, ax, ay, bx, by));
  const s2 = sig(cross(0, 0, cx, cy, dx, dy));
  if (s1 === 0 || s2 === 0) return 0.0;
  px[0] = 0;
  py[0] = 0;
  // swap(a, b) / swap(c, d) when clockwise
  if (s1 === -1) {
    px[1] = bx;
    py[1] = by;
    px[2] = ax;
    py[2] = ay;
  } else {
    px[1] = ax;
    py[1] = ay;
    px[2] = bx;
    py[2] = by;
  }
  const c0x = s2 === -1 ? dx : cx;
  const c0y = s2 === -1 ? dy : cy;
  const d0x = s2 === -1 ? cx : dx;
  const d0y = s2 === -1 ? cy : dy;
  let n = 3;
  n = polygonCut(n, 0, 0, c0x, c0y);
  n = polygonCut(n, c0x, c0y, d0x, d0y);
  n = polygonCut(n, d0x, d0y, 0, 0);
  let res = Math.abs(area(px, py, n));
  if (s1 * s2 === -1) res = -res;
  return res;
}

const q1x = new Float64Array(5);
const q1y = new Float64Array(5);
const q2x = new Float64Array(5);
const q2y = new Float64Array(5);

function load(xs: Float64Array, ys: Float64Array, poly: Float64Array, at: number): void {
  for (let i = 0; i < 4; i++) {
    xs[i] = poly[at + 2 * i];
    ys[i] = poly[at + 2 * i + 1];
  }
}

function reverse4(xs: Float64Array, ys: Float64Array): void {
  let t = xs[0];
  xs[0] = xs[3];
  xs[3] = t;
  t = xs[1];
  xs[1] = xs[2];
  xs[2] = t;
  t = ys[0];
  ys[0] = ys[3];
  ys[3] = t;
  t = ys[1];
  ys[1] = ys[2];
  ys[2] = t;
}

/** `iou_poly(p, q)` with p = the GT (row `pAt` of `p`) and q = the detection, as the devkit calls it. */
export function devkitPolyIoU(p: Float64Array, pAt: number, q: Float64Array, qAt: number): number {
  load(q1x, q1y, p, pAt);
  load(q2x, q2y, q, qAt);
  // intersectArea(ps1, 4, ps2, 4)
  if (area(q1x, q1y, 4) < 0) reverse4(q1x, q1y);
  if (area(q2x, q2y, 4) < 0) reverse4(q2x, q2y);
  q1x[4] = q1x[0];
  q1y[4] = q1y[0];
  q2x[4] = q2x[0];
  q2y[4] = q2y[0];
  let inter = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) inter += triangleIntersect(q1x[i], q1y[i], q1x[i + 1], q1y[i + 1], q2x[j], q2y[j], q2x[j + 1], q2y[j + 1]);
  }
  const union = Math.abs(area(q1x, q1y, 4)) + Math.abs(area(q2x, q2y, 4)) - inter;
  return inter / union;
}

/**
 * [D, G] devkit IoU of packed detection polygons and GT polygons. GTs whose +1-pixel HBB
 * overlap with the detection is 0 are skipped, as the devkit skips them (0 here).
 *
 * With `threshold`, only the pairs that can decide a match get the (slow, 48 clip steps)
 * devkit value. Where both quads are convex with an area ≥ 1 px² ("regular"), the devkit and
 * the exact IoU agree to ~1e-12 (rounding, and the devkit's 1e-8 px² clipping epsilon), far
 * inside the margin m = 1e-6. Of such pairs a row (one detection) needs the devkit value only
 * where the exact IoU is within m of the threshold (above or below?), or within 2m of the row's
 * best when that is ≥ threshold − m and another pair is within 2m of it too (which GT is the
 * argmax? — a single clear best stays the argmax); every other such pair keeps its exact value,
 * which cannot cross the threshold or become the argmax in the devkit either. Pairs with a
 * non-convex or tiny quad always get the devkit value.
 */
export function devkitPolyIoUMatrix(dets: Float64Array, gts: Float64Array, threshold?: number): Float64Array {
  const D = dets.length / 8;
  const G = gts.length / 8;
  const out = new Float64Array(D * G);
  devkitPolyIoUInto(out, quadTables(dets), identity(D), 0, D, quadTables(gts), identity(G), 0, G, threshold);
  return out;
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

const SHORTCUT_MARGIN = 1e-6;

/** Per-row scratch: exact IoU per GT column (0 without overlap), grown on demand. */
let exactRow = new Float64Array(64);

/**
 * `devkitPolyIoUMatrix` of detections `detIdx[d0 .. d0+D)` and GTs `gtIdx[g0 .. g0+G)` (rows of
 * the tables, built once per dataset), written to `out[0 .. D·G)` — what the matcher runs per
 * (class, image) group, without gathering rows or allocating.
 */
export function devkitPolyIoUInto(
  out: Float64Array,
  dets: QuadTables,
  detIdx: Int32Array,
  d0: number,
  D: number,
  gts: QuadTables,
  gtIdx: Int32Array,
  g0: number,
  G: number,
  threshold?: number,
): void {
  if (exactRow.length < G) exactRow = new Float64Array(Math.max(G, 2 * exactRow.length));
  const m = SHORTCUT_MARGIN;
  const dh = dets.bounds;
  const gh = gts.bounds;
  for (let i = 0; i < D; i++) {
    const di = detIdx[d0 + i];
    const dx1 = dh[4 * di];
    const dy1 = dh[4 * di + 1];
    const dx2 = dh[4 * di + 2];
    const dy2 = dh[4 * di + 3];
    const row = i * G;
    const exact = threshold !== undefined && dets.regular[di] === 1;
    let best = -Infinity; // best exact IoU of the row over regular pairs
    let anyExact = false;
    for (let j = 0; j < G; j++) {
      const gj = gtIdx[g0 + j];
      out[row + j] = 0;
      const iw = Math.max(Math.min(gh[4 * gj + 2], dx2) - Math.max(gh[4 * gj], dx1) + 1, 0);
      const ih = Math.max(Math.min(gh[4 * gj + 3], dy2) - Math.max(gh[4 * gj + 1], dy1) + 1, 0);
      const overlaps = iw * ih > 0;
      if (exact && gts.regular[gj] === 1) {
        // HBBs a pixel apart: the quads are disjoint and the exact IoU is 0.
        const e = overlaps ? convexQuadIoU(dets, di, gts, gj) : 0;
        exactRow[j] = e;
        if (e > best) best = e;
        anyExact ||= overlaps;
      } else if (overlaps) out[row + j] = devkitPolyIoU(gts.poly, 8 * gj, dets.poly, 8 * di);
    }
    if (!anyExact) continue;
    let nearBest = 0; // regular pairs within 2m of the best: an argmax the exact IoU cannot settle
    for (let j = 0; j < G; j++) if (gts.regular[gtIdx[g0 + j]] === 1 && exactRow[j] >= best - 2 * m) nearBest++;
    for (let j = 0; j < G; j++) {
      const gj = gtIdx[g0 + j];
      if (gts.regular[gj] !== 1) continue;
      const iw = Math.max(Math.min(gh[4 * gj + 2], dx2) - Math.max(gh[4 * gj], dx1) + 1, 0);
      const ih = Math.max(Math.min(gh[4 * gj + 3], dy2) - Math.max(gh[4 * gj + 1], dy1) + 1, 0);
      if (iw * ih <= 0) continue;
      const e = exactRow[j];
      const nearThreshold = Math.abs(e - threshold!) < m;
      const contender = nearBest > 1 && best >= threshold! - m && e >= best - 2 * m;
      out[row + j] = nearThreshold || contender ? devkitPolyIoU(gts.poly, 8 * gj, dets.poly, 8 * di) : e;
    }
  }
}
