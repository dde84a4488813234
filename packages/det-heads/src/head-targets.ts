// Checks of the per-image ground truth a head receives (HeadTargets) and the feature levels it
// is given, with errors that name the image, the row and the field.
import type * as tf from '@tensorflow/tfjs';
import type { FeatureLevel, HeadTargets } from './detection-head.js';
import { DetHeadInputError } from './errors.js';

export interface CheckedTargets {
  /** Row-major G×dim boxes of the GTs that count (ignored ones removed). */
  boxes: Float64Array;
  labels: Int32Array;
  /** Row-major boxes of the ignored GTs. */
  ignored: Float64Array;
}

/** Validates image `b`'s targets (dim 4 = hbb xyxy, 5 = obb) and splits off ignored boxes. */
export function checkTargets(t: HeadTargets, b: number, dim: 4 | 5, numClasses: number, head: string): CheckedTargets {
  const where = `${head}: targets[${b}]`;
  if (t.boxes.length % dim !== 0) throw new DetHeadInputError(`${where}.boxes must be N×${dim}, got ${t.boxes.length} values`);
  const n = t.boxes.length / dim;
  if (t.labels.length !== n) throw new DetHeadInputError(`${where}: ${t.labels.length} labels for ${n} boxes`);
  if (t.ignore && t.ignore.length !== n) throw new DetHeadInputError(`${where}: ${t.ignore.length} ignore flags for ${n} boxes`);
  const keep: number[] = [];
  const ignored: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) {
      if (!Number.isFinite(t.boxes[i * dim + k])) throw new DetHeadInputError(`${where}.boxes row ${i}: coordinate ${k} is ${t.boxes[i * dim + k]}`);
    }
    const label = t.labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new DetHeadInputError(`${where}.labels[${i}] = ${label} is not a class in [0, ${numClasses})`);
    }
    const [w, h] = dim === 4 ? [t.boxes[i * 4 + 2] - t.boxes[i * 4], t.boxes[i * 4 + 3] - t.boxes[i * 4 + 1]] : [t.boxes[i * 5 + 2], t.boxes[i * 5 + 3]];
    if (!(w > 0 && h > 0)) throw new DetHeadInputError(`${where}.boxes row ${i}: empty box (width ${w}, height ${h})`);
    (t.ignore?.[i] ? ignored : keep).push(i);
  }
  const rows = (idx: number[]) => Float64Array.from(idx.flatMap((i) => Array.from(t.boxes.subarray(i * dim, (i + 1) * dim))));
  return { boxes: rows(keep), labels: Int32Array.from(keep.map((i) => t.labels[i])), ignored: rows(ignored) };
}

/** Levels must match the head's strides and channels and share the batch size. */
export function checkLevels(levels: readonly FeatureLevel[], strides: readonly number[], inChannels: number, head: string): void {
  if (levels.length !== strides.length) throw new DetHeadInputError(`${head}: got ${levels.length} feature levels for ${strides.length} strides [${strides.join(', ')}]`);
  const batch = levels[0].features.shape[0];
  levels.forEach(({ features, stride }, l) => {
    if (stride !== strides[l]) throw new DetHeadInputError(`${head}: level ${l} has stride ${stride}, the head was built for ${strides[l]}`);
    const s = (features as tf.Tensor).shape;
    if (s.length !== 4 || s[3] !== inChannels || s[0] !== batch) {
      throw new DetHeadInputError(`${head}: level ${l} features must be [${batch}, H, W, ${inChannels}] (NHWC), got [${s.join(', ')}]`);
    }
  });
}

/** Whether (x, y) lies inside any of the xyxy boxes. */
export function insideAnyHbb(x: number, y: number, boxes: ArrayLike<number>): boolean {
  for (let i = 0; i + 3 < boxes.length; i += 4) {
    if (x >= boxes[i] && x <= boxes[i + 2] && y >= boxes[i + 1] && y <= boxes[i + 3]) return true;
  }
  return false;
}

/** Whether (x, y) lies inside any of the OBBs (cx, cy, w, h, θ). */
export function insideAnyObb(x: number, y: number, boxes: ArrayLike<number>): boolean {
  for (let i = 0; i + 4 < boxes.length; i += 5) {
    const [cx, cy, w, h, t] = [boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3], boxes[i + 4]];
    const [dx, dy] = [x - cx, y - cy];
    const [c, s] = [Math.cos(t), Math.sin(t)];
    if (Math.abs(c * dx + s * dy) <= w / 2 && Math.abs(-s * dx + c * dy) <= h / 2) return true;
  }
  return false;
}
