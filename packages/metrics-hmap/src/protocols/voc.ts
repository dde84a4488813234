/**
 * `voc07` and `voc`: mmdet `eval_map` (tpfp_default), HBB or OBB/poly geometry.
 * IoU ≥ 0.5; difficult GTs ignored (stacked after the normal ones for the argmax);
 * Polygons are turned into le90 OBBs first (mmrotate's data path), then rotated IoU.
 * `voc07` = 11-point AP, `voc` = all-point area AP; mAP = mean over classes with positives.
 */
import { areaAP, elevenPointAP } from '../average-precision.js';
import { greedyMatch } from '../greedy-match.js';
import { FLOAT32_EPS, meanOrZero, precisionRecall } from '../precision-recall.js';
import type { ClassResult, EvalDataset, ProtocolResult } from '../types.js';
import { toRotatedOrHbb } from './geometry-for-protocol.js';

export interface VocOptions {
  /** IoU threshold (default 0.5), compared with `>=`. */
  iouThreshold?: number;
  /** mmdet `use_legacy_coordinate` (`w = x2 − x1 + 1`), HBB only. */
  legacyPlusOne?: boolean;
}

export function evaluateVoc(input: EvalDataset, mode: 'voc07' | 'voc', opts: VocOptions = {}): ProtocolResult {
  const ds = toRotatedOrHbb(input);
  const matches = greedyMatch(ds, {
    thresholds: [opts.iouThreshold ?? 0.5],
    strict: false,
    ignoreDifficult: true,
    argmaxOrder: 'normal-first',
    tieOrder: 'image-then-input',
    legacyPlusOne: opts.legacyPlusOne,
  });
  const perClass: ClassResult[] = matches.map((m, c) => {
    const { recall, precision } = precisionRecall(m.tp[0], m.fp[0], m.numGts, FLOAT32_EPS, FLOAT32_EPS);
    const ap = mode === 'voc07' ? elevenPointAP(recall, precision) : areaAP(recall, precision);
    return { label: c, name: ds.classes[c], ap, ap50: ap, numGts: m.numGts, numIgnored: m.numIgnored, numDets: m.numDets, inMap: m.numGts > 0 };
  });
  const mAP = meanOrZero(perClass.filter((c) => c.inMap).map((c) => c.ap));
  return { protocol: mode, mAP, AP50: mAP, perClass, numImages: ds.images.length };
}
