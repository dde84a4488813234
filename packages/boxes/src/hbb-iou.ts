// Pairwise IoU / IoF of horizontal boxes (torchvision box_iou, mmdet bbox_overlaps).
import { checkedRows } from './errors.js';
import type { HbbIoUOptions } from './types.js';

/**
 * Pairwise overlap of horizontal boxes.
 * @param a N×4 xyxy
 * @param b M×4 xyxy
 * @param opts.mode `iou` (default) or `iof` = intersection / area of the box in `a` (COCO's
 *   crowd rule: a = detections, b = crowd GTs)
 * @param opts.legacyPlusOne widths are x2 − x1 + 1 (mmdet `use_legacy_coordinate`)
 * @returns Float64Array N×M, row i = box a[i]. Zero-area boxes give 0, never NaN.
 */
export function hbbIoU(a: ArrayLike<number>, b: ArrayLike<number>, opts: HbbIoUOptions = {}): Float64Array {
  const n = checkedRows(a, 4, 'hbbIoU', 'a');
  const m = checkedRows(b, 4, 'hbbIoU', 'b');
  const iof = (opts.mode ?? 'iou') === 'iof';
  const extra = opts.legacyPlusOne ? 1 : 0;
  const out = new Float64Array(n * m);
  const areaB = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    areaB[j] = Math.max(0, b[j * 4 + 2] - b[j * 4] + extra) * Math.max(0, b[j * 4 + 3] - b[j * 4 + 1] + extra);
  }
  for (let i = 0; i < n; i++) {
    const ax1 = a[i * 4], ay1 = a[i * 4 + 1], ax2 = a[i * 4 + 2], ay2 = a[i * 4 + 3];
    const areaA = Math.max(0, ax2 - ax1 + extra) * Math.max(0, ay2 - ay1 + extra);
    if (areaA <= 0) continue; // row stays 0
    for (let j = 0; j < m; j++) {
      const iw = Math.min(ax2, b[j * 4 + 2]) - Math.max(ax1, b[j * 4]) + extra;
      if (iw <= 0) continue;
      const ih = Math.min(ay2, b[j * 4 + 3]) - Math.max(ay1, b[j * 4 + 1]) + extra;
      if (ih <= 0) continue;
      const inter = iw * ih;
      const denom = iof ? areaA : areaA + areaB[j] - inter;
      out[i * m + j] = denom > 0 ? inter / denom : 0;
    }
  }
  return out;
}
