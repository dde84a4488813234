// Small object API over the flat functions, after detectron2's structures/boxes.py and
// rotated_boxes.py: a container owning an N×4 / N×5 Float64Array with area(), clip(),
// nonempty() and pairwise IoU. The flat functions remain the contract; these only wrap them.
import { convertAngleConvention } from './angle-convention.js';
import { hbbArea, obbArea } from './area.js';
import { checkedRows } from './errors.js';
import { convertHbb } from './hbb-convert.js';
import { hbbIoU } from './hbb-iou.js';
import { hbbToObb, obbToHbb, obbToPoly } from './obb-poly.js';
import { rotatedIoU } from './rotated-iou.js';
import type { AngleConvention, HbbFormat, OverlapMode } from './types.js';

function select(data: Float64Array, stride: number, keep: ArrayLike<boolean | number>): Float64Array {
  const idx: number[] = [];
  for (let i = 0; i < keep.length; i++) if (keep[i]) idx.push(i);
  const out = new Float64Array(idx.length * stride);
  idx.forEach((i, k) => out.set(data.subarray(i * stride, (i + 1) * stride), k * stride));
  return out;
}

/** N horizontal boxes, stored as xyxy. */
export class Boxes {
  /** N×4 xyxy. */
  readonly data: Float64Array;

  constructor(boxes: ArrayLike<number>, format: HbbFormat = 'xyxy') {
    checkedRows(boxes, 4, 'Boxes', 'boxes');
    this.data = convertHbb(boxes, format, 'xyxy');
  }

  get length(): number {
    return this.data.length / 4;
  }

  /** Boxes in another layout, N×4. */
  to(format: HbbFormat): Float64Array {
    return convertHbb(this.data, 'xyxy', format);
  }

  area(): Float64Array {
    return hbbArea(this.data);
  }

  /** Boxes clamped to the image [0, width] × [0, height]. */
  clip(width: number, height: number): Boxes {
    const out = Float64Array.from(this.data);
    for (let k = 0; k < out.length; k++) out[k] = Math.min(Math.max(out[k], 0), k % 2 === 0 ? width : height);
    return new Boxes(out);
  }

  /** true where width > threshold and height > threshold. */
  nonempty(threshold = 0): boolean[] {
    const keep: boolean[] = [];
    for (let i = 0; i < this.length; i++) {
      keep.push(this.data[i * 4 + 2] - this.data[i * 4] > threshold && this.data[i * 4 + 3] - this.data[i * 4 + 1] > threshold);
    }
    return keep;
  }

  /** Boxes where `keep[i]` is truthy (e.g. the result of nonempty()). */
  filter(keep: ArrayLike<boolean | number>): Boxes {
    return new Boxes(select(this.data, 4, keep));
  }

  /** Pairwise IoU / IoF with `other`, N×M. */
  iou(other: Boxes, mode: OverlapMode = 'iou'): Float64Array {
    return hbbIoU(this.data, other.data, { mode });
  }

  toRotated(convention: AngleConvention = 'le90'): RotatedBoxes {
    return new RotatedBoxes(hbbToObb(this.data, convention));
  }
}

/** N rotated boxes (cx, cy, w, h, θ rad). */
export class RotatedBoxes {
  /** N×5. */
  readonly data: Float64Array;

  constructor(obbs: ArrayLike<number>) {
    checkedRows(obbs, 5, 'RotatedBoxes', 'obbs');
    this.data = Float64Array.from(obbs);
  }

  get length(): number {
    return this.data.length / 5;
  }

  area(): Float64Array {
    return obbArea(this.data);
  }

  /** Same rectangles in the canonical form of `convention`. */
  normalize(convention: AngleConvention): RotatedBoxes {
    return new RotatedBoxes(convertAngleConvention(this.data, convention, convention));
  }

  /**
   * Clamps nearly horizontal boxes (|θ| within `angleTolRad` of a multiple of π) to the
   * image, like detectron2's RotatedBoxes.clip: clipping a truly rotated box has no
   * rectangular answer, so those are left unchanged.
   */
  clip(width: number, height: number, angleTolRad = Math.PI / 180): RotatedBoxes {
    const out = Float64Array.from(this.data);
    for (let i = 0; i < this.length; i++) {
      const o = i * 5;
      const t = out[o + 4];
      const offAxis = Math.abs(t - Math.round(t / Math.PI) * Math.PI);
      if (offAxis > angleTolRad) continue;
      const hbb = obbToHbb([out[o], out[o + 1], out[o + 2], out[o + 3], 0]);
      const x1 = Math.min(Math.max(hbb[0], 0), width), x2 = Math.min(Math.max(hbb[2], 0), width);
      const y1 = Math.min(Math.max(hbb[1], 0), height), y2 = Math.min(Math.max(hbb[3], 0), height);
      out.set([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], o);
    }
    return new RotatedBoxes(out);
  }

  /** true where w > threshold and h > threshold. */
  nonempty(threshold = 0): boolean[] {
    const keep: boolean[] = [];
    for (let i = 0; i < this.length; i++) keep.push(this.data[i * 5 + 2] > threshold && this.data[i * 5 + 3] > threshold);
    return keep;
  }

  filter(keep: ArrayLike<boolean | number>): RotatedBoxes {
    return new RotatedBoxes(select(this.data, 5, keep));
  }

  /** Pairwise exact rotated IoU / IoF with `other`, N×M. */
  iou(other: RotatedBoxes, mode: OverlapMode = 'iou'): Float64Array {
    return rotatedIoU(this.data, other.data, { mode });
  }

  /** Corners, N×8 (mmrotate obb2poly order). */
  toPoly(): Float64Array {
    return obbToPoly(this.data);
  }

  /** Axis-aligned bounding boxes. */
  toHbb(): Boxes {
    return new Boxes(obbToHbb(this.data));
  }
}
