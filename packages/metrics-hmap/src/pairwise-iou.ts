/**
 * IoU matrices for the protocols, dispatched on the dataset geometry. The geometry itself
 * lives in `@babelrs/boxes`; this file only picks the right function.
 */
import { hbbIoU, polyIoU, rotatedIoU } from '@babelrs/boxes';
import type { BoxGeometry } from './types.js';

export interface PairwiseIoUOptions {
  /** `iof` = intersection over the first box's (the detection's) area: COCO crowd regions. */
  mode?: 'iou' | 'iof';
  /** Legacy VOC pixel rule `w = x2 − x1 + 1` (HBB only; mmdet `use_legacy_coordinate`). */
  legacyPlusOne?: boolean;
}

/** [D, G] overlaps between packed detection rows `dets` and GT rows `gts`. */
export function pairwiseIoU(geometry: BoxGeometry, dets: Float64Array, gts: Float64Array, opts: PairwiseIoUOptions = {}): Float64Array {
  const mode = opts.mode ?? 'iou';
  switch (geometry) {
    case 'hbb':
      return hbbIoU(dets, gts, { mode, legacyPlusOne: opts.legacyPlusOne ?? false });
    case 'obb':
      return rotatedIoU(dets, gts, { mode });
    case 'poly':
      return polyIoU(dets, gts, { mode });
  }
}
