/**
 * `dota`: the DOTA devkit task1 evaluator (`dota_evaluation_task1.py::voc_eval`) on polygons.
 * IoU must EXCEED 0.5; difficult GTs ignored in file order; VOC07 11-point AP by default;
 * recall = tp / npos (a class without positives gets AP 0 under 11-point, NaN under area);
 * mAP = mean over the WHOLE class list (devkit), `mAPClassesWithGt` = mmrotate's mean.
 * Equal scores keep input (file line) order, as the devkit sorts each Task1 file. IoU is the
 * devkit's own `polyiou` (epsilon-clipped triangle fans, `devkit-poly-iou.ts`), not the exact one.
 */
import { areaAP, elevenPointAP } from '../average-precision.js';
import { greedyMatch } from '../greedy-match.js';
import { FLOAT64_EPS, meanOrZero, precisionRecall } from '../precision-recall.js';
import type { ClassResult, EvalDataset, ProtocolResult } from '../types.js';
import { toPolygons } from './geometry-for-protocol.js';

export interface DotaOptions {
  /** `true` (default): VOC07 11-point AP as in the devkit's `main`; `false`: all-point area. */
  use07Metric?: boolean;
  iouThreshold?: number;
}

export function evaluateDota(input: EvalDataset, opts: DotaOptions = {}): ProtocolResult {
  const ds = toPolygons(input);
  const use07 = opts.use07Metric ?? true;
  const matches = greedyMatch(ds, {
    thresholds: [opts.iouThreshold ?? 0.5],
    strict: true,
    ignoreDifficult: true,
    argmaxOrder: 'file',
    tieOrder: 'input',
    polyIoU: 'devkit',
  });
  const perClass: ClassResult[] = matches.map((m, c) => {
    const { recall, precision } = precisionRecall(m.tp[0], m.fp[0], m.numGts, 0, FLOAT64_EPS);
    // No detections: the devkit crashes; 0 is what its formula gives (empty curve).
    let ap = use07 ? elevenPointAP(recall, precision) : areaAP(recall, precision);
    if (m.numDets === 0) ap = 0;
    return { label: c, name: ds.classes[c], ap, ap50: ap, numGts: m.numGts, numIgnored: m.numIgnored, numDets: m.numDets, inMap: true };
  });
  const mAP = meanOrZero(perClass.map((c) => c.ap));
  const mAPClassesWithGt = meanOrZero(perClass.filter((c) => c.numGts > 0).map((c) => c.ap));
  return { protocol: 'dota', mAP, AP50: mAP, mAPClassesWithGt, perClass, numImages: ds.images.length };
}
