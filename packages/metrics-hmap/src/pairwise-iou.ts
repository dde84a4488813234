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

/**
 * `hbbIoU` (mode iou) of detections `detIdx[d0 .. d0+D)` and GTs `gtIdx[g0 .. g0+G)` (rows of
 * the xyxy tables), written to `out[0 .. D·G)`: the same operations in the same order as
 * `@babelrs/boxes` `hbbIoU`, so the same values (a test checks it), without gathering the rows
 * into new arrays and allocating a matrix per (class, image) group.
 */
export function hbbIoUInto(
  out: Float64Array,
  dets: Float64Array,
  detIdx: Int32Array,
  d0: number,
  D: number,
  gts: Float64Array,
  gtIdx: Int32Array,
  g0: number,
  G: number,
  legacyPlusOne = false,
): void {
  const extra = legacyPlusOne ? 1 : 0;
  for (let i = 0; i < D; i++) {
    const a = 4 * detIdx[d0 + i];
    const ax1 = dets[a];
    const ay1 = dets[a + 1];
    const ax2 = dets[a + 2];
    const ay2 = dets[a + 3];
    const areaA = Math.max(0, ax2 - ax1 + extra) * Math.max(0, ay2 - ay1 + extra);
    const row = i * G;
    for (let j = 0; j < G; j++) {
      out[row + j] = 0;
      if (areaA <= 0) continue;
      const b = 4 * gtIdx[g0 + j];
      const iw = Math.min(ax2, gts[b + 2]) - Math.max(ax1, gts[b]) + extra;
      if (iw <= 0) continue;
      const ih = Math.min(ay2, gts[b + 3]) - Math.max(ay1, gts[b + 1]) + extra;
      if (ih <= 0) continue;
      const inter = iw * ih;
      const areaB = Math.max(0, gts[b + 2] - gts[b] + extra) * Math.max(0, gts[b + 3] - gts[b + 1] + extra);
      const denom = areaA + areaB - inter;
      out[row + j] = denom > 0 ? inter / denom : 0;
    }
  }
}
