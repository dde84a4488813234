// Conversions between the horizontal-box layouts (detectron2's BoxMode.convert, one function).
import { assertOneOf, checkedRows } from './errors.js';
import { HBB_FORMATS, type HbbFormat } from './types.js';

/**
 * Converts N×4 horizontal boxes between `xyxy`, `xywh` (top-left + size) and `cxcywh`.
 * @returns Float64Array N×4 in the `to` layout.
 */
export function convertHbb(boxes: ArrayLike<number>, from: HbbFormat, to: HbbFormat): Float64Array {
  assertOneOf(from, HBB_FORMATS, 'convertHbb', 'from');
  assertOneOf(to, HBB_FORMATS, 'convertHbb', 'to');
  const n = checkedRows(boxes, 4, 'convertHbb', 'boxes');
  // Identity is a copy: a round trip through xyxy would add float error ((x + w) − x ≠ w).
  if (from === to) return Float64Array.from(boxes);
  const out = new Float64Array(n * 4);
  for (let i = 0; i < n * 4; i += 4) {
    // Go through xyxy: 3 layouts need only 2 directions each.
    let x1 = boxes[i], y1 = boxes[i + 1], x2 = boxes[i + 2], y2 = boxes[i + 3];
    if (from === 'xywh') {
      x2 = x1 + x2;
      y2 = y1 + y2;
    } else if (from === 'cxcywh') {
      const cx = x1, cy = y1, w = x2, h = y2;
      x1 = cx - w / 2; y1 = cy - h / 2; x2 = cx + w / 2; y2 = cy + h / 2;
    }
    if (to === 'xyxy') {
      out[i] = x1; out[i + 1] = y1; out[i + 2] = x2; out[i + 3] = y2;
    } else if (to === 'xywh') {
      out[i] = x1; out[i + 1] = y1; out[i + 2] = x2 - x1; out[i + 3] = y2 - y1;
    } else {
      out[i] = (x1 + x2) / 2; out[i + 1] = (y1 + y2) / 2; out[i + 2] = x2 - x1; out[i + 3] = y2 - y1;
    }
  }
  return out;
}
