// The contract every detection head implements, so the detector (packages/detector) can put a
// GFL head on SAR and a rotated one-stage or Oriented R-CNN head on RGB/IR by config alone.
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '@babelrs/core';

/** Horizontal boxes `[x1, y1, x2, y2]` or oriented boxes `[cx, cy, w, h, angleRad]` (le90). */
export type HeadBoxType = 'hbb' | 'obb';

/** Ground truth of one image, in input-image pixels, labels local to the head (0..K-1). */
export interface HeadTargets {
  /** Row-major N×4 (hbb) or N×5 (obb, le90). */
  boxes: Float32Array | Float64Array;
  labels: Int32Array;
  /** Optional: 1 for boxes that neither count as positives nor as negatives (ignore). */
  ignore?: Uint8Array;
}

/** Detections of one image after decoding, score filtering and NMS. */
export interface HeadDetections {
  boxType: HeadBoxType;
  /** Row-major M×4 (hbb) or M×5 (obb, le90), input-image pixels. */
  boxes: Float64Array;
  scores: Float32Array;
  labels: Int32Array;
}

export interface DecodeOptions {
  scoreThreshold?: number;
  nmsIouThreshold?: number;
  /** Candidates kept per level before NMS. */
  preNmsTopK?: number;
  maxDetections?: number;
}

/** One pyramid level: an NHWC feature map and its stride in input pixels. */
export interface FeatureLevel {
  features: tf.Tensor4D; // [B, H, W, C]
  stride: number;
}

/**
 * A detection head. `forward` returns raw tensors (the caller owns and disposes them);
 * `loss` must be differentiable with respect to the head's (and the backbone's) parameters,
 * so call forward + loss inside the function given to `tf.variableGrads`/the optimiser.
 */
export interface DetectionHead<Raw = unknown> extends Module {
  readonly boxType: HeadBoxType;
  readonly numClasses: number;
  forward(levels: readonly FeatureLevel[]): Raw;
  /** Named scalar losses (the detector sums them); `imageSize` = padded input [H, W]. */
  loss(raw: Raw, targets: readonly HeadTargets[], imageSize: readonly [number, number]): Record<string, tf.Scalar>;
  /** One entry per image of the batch. */
  decode(raw: Raw, imageSize: readonly [number, number], opts?: DecodeOptions): HeadDetections[];
  /** Releases the tensors of a raw output. */
  disposeRaw(raw: Raw): void;
}
