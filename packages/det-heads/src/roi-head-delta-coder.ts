// Oriented box refinement deltas of the Oriented R-CNN RoI head (mmrotate's
// `DeltaXYWHAOBBoxCoder` with angle_range le90, edge_swap and proj_xy): (Δx, Δy) are the centre
// shift in the proposal's own rotated frame, (Δw, Δh) log size ratios and Δθ the angle change,
// where the target's sides are swapped when that makes the angle change smaller.
// Host-side (no tfjs).
import { DetHeadInputError } from './errors.js';

export interface ObbDeltaCoderOptions {
  means?: readonly number[];
  /** mmrotate's Oriented R-CNN: (0.1, 0.1, 0.2, 0.2, 0.1). */
  stds?: readonly number[];
  whRatioClip?: number;
}

export const ROI_HEAD_DELTA_STDS: readonly number[] = [0.1, 0.1, 0.2, 0.2, 0.1];

/** le90 angle normalisation: into [−π/2, π/2). */
export function normAngleLe90(a: number): number {
  const r = (a + Math.PI / 2) % Math.PI;
  return (r < 0 ? r + Math.PI : r) - Math.PI / 2;
}

function params(opts: ObbDeltaCoderOptions) {
  const means = opts.means ?? [0, 0, 0, 0, 0];
  const stds = opts.stds ?? ROI_HEAD_DELTA_STDS;
  if (means.length !== 5 || stds.length !== 5) throw new DetHeadInputError('obb delta coder: means/stds need 5 values');
  return { means, stds };
}

/** Deltas [N, 5] from `proposals` [N, 5] to `gts` [N, 5] (both cx, cy, w, h, θ). */
export function obbDeltaEncode(proposals: ArrayLike<number>, gts: ArrayLike<number>, opts: ObbDeltaCoderOptions = {}): Float64Array {
  const n = proposals.length / 5;
  if (!Number.isInteger(n) || gts.length !== proposals.length) {
    throw new DetHeadInputError(`obbDeltaEncode: proposals ${proposals.length / 5} rows vs gts ${gts.length / 5} rows`);
  }
  const { means, stds } = params(opts);
  const out = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) {
    const [px, py, pw, ph, pa] = [0, 1, 2, 3, 4].map((k) => proposals[i * 5 + k]);
    const [gx, gy, gw, gh, ga] = [0, 1, 2, 3, 4].map((k) => gts[i * 5 + k]);
    const c = Math.cos(pa);
    const s = Math.sin(pa);
    const dx = (c * (gx - px) + s * (gy - py)) / pw;
    const dy = (-s * (gx - px) + c * (gy - py)) / ph;
    const t1 = normAngleLe90(ga - pa);
    const t2 = normAngleLe90(ga - pa + Math.PI / 2);
    const keep = Math.abs(t1) < Math.abs(t2);
    const d = [dx, dy, Math.log((keep ? gw : gh) / pw), Math.log((keep ? gh : gw) / ph), keep ? t1 : t2];
    for (let k = 0; k < 5; k++) out[i * 5 + k] = (d[k] - means[k]) / stds[k];
  }
  return out;
}

/** Boxes [N, 5] (le90, w ≥ h) from `proposals` [N, 5] and `deltas` [N, 5]. */
export function obbDeltaDecode(proposals: ArrayLike<number>, deltas: ArrayLike<number>, opts: ObbDeltaCoderOptions = {}): Float64Array {
  const n = proposals.length / 5;
  if (!Number.isInteger(n) || deltas.length !== proposals.length) {
    throw new DetHeadInputError(`obbDeltaDecode: proposals ${proposals.length / 5} rows vs deltas ${deltas.length / 5} rows`);
  }
  const { means, stds } = params(opts);
  const maxRatio = Math.abs(Math.log(opts.whRatioClip ?? 16 / 1000));
  const clamp = (v: number) => Math.min(maxRatio, Math.max(-maxRatio, v));
  const out = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) {
    const [px, py, pw, ph, pa] = [0, 1, 2, 3, 4].map((k) => proposals[i * 5 + k]);
    const [dx, dy, dw, dh, da] = [0, 1, 2, 3, 4].map((k) => deltas[i * 5 + k] * stds[k] + means[k]);
    const c = Math.cos(pa);
    const s = Math.sin(pa);
    const gx = dx * pw * c - dy * ph * s + px;
    const gy = dx * pw * s + dy * ph * c + py;
    const gw = pw * Math.exp(clamp(dw));
    const gh = ph * Math.exp(clamp(dh));
    const ga = normAngleLe90(pa + da);
    out.set(gw > gh ? [gx, gy, gw, gh, ga] : [gx, gy, gh, gw, normAngleLe90(ga + Math.PI / 2)], i * 5);
  }
  return out;
}
