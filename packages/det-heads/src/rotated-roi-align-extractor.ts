// Multi-level rotated RoI feature extraction (mmrotate `RotatedSingleRoIExtractor`): each RoI
// reads the pyramid level that fits its scale √(w·h) — level ⌊log2(scale / finestScale)⌋,
// clamped — and all levels are flattened into one [rows, C] matrix so that a single gather
// serves every RoI of the batch.
import * as tf from '@tensorflow/tfjs';
import { DetHeadInputError } from './errors.js';
import { applyRoiAlignPlan, rotatedRoiAlignPlan, type RoiAlignImpl, type RoiSampleSource, type RotatedRoiAlignOptions } from './rotated-roi-align.js';

/** Level index per RoI of `rois` [R, 6] (batch, cx, cy, w, h, θ). */
export function mapRoiLevels(rois: ArrayLike<number>, numLevels: number, finestScale = 56): Int32Array {
  const r = rois.length / 6;
  const out = new Int32Array(r);
  for (let i = 0; i < r; i++) {
    const scale = Math.sqrt(Math.max(rois[i * 6 + 3] * rois[i * 6 + 4], 0));
    const lvl = Math.floor(Math.log2(scale / finestScale + 1e-6));
    out[i] = Math.min(numLevels - 1, Math.max(0, lvl));
  }
  return out;
}

/**
 * RoI features [R, outH, outW, C] from NHWC `levels` (finest first) with `strides`.
 * Differentiable with respect to the level features.
 */
export function extractRotatedRoiFeatures(
  levels: readonly tf.Tensor4D[],
  strides: readonly number[],
  rois: ArrayLike<number>,
  opts: RotatedRoiAlignOptions & { finestScale?: number; impl?: RoiAlignImpl } = {},
): tf.Tensor4D {
  if (levels.length !== strides.length || levels.length === 0) {
    throw new DetHeadInputError(`rotated RoI extractor: ${levels.length} levels but ${strides.length} strides`);
  }
  const batch = levels[0].shape[0];
  const c = levels[0].shape[3];
  const sources: RoiSampleSource[] = [];
  let rows = 0;
  levels.forEach((x, l) => {
    const [b, h, w, ch] = x.shape;
    if (b !== batch || ch !== c) throw new DetHeadInputError(`rotated RoI extractor: level ${l} is [${x.shape}], expected batch ${batch} and ${c} channels`);
    sources.push({ height: h, width: w, spatialScale: 1 / strides[l], rowOffset: rows });
    rows += b * h * w;
  });
  for (let i = 0; i < rois.length / 6; i++) {
    if (rois[i * 6] >= batch) throw new DetHeadInputError(`rotated RoI extractor: roi ${i} has batch index ${rois[i * 6]} but the batch has ${batch} images`);
  }
  const lvl = mapRoiLevels(rois, levels.length, opts.finestScale ?? 56);
  const plan = rotatedRoiAlignPlan(rois, (r) => sources[lvl[r]], opts);
  return tf.tidy(() => {
    const flat = tf.concat(levels.map((x) => x.reshape([-1, c]))) as tf.Tensor2D; // [rows, C]
    return applyRoiAlignPlan(flat, plan, opts.impl);
  });
}
