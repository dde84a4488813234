// Proposal selection of the oriented RPN (mmrotate `OrientedRPNHead._get_bboxes_single`): per
// level the `nmsPre` best-scoring anchors are decoded to oriented boxes, tiny boxes dropped, and
// NMS runs per level; the `maxPerImg` best survivors are the proposals. mmrotate suppresses on
// the boxes' horizontal hulls; we use exact rotated IoU (@babelrs/boxes `batchedNms`).
import { batchedNms } from '@babelrs/boxes';
import { midpointOffsetDecode } from './midpoint-offset-coder.js';
import { RPN_DELTA_STDS } from './oriented-rpn-loss.js';

export interface ProposalOptions {
  /** Candidates kept per level before NMS. */
  nmsPre: number;
  /** Proposals kept per image after NMS. */
  maxPerImg: number;
  nmsIou: number;
  /** Boxes with w or h ≤ minSize are dropped (mmrotate: 0). */
  minSize?: number;
}

/** mmrotate Oriented R-CNN (train and test use the same numbers). */
export const RPN_PROPOSALS: ProposalOptions = { nmsPre: 2000, maxPerImg: 2000, nmsIou: 0.8, minSize: 0 };

/** Host copies of one level's RPN output for the whole batch. */
export interface RpnLevelValues {
  /** [B, H·W·A] logits. */
  cls: ArrayLike<number>;
  /** [B, H·W·A, 6] deltas. */
  reg: ArrayLike<number>;
  /** [H·W·A, 4] anchors. */
  anchors: Float64Array;
}

export interface Proposals {
  /** [P, 5] oriented boxes (le90), input pixels. */
  boxes: Float64Array;
  /** [P] objectness probabilities. */
  scores: Float32Array;
}

function topIndices(values: ArrayLike<number>, offset: number, count: number, k: number): number[] {
  const idx = Array.from({ length: count }, (_, i) => i);
  idx.sort((a, b) => values[offset + b] - values[offset + a] || a - b);
  return idx.slice(0, Math.min(k, count));
}

/** Proposals of image `img` of the batch. */
export function rpnProposals(levels: readonly RpnLevelValues[], img: number, opts: ProposalOptions): Proposals {
  const boxes: number[] = [];
  const scores: number[] = [];
  const levelIds: number[] = [];
  const minSize = opts.minSize ?? 0;
  levels.forEach((lv, l) => {
    const n = lv.anchors.length / 4;
    const top = topIndices(lv.cls, img * n, n, opts.nmsPre);
    const a = new Float64Array(top.length * 4);
    const d = new Float64Array(top.length * 6);
    top.forEach((i, k) => {
      for (let c = 0; c < 4; c++) a[k * 4 + c] = lv.anchors[i * 4 + c];
      for (let c = 0; c < 6; c++) d[k * 6 + c] = lv.reg[(img * n + i) * 6 + c];
    });
    const obb = midpointOffsetDecode(a, d, { stds: RPN_DELTA_STDS });
    top.forEach((i, k) => {
      if (!(obb[k * 5 + 2] > minSize && obb[k * 5 + 3] > minSize)) return;
      for (let c = 0; c < 5; c++) boxes.push(obb[k * 5 + c]);
      scores.push(1 / (1 + Math.exp(-lv.cls[img * n + i])));
      levelIds.push(l);
    });
  });
  const keep = batchedNms(boxes, scores, levelIds, opts.nmsIou, { rotated: true, topK: opts.maxPerImg });
  const out: Proposals = { boxes: new Float64Array(keep.length * 5), scores: new Float32Array(keep.length) };
  keep.forEach((i, k) => {
    for (let c = 0; c < 5; c++) out.boxes[k * 5 + c] = boxes[i * 5 + c];
    out.scores[k] = scores[i];
  });
  return out;
}
