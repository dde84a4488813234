// Max-IoU assignment and random positive/negative sampling of the two-stage detector
// (mmdet's `MaxIoUAssigner` + `RandomSampler`), over any IoU matrix: horizontal IoU of anchors
// vs. ground-truth hulls for the RPN, exact rotated IoU of proposals vs. oriented ground truth
// for the RoI head. Host-side; the sampler draws from a seeded @babelrs/core `Rng`.
import { rotatedIoU } from '@babelrs/boxes';
import type { Rng } from '@babelrs/core';
import { DetHeadInputError } from './errors.js';

export interface MaxIouAssignOptions {
  /** IoU ≥ posIouThr → positive. */
  posIouThr: number;
  /** 0 ≤ IoU < negIouThr → negative (background). Between the two: ignored. */
  negIouThr: number;
  /** A ground truth's best box becomes positive if their IoU ≥ minPosIou (`matchLowQuality`). */
  minPosIou: number;
  matchLowQuality: boolean;
  /** With matchLowQuality: every box tied at a ground truth's best IoU is matched (mmdet default). */
  gtMaxAssignAll?: boolean;
}

/** Per box: the assigned ground truth (≥ 0), MAX_IOU_NEGATIVE (−1, background) or MAX_IOU_IGNORED (−2). */
export interface MaxIouAssignment {
  gtIndex: Int32Array;
  maxIou: Float64Array;
}

export const MAX_IOU_NEGATIVE = -1;
export const MAX_IOU_IGNORED = -2;

/** mmrotate Oriented R-CNN settings. */
export const RPN_ASSIGN: MaxIouAssignOptions = { posIouThr: 0.7, negIouThr: 0.3, minPosIou: 0.3, matchLowQuality: true };
export const RCNN_ASSIGN: MaxIouAssignOptions = { posIouThr: 0.5, negIouThr: 0.5, minPosIou: 0.5, matchLowQuality: false };

/**
 * Assigns `numBoxes` boxes to `numGts` ground truths from `iou` [numBoxes, numGts] (row-major).
 * `ignoreGt[j]` marks ground truths that must neither match nor make their overlaps background:
 * a box whose IoU with an ignored ground truth is ≥ negIouThr becomes MAX_IOU_IGNORED.
 * `valid[i] = 0` marks boxes that take no part (MAX_IOU_IGNORED).
 */
export function maxIouAssign(
  iou: ArrayLike<number>,
  numBoxes: number,
  numGts: number,
  opts: MaxIouAssignOptions,
  extra: { ignoreGt?: ArrayLike<number>; valid?: ArrayLike<number> } = {},
): MaxIouAssignment {
  if (iou.length !== numBoxes * numGts) throw new DetHeadInputError(`maxIouAssign: iou has ${iou.length} values, expected ${numBoxes}×${numGts}`);
  const gtIndex = new Int32Array(numBoxes).fill(MAX_IOU_IGNORED);
  const maxIou = new Float64Array(numBoxes);
  const ignoreGt = extra.ignoreGt;
  const usable = (j: number) => !ignoreGt || !ignoreGt[j];
  const gtBest = new Float64Array(numGts).fill(-1);
  for (let i = 0; i < numBoxes; i++) {
    if (extra.valid && !extra.valid[i]) continue;
    let best = -1;
    let arg = -1;
    let nearIgnored = false;
    for (let j = 0; j < numGts; j++) {
      const v = iou[i * numGts + j];
      if (!usable(j)) {
        if (v >= opts.negIouThr) nearIgnored = true;
        continue;
      }
      if (v > best) {
        best = v;
        arg = j;
      }
      if (v > gtBest[j]) gtBest[j] = v;
    }
    maxIou[i] = Math.max(best, 0);
    if (arg >= 0 && best >= opts.posIouThr) gtIndex[i] = arg;
    else if (!nearIgnored && maxIou[i] < opts.negIouThr) gtIndex[i] = MAX_IOU_NEGATIVE;
  }
  if (opts.matchLowQuality) {
    for (let j = 0; j < numGts; j++) {
      if (!usable(j) || gtBest[j] < opts.minPosIou) continue;
      for (let i = 0; i < numBoxes; i++) {
        if (extra.valid && !extra.valid[i]) continue;
        if (iou[i * numGts + j] === gtBest[j]) {
          gtIndex[i] = j;
          if (!(opts.gtMaxAssignAll ?? true)) break;
        }
      }
    }
  }
  return { gtIndex, maxIou };
}

/** Assignment of oriented boxes [N, 5] to oriented ground truths [G, 5] by exact rotated IoU. */
export function rotatedIouAssign(
  boxes: ArrayLike<number>,
  gts: ArrayLike<number>,
  opts: MaxIouAssignOptions,
  extra: { ignoreGt?: ArrayLike<number> } = {},
): MaxIouAssignment {
  const n = boxes.length / 5;
  const g = gts.length / 5;
  const iou = n > 0 && g > 0 ? rotatedIoU(boxes, gts) : new Float64Array(0);
  return maxIouAssign(iou, n, g, opts, extra);
}

export interface SampleOptions {
  /** Boxes sampled per image (positives + negatives). */
  num: number;
  posFraction: number;
  rng: Rng;
}

/** Fisher–Yates prefix: `k` distinct random elements of `items`. */
function choose(items: number[], k: number, rng: Rng): number[] {
  const a = items.slice();
  const m = Math.min(k, a.length);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng.uniform() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, m);
}

/**
 * mmdet's RandomSampler: at most ⌊num·posFraction⌋ random positives, the rest of `num` filled
 * with random negatives. Returns ascending indices.
 */
export function samplePositivesNegatives(assign: MaxIouAssignment, opts: SampleOptions): { pos: Int32Array; neg: Int32Array } {
  const posAll: number[] = [];
  const negAll: number[] = [];
  assign.gtIndex.forEach((g, i) => {
    if (g >= 0) posAll.push(i);
    else if (g === MAX_IOU_NEGATIVE) negAll.push(i);
  });
  const pos = choose(posAll, Math.floor(opts.num * opts.posFraction), opts.rng);
  const neg = choose(negAll, opts.num - pos.length, opts.rng);
  const asc = (x: number[]) => Int32Array.from(x.sort((a, b) => a - b));
  return { pos: asc(pos), neg: asc(neg) };
}
