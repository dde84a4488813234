/**
 * `soi`: the SOI-Det rule for oriented boxes (SM3Det's fork of mmrotate `eval_rbbox_map`):
 * IoU thresholds 0.50:0.05:0.95 (`0.05 * i`, i = 10…19), IoU ≥ t, all-point area AP,
 * difficult GTs counted as ordinary GTs, mAP(t) = mean over classes with GT;
 * mAP = mean over t; AP50 = mAP(0.5), AP75 = mAP(0.75).
 * Works on OBB (rotated IoU), polygons (→ le90 OBB first) and HBB.
 */
import { areaAP } from '../average-precision.js';
import { selectImages } from '../dataset.js';
import { greedyMatch } from '../greedy-match.js';
import { FLOAT32_EPS, meanOrZero, precisionRecall } from '../precision-recall.js';
import type { ClassResult, EvalDataset, ProtocolResult } from '../types.js';
import { toRotatedOrHbb } from './geometry-for-protocol.js';

/** SM3Det's `[0.05 * i for i in range(10, 20)]`, bit for bit (e.g. 0.6000000000000001). */
export const SOI_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => 0.05 * (i + 10));

export interface SoiOptions {
  /** `as-gt` (default, the soi rule) or `ignore` (devkit habit; not soi, for comparison). */
  difficult?: 'as-gt' | 'ignore';
  /** SM3Det's loader skips images without any GT (their detections are never scored). Default false. */
  dropImagesWithoutGt?: boolean;
}

export function evaluateSoi(input: EvalDataset, opts: SoiOptions = {}): ProtocolResult {
  let ds = toRotatedOrHbb(input);
  if (opts.dropImagesWithoutGt) ds = dropImagesWithoutGt(ds);
  const thresholds = SOI_IOU_THRESHOLDS;
  const ignore = opts.difficult === 'ignore';
  const matches = greedyMatch(ds, {
    thresholds,
    strict: false,
    ignoreDifficult: ignore,
    argmaxOrder: 'normal-first',
    tieOrder: 'image-then-input',
  });
  const perClass: ClassResult[] = matches.map((m, c) => {
    const apPerThreshold = thresholds.map((_, t) => {
      const { recall, precision } = precisionRecall(m.tp[t], m.fp[t], m.numGts, FLOAT32_EPS, FLOAT32_EPS);
      return areaAP(recall, precision);
    });
    return {
      label: c,
      name: ds.classes[c],
      ap: meanOrZero(apPerThreshold),
      ap50: apPerThreshold[0],
      ap75: apPerThreshold[5],
      apPerThreshold,
      numGts: m.numGts,
      numIgnored: m.numIgnored,
      numDets: m.numDets,
      inMap: m.numGts > 0,
    };
  });
  const inMap = perClass.filter((c) => c.inMap);
  const mAPPerThreshold = thresholds.map((_, t) => meanOrZero(inMap.map((c) => c.apPerThreshold![t])));
  return {
    protocol: 'soi',
    mAP: meanOrZero(mAPPerThreshold),
    AP50: mAPPerThreshold[0],
    AP75: mAPPerThreshold[5],
    iouThresholds: [...thresholds],
    mAPPerThreshold,
    perClass,
    numImages: ds.images.length,
  };
}

/** SM3Det's loader behaviour (`filter_empty_gt`): images without any GT are not scored. */
function dropImagesWithoutGt(ds: EvalDataset): EvalDataset {
  const hasGt = new Uint8Array(ds.images.length);
  for (const i of ds.gts.imageIndex) hasGt[i] = 1;
  return selectImages(ds, (_im, i) => hasGt[i] === 1);
}
