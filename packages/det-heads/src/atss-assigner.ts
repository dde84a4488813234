// ATSS (Adaptive Training Sample Selection, Zhang et al. 2020): the anchor assigner of the
// GFL head. For each ground truth the top-k anchors nearest to its centre on every pyramid
// level are candidates; the IoU threshold adapts per GT to mean + std of the candidates'
// IoUs. Same algorithm as mmdet's ATSSAssigner (without ignored boxes). Plain arrays, no tfjs:
// targets are built on the host and enter the losses as constants.
import { hbbIoU } from '@babelrs/boxes';
import { DetHeadInputError } from './errors.js';

export interface AtssOptions {
  /** Candidates per level and GT (mmdet default 9). */
  topk?: number;
}

export interface AtssAssignment {
  /** [A] 0 = background, i + 1 = positive for GT i (mmdet's assigned_gt_inds). */
  assignedGtIndex: Int32Array;
  /** [A] IoU with the assigned GT, 0 for background. */
  maxOverlaps: Float64Array;
  /** [A] class of the assigned GT, −1 for background (when labels were given). */
  labels: Int32Array;
  /** [G] the adaptive IoU threshold of each GT (mean + unbiased std of its candidates). */
  iouThresholds: Float64Array;
}

function checkInputs(anchors: ArrayLike<number>, perLevel: readonly number[], gtBoxes: ArrayLike<number>, gtLabels?: ArrayLike<number>): void {
  if (anchors.length % 4 !== 0) throw new DetHeadInputError(`anchors must be A×4 xyxy, got ${anchors.length} values`);
  if (gtBoxes.length % 4 !== 0) throw new DetHeadInputError(`gtBoxes must be G×4 xyxy, got ${gtBoxes.length} values`);
  const total = perLevel.reduce((a, n) => a + n, 0);
  if (perLevel.some((n) => !Number.isInteger(n) || n < 0) || total !== anchors.length / 4) {
    throw new DetHeadInputError(`numAnchorsPerLevel [${perLevel.join(', ')}] must be counts summing to the ${anchors.length / 4} anchors`);
  }
  if (gtLabels && gtLabels.length !== gtBoxes.length / 4) {
    throw new DetHeadInputError(`${gtLabels.length} gtLabels for ${gtBoxes.length / 4} gtBoxes`);
  }
}

const centreOf = (b: ArrayLike<number>, i: number): [number, number] => [(b[i * 4] + b[i * 4 + 2]) / 2, (b[i * 4 + 1] + b[i * 4 + 3]) / 2];

/**
 * The k anchors of [start, start + count) nearest to (gx, gy), ties → lower index. A bounded
 * insertion list: once full, most anchors are rejected by one comparison with the current
 * worst, so this is ~O(count) instead of sorting every level for every GT.
 */
function nearestK(centres: Float64Array, start: number, count: number, gx: number, gy: number, k: number): number[] {
  const keep = Math.min(k, count);
  const idx: number[] = [];
  const dist: number[] = [];
  for (let a = start; a < start + count; a++) {
    const d = Math.hypot(centres[a * 2] - gx, centres[a * 2 + 1] - gy);
    // Scanning in index order, an equal distance never displaces an earlier anchor.
    if (idx.length === keep && d >= dist[keep - 1]) continue;
    let p = idx.length === keep ? keep - 1 : idx.length;
    while (p > 0 && dist[p - 1] > d) {
      dist[p] = dist[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    dist[p] = d;
    idx[p] = a;
  }
  return idx;
}

/** mean + unbiased std (torch.std default). One candidate: NaN, as in torch, so none passes. */
function adaptiveThreshold(ious: number[]): number {
  const n = ious.length;
  const mean = ious.reduce((a, v) => a + v, 0) / n;
  if (n < 2) return Number.NaN; // torch: std of one value is NaN, so `iou >= NaN` selects nothing
  const variance = ious.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return mean + Math.sqrt(variance);
}

/**
 * anchors: A×4 xyxy, ordered level by level with `numAnchorsPerLevel[l]` anchors on level l;
 * gtBoxes: G×4 xyxy; gtLabels: G class ids (optional).
 */
export function atssAssign(
  anchors: ArrayLike<number>,
  numAnchorsPerLevel: readonly number[],
  gtBoxes: ArrayLike<number>,
  gtLabels?: ArrayLike<number>,
  opts: AtssOptions = {},
): AtssAssignment {
  checkInputs(anchors, numAnchorsPerLevel, gtBoxes, gtLabels);
  const topk = opts.topk ?? 9;
  if (!Number.isInteger(topk) || topk < 1) throw new DetHeadInputError(`topk must be an integer >= 1, got ${topk}`);
  const numAnchors = anchors.length / 4;
  const numGt = gtBoxes.length / 4;
  const out: AtssAssignment = {
    assignedGtIndex: new Int32Array(numAnchors),
    maxOverlaps: new Float64Array(numAnchors),
    labels: new Int32Array(numAnchors).fill(-1),
    iouThresholds: new Float64Array(numGt),
  };
  const centres = new Float64Array(numAnchors * 2);
  for (let a = 0; a < numAnchors; a++) centres.set(centreOf(anchors, a), a * 2);
  // best[a] = highest IoU among the GTs that select anchor a as positive (mmdet's overlaps_inf max).
  const best = new Float64Array(numAnchors).fill(-Infinity);
  for (let g = 0; g < numGt; g++) {
    const gtBox = Array.from({ length: 4 }, (_, k) => gtBoxes[g * 4 + k]);
    const [gx, gy] = centreOf(gtBoxes, g);
    const candidates: number[] = [];
    let start = 0;
    for (const count of numAnchorsPerLevel) {
      candidates.push(...nearestK(centres, start, count, gx, gy, topk));
      start += count;
    }
    const candidateBoxes = candidates.flatMap((a) => [anchors[a * 4], anchors[a * 4 + 1], anchors[a * 4 + 2], anchors[a * 4 + 3]]);
    const ious = Array.from(hbbIoU(candidateBoxes, gtBox));
    const threshold = adaptiveThreshold(ious);
    out.iouThresholds[g] = threshold;
    candidates.forEach((a, j) => {
      const [cx, cy] = [centres[a * 2], centres[a * 2 + 1]];
      // Positive only if the anchor centre lies inside the GT by more than 0.01 on every side.
      const inside = Math.min(cx - gtBox[0], cy - gtBox[1], gtBox[2] - cx, gtBox[3] - cy) > 0.01;
      // Strictly greater wins, so on an exact IoU tie the lower GT index keeps the anchor.
      if (ious[j] >= threshold && inside && ious[j] > best[a]) {
        best[a] = ious[j];
        out.assignedGtIndex[a] = g + 1;
      }
    });
  }
  for (let a = 0; a < numAnchors; a++) {
    const g = out.assignedGtIndex[a];
    if (g === 0) continue;
    out.maxOverlaps[a] = best[a];
    if (gtLabels) out.labels[a] = gtLabels[g - 1];
  }
  return out;
}
