// Midpoint-offset box coding of Oriented R-CNN (Xie et al., ICCV 2021; mmrotate's
// `MidpointOffsetCoder`). An oriented box is described relative to a horizontal anchor by six
// numbers (Δx, Δy, Δw, Δh, Δα, Δβ): the first four move and scale the box's horizontal hull as
// in Faster R-CNN, Δα is the offset of the top vertex from the hull's top-edge midpoint (in hull
// widths) and Δβ the offset of the right vertex from the right-edge midpoint (in hull heights).
// Host-side (no tfjs): targets and decoded proposals are constants of the graph.
import { obbToHbb, obbToPoly } from '@babelrs/boxes';
import { DetHeadInputError } from './errors.js';

export interface MidpointOffsetCoderOptions {
  means?: readonly number[];
  stds?: readonly number[];
  /** Largest |Δw|, |Δh| accepted when decoding: |log(whRatioClip)| (mmdet: 16/1000). */
  whRatioClip?: number;
}

const DIM = 6;

function params(opts: MidpointOffsetCoderOptions): { means: readonly number[]; stds: readonly number[] } {
  const means = opts.means ?? [0, 0, 0, 0, 0, 0];
  const stds = opts.stds ?? [1, 1, 1, 1, 1, 1];
  if (means.length !== DIM || stds.length !== DIM) throw new DetHeadInputError(`midpoint-offset coder: means/stds need ${DIM} values`);
  return { means, stds };
}

/**
 * Deltas [N, 6] that move the horizontal `anchors` [N, 4] (x1, y1, x2, y2) onto the oriented
 * `gts` [N, 5] (cx, cy, w, h, θ). Δα is the top vertex (the largest-x corner among those on the
 * hull's top edge) and Δβ the right vertex (largest-y corner on the right edge), as mmrotate.
 */
export function midpointOffsetEncode(anchors: ArrayLike<number>, gts: ArrayLike<number>, opts: MidpointOffsetCoderOptions = {}): Float64Array {
  const n = anchors.length / 4;
  if (!Number.isInteger(n) || gts.length !== n * 5) {
    throw new DetHeadInputError(`midpointOffsetEncode: anchors ${anchors.length / 4} rows vs gts ${gts.length / 5} rows`);
  }
  const { means, stds } = params(opts);
  const hbb = obbToHbb(gts);
  const poly = obbToPoly(gts);
  const out = new Float64Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const px = (anchors[i * 4] + anchors[i * 4 + 2]) / 2;
    const py = (anchors[i * 4 + 1] + anchors[i * 4 + 3]) / 2;
    const pw = anchors[i * 4 + 2] - anchors[i * 4];
    const ph = anchors[i * 4 + 3] - anchors[i * 4 + 1];
    const gx = (hbb[i * 4] + hbb[i * 4 + 2]) / 2;
    const gy = (hbb[i * 4 + 1] + hbb[i * 4 + 3]) / 2;
    const gw = hbb[i * 4 + 2] - hbb[i * 4];
    const gh = hbb[i * 4 + 3] - hbb[i * 4 + 1];
    let yMin = Infinity;
    let xMax = -Infinity;
    for (let k = 0; k < 4; k++) {
      yMin = Math.min(yMin, poly[i * 8 + 2 * k + 1]);
      xMax = Math.max(xMax, poly[i * 8 + 2 * k]);
    }
    // The 0.1 px tolerance is mmrotate's: corners within it count as lying on the hull edge.
    // (So a thin box within ~0.1 rad of axis-aligned encodes as its hull — kept for parity.)
    let ga = -1000;
    let gb = -1000;
    for (let k = 0; k < 4; k++) {
      const x = poly[i * 8 + 2 * k];
      const y = poly[i * 8 + 2 * k + 1];
      if (Math.abs(y - yMin) <= 0.1) ga = Math.max(ga, x);
      if (Math.abs(x - xMax) <= 0.1) gb = Math.max(gb, y);
    }
    const d = [(gx - px) / pw, (gy - py) / ph, Math.log(gw / pw), Math.log(gh / ph), (ga - gx) / gw, (gb - gy) / gh];
    for (let k = 0; k < DIM; k++) out[i * DIM + k] = (d[k] - means[k]) / stds[k];
  }
  return out;
}

/**
 * Oriented boxes [N, 5] (le90) from horizontal `anchors` [N, 4] and `deltas` [N, 6]. The decoded
 * quadrilateral (top, right, bottom, left vertices) is a parallelogram; scaling its half-diagonals
 * to the longer one makes it a rectangle, converted to an oriented box as mmrotate's poly2obb_le90.
 */
export function midpointOffsetDecode(anchors: ArrayLike<number>, deltas: ArrayLike<number>, opts: MidpointOffsetCoderOptions = {}): Float64Array {
  const n = anchors.length / 4;
  if (!Number.isInteger(n) || deltas.length !== n * DIM) {
    throw new DetHeadInputError(`midpointOffsetDecode: anchors ${anchors.length / 4} rows vs deltas ${deltas.length / DIM} rows`);
  }
  const { means, stds } = params(opts);
  const maxRatio = Math.abs(Math.log(opts.whRatioClip ?? 16 / 1000));
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const out = new Float64Array(n * 5);
  const v = new Float64Array(8);
  for (let i = 0; i < n; i++) {
    const d = (k: number) => deltas[i * DIM + k] * stds[k] + means[k];
    const px = (anchors[i * 4] + anchors[i * 4 + 2]) / 2;
    const py = (anchors[i * 4 + 1] + anchors[i * 4 + 3]) / 2;
    const pw = anchors[i * 4 + 2] - anchors[i * 4];
    const ph = anchors[i * 4 + 3] - anchors[i * 4 + 1];
    const gw = pw * Math.exp(clamp(d(2), -maxRatio, maxRatio));
    const gh = ph * Math.exp(clamp(d(3), -maxRatio, maxRatio));
    const gx = px + pw * d(0);
    const gy = py + ph * d(1);
    const da = clamp(d(4), -0.5, 0.5) * gw;
    const db = clamp(d(5), -0.5, 0.5) * gh;
    // Offsets from the centre of the four vertices: top, right, bottom, left.
    v.set([da, -gh / 2, gw / 2, db, -da, gh / 2, -gw / 2, -db]);
    let maxDiag = 0;
    for (let k = 0; k < 4; k++) maxDiag = Math.max(maxDiag, Math.hypot(v[2 * k], v[2 * k + 1]));
    for (let k = 0; k < 4; k++) {
      const len = Math.hypot(v[2 * k], v[2 * k + 1]);
      const s = len > 0 ? maxDiag / len : 1;
      v[2 * k] *= s;
      v[2 * k + 1] *= s;
    }
    rectToObbLe90(v, gx, gy, out, i * 5);
  }
  return out;
}

/**
 * mmrotate's poly2obb_le90 for a rectangle given by its corner offsets `v` (p1..p4) from
 * (cx, cy): w = the longer of edges p1p2 / p2p3, θ = that edge's direction, into le90.
 */
function rectToObbLe90(v: Float64Array, cx: number, cy: number, out: Float64Array, o: number): void {
  const e1 = Math.hypot(v[0] - v[2], v[1] - v[3]);
  const e2 = Math.hypot(v[2] - v[4], v[3] - v[5]);
  const angle = e1 > e2 ? Math.atan2(v[3] - v[1], v[2] - v[0]) : Math.atan2(v[7] - v[1], v[6] - v[0]);
  const t = (angle + Math.PI / 2) % Math.PI;
  out[o] = cx + (v[0] + v[4]) / 2;
  out[o + 1] = cy + (v[1] + v[5]) / 2;
  out[o + 2] = Math.max(e1, e2);
  out[o + 3] = Math.min(e1, e2);
  out[o + 4] = (t < 0 ? t + Math.PI : t) - Math.PI / 2;
}
