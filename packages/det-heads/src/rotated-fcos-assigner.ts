// Rotated FCOS target assignment (mmrotate RotatedFCOSHead._get_target_single), plain arrays.
// A point is positive for a GT when it lies inside the rotated box (all four frame distances
// > 0), with centre sampling also within radius·stride of the centre along both box axes, and
// the largest of its four distances is inside its level's regression range. Among several
// such GTs the smallest (w·h) wins (ties: the lower index).
import type { PriorPoints } from './prior-points.js';
import { DetHeadInputError } from './errors.js';
import { obbToDistanceHost } from './distance-angle-coder.js';

export interface RotatedFcosAssignOptions {
  /** [lower, upper] of max(l, t, r, b) in pixels, per level. */
  regressRanges: ReadonlyArray<readonly [number, number]>;
  centerSampling?: boolean;
  /** In strides (mmrotate 1.5). */
  centerSampleRadius?: number;
}

export interface RotatedFcosAssignment {
  /** [N] GT index of each point, −1 = background. */
  assignedGt: Int32Array;
  /** [N, 4] (l, t, r, b) in pixels for positives (0 elsewhere). */
  distances: Float64Array;
  /** [N] centre-ness target sqrt(min(l,r)/max(l,r) · min(t,b)/max(t,b)) of positives. */
  centerness: Float64Array;
}

/** FCOS's default ranges for a pyramid: (−1, 8·s₀), (8·s₀, 8·s₁), …, (8·s_{L−2}, ∞). */
export function defaultRegressRanges(strides: readonly number[]): Array<[number, number]> {
  return strides.map((s, l) => [l === 0 ? -1 : 8 * strides[l - 1], l === strides.length - 1 ? Number.POSITIVE_INFINITY : 8 * s]);
}

/** gtBoxes: G×5 (cx, cy, w, h, θ) pixels. */
export function rotatedFcosAssign(priors: PriorPoints, gtBoxes: ArrayLike<number>, opts: RotatedFcosAssignOptions): RotatedFcosAssignment {
  const { regressRanges, centerSampling = true, centerSampleRadius = 1.5 } = opts;
  if (regressRanges.length !== priors.perLevel.length) {
    throw new DetHeadInputError(`${regressRanges.length} regress ranges for ${priors.perLevel.length} levels`);
  }
  if (gtBoxes.length % 5 !== 0) throw new DetHeadInputError(`gtBoxes must be G×5, got ${gtBoxes.length} values`);
  const n = priors.strides.length;
  const numGt = gtBoxes.length / 5;
  const out: RotatedFcosAssignment = { assignedGt: new Int32Array(n).fill(-1), distances: new Float64Array(n * 4), centerness: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const [x, y, stride] = [priors.points[i * 2], priors.points[i * 2 + 1], priors.strides[i]];
    const [lo, hi] = regressRanges[priors.levels[i]];
    let bestArea = Number.POSITIVE_INFINITY;
    for (let g = 0; g < numGt; g++) {
      const [l, t, r, b, ox, oy] = obbToDistanceHost(x, y, gtBoxes, g * 5);
      if (!(Math.min(l, t, r, b) > 0)) continue;
      const radius = stride * centerSampleRadius;
      if (centerSampling && !(Math.abs(ox) < radius && Math.abs(oy) < radius)) continue;
      const maxDist = Math.max(l, t, r, b);
      if (!(maxDist >= lo && maxDist <= hi)) continue;
      const area = gtBoxes[g * 5 + 2] * gtBoxes[g * 5 + 3];
      if (!(area < bestArea)) continue;
      bestArea = area;
      out.assignedGt[i] = g;
      out.distances.set([l, t, r, b], i * 4);
      out.centerness[i] = Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
    }
  }
  return out;
}
