// Area of the intersection of two convex polygons by Sutherland–Hodgman clipping, float64.
// Each clip step parametrises the crossing point by signed distances of opposite sign,
// t = d_prev / (d_prev − d_cur), so the denominator never vanishes — that is what keeps
// nearly parallel edges stable (a line–line intersection would divide by ~0 there).
// Scratch buffers are module-level and grown on demand: no allocation per call.
import { ringArea } from './area.js';
import { assertFinite, rowCount } from './errors.js';

let bufIn = new Float64Array(32);
let bufOut = new Float64Array(32);
let clipBuf = new Float64Array(32);

function ensureCapacity(doubles: number): void {
  if (bufIn.length >= doubles) return;
  const size = Math.max(doubles, bufIn.length * 2);
  bufIn = new Float64Array(size);
  bufOut = new Float64Array(size);
  clipBuf = new Float64Array(size);
}

/**
 * Intersection area of convex polygons P = p[pOff .. pOff+2·pn] and Q = q[qOff .. qOff+2·qn]
 * (flat x, y lists, either winding). Internal hot path: no validation.
 */
export function convexIntersectionAreaAt(
  p: ArrayLike<number>, pOff: number, pn: number,
  q: ArrayLike<number>, qOff: number, qn: number,
): number {
  if (pn < 3 || qn < 3) return 0;
  ensureCapacity(2 * (pn + qn + 2));
  // Local coordinates around P's first vertex: small numbers, less cancellation.
  const ox = p[pOff], oy = p[pOff + 1];
  let inp = bufIn, out = bufOut;
  for (let k = 0; k < 2 * pn; k += 2) {
    inp[k] = p[pOff + k] - ox;
    inp[k + 1] = p[pOff + k + 1] - oy;
  }
  const clip = clipBuf;
  let signedQ = 0;
  for (let k = 0; k < 2 * qn; k += 2) {
    clip[k] = q[qOff + k] - ox;
    clip[k + 1] = q[qOff + k + 1] - oy;
  }
  for (let k = 0, j = qn - 1; k < qn; j = k++) {
    signedQ += clip[2 * j] * clip[2 * k + 1] - clip[2 * k] * clip[2 * j + 1];
  }
  if (signedQ === 0) return 0; // degenerate clip polygon: no interior to intersect
  // "Inside" = left of each edge for a counter-clockwise (math-sense) Q; flip for clockwise.
  const orient = signedQ > 0 ? 1 : -1;
  let n = pn;
  for (let e = 0; e < qn && n > 0; e++) {
    const ax = clip[2 * e], ay = clip[2 * e + 1];
    const e2 = e + 1 === qn ? 0 : 2 * (e + 1);
    const ex = clip[e2] - ax, ey = clip[e2 + 1] - ay;
    let m = 0;
    let prevX = inp[2 * (n - 1)], prevY = inp[2 * (n - 1) + 1];
    let dPrev = orient * (ex * (prevY - ay) - ey * (prevX - ax));
    for (let i = 0; i < n; i++) {
      const curX = inp[2 * i], curY = inp[2 * i + 1];
      const dCur = orient * (ex * (curY - ay) - ey * (curX - ax));
      if (dCur >= 0) {
        if (dPrev < 0) {
          const t = dPrev / (dPrev - dCur);
          out[m++] = prevX + t * (curX - prevX);
          out[m++] = prevY + t * (curY - prevY);
        }
        out[m++] = curX;
        out[m++] = curY;
      } else if (dPrev >= 0) {
        const t = dPrev / (dPrev - dCur);
        out[m++] = prevX + t * (curX - prevX);
        out[m++] = prevY + t * (curY - prevY);
      }
      prevX = curX;
      prevY = curY;
      dPrev = dCur;
    }
    const tmp = inp;
    inp = out;
    out = tmp;
    n = m / 2;
  }
  return n < 3 ? 0 : ringArea(inp, 0, n);
}

/**
 * Area of the intersection of two convex polygons given as flat x, y, x, y, … lists (any
 * vertex count ≥ 3, either winding). Non-convex input gives an undefined result.
 */
export function convexIntersectionArea(p: ArrayLike<number>, q: ArrayLike<number>): number {
  rowCount(p, 2, 'convexIntersectionArea', 'p');
  rowCount(q, 2, 'convexIntersectionArea', 'q');
  assertFinite(p, 2, 'convexIntersectionArea', 'p');
  assertFinite(q, 2, 'convexIntersectionArea', 'q');
  return convexIntersectionAreaAt(p, 0, p.length / 2, q, 0, q.length / 2);
}
