// Training targets and losses of the oriented RPN (mmrotate `OrientedRPNHead.loss`): anchors
// are assigned to ground-truth hulls by horizontal IoU (0.7 / 0.3, low-quality matches ≥ 0.3),
// 256 are sampled per image (half positive at most); objectness is binary cross-entropy and the
// midpoint-offset regression smooth-L1 (β = 1/9), both averaged over the sampled anchors.
import * as tf from '@tensorflow/tfjs';
import { hbbIoU, obbToHbb } from '@babelrs/boxes';
import { smoothL1, type Rng } from '@babelrs/core';
import type { HeadTargets } from './detection-head.js';
import { DetHeadInputError } from './errors.js';
import { midpointOffsetEncode } from './midpoint-offset-coder.js';
import { RPN_ASSIGN, maxIouAssign, samplePositivesNegatives, type MaxIouAssignOptions } from './rotated-iou-assign.js';

/** mmrotate's RPN target stds for (Δx, Δy, Δw, Δh, Δα, Δβ). */
export const RPN_DELTA_STDS: readonly number[] = [1, 1, 1, 1, 0.5, 0.5];

export interface RpnLossOptions {
  assign?: MaxIouAssignOptions;
  /** Anchors sampled per image and their largest positive share (mmrotate: 256, 0.5). */
  sampleNum?: number;
  posFraction?: number;
  /** smooth-L1 β of the regression (mmrotate: 1/9). */
  beta?: number;
  /** Anchors reaching more than this many pixels outside the image take no part; < 0 keeps all. */
  allowedBorder?: number;
  rng: Rng;
}

export interface RpnTargets {
  labels: Float32Array; // [B, N] 1 = object
  labelWeights: Float32Array; // [B, N] 1 = sampled
  deltas: Float32Array; // [B, N, 6]
  deltaWeights: Float32Array; // [B, N] 1 = sampled positive
  numSampled: number;
}

/** Host-side targets of a batch for anchors [N, 4]. */
export function rpnTargets(
  anchors: Float64Array,
  targets: readonly HeadTargets[],
  imageSize: readonly [number, number],
  opts: RpnLossOptions,
): RpnTargets {
  const n = anchors.length / 4;
  const b = targets.length;
  const out: RpnTargets = {
    labels: new Float32Array(b * n),
    labelWeights: new Float32Array(b * n),
    deltas: new Float32Array(b * n * 6),
    deltaWeights: new Float32Array(b * n),
    numSampled: 0,
  };
  const border = opts.allowedBorder ?? -1;
  const valid = new Uint8Array(n).fill(1);
  if (border >= 0) {
    const [h, w] = imageSize;
    for (let i = 0; i < n; i++) {
      const inside = anchors[i * 4] >= -border && anchors[i * 4 + 1] >= -border && anchors[i * 4 + 2] < w + border && anchors[i * 4 + 3] < h + border;
      valid[i] = inside ? 1 : 0;
    }
  }
  targets.forEach((t, img) => {
    const g = t.labels.length;
    if (t.boxes.length !== g * 5) throw new DetHeadInputError(`oriented RPN: targets[${img}].boxes has ${t.boxes.length} values, expected ${g}×5 (obb)`);
    const iou = g > 0 ? hbbIoU(anchors, obbToHbb(t.boxes)) : new Float64Array(0);
    const assign = maxIouAssign(iou, n, g, opts.assign ?? RPN_ASSIGN, { ignoreGt: t.ignore, valid });
    const { pos, neg } = samplePositivesNegatives(assign, { num: opts.sampleNum ?? 256, posFraction: opts.posFraction ?? 0.5, rng: opts.rng });
    for (const i of neg) out.labelWeights[img * n + i] = 1;
    if (pos.length > 0) {
      const a = new Float64Array(pos.length * 4);
      const gt = new Float64Array(pos.length * 5);
      pos.forEach((i, k) => {
        a.set(anchors.subarray(i * 4, i * 4 + 4), k * 4);
        const j = assign.gtIndex[i];
        for (let c = 0; c < 5; c++) gt[k * 5 + c] = t.boxes[j * 5 + c];
      });
      const d = midpointOffsetEncode(a, gt, { stds: RPN_DELTA_STDS });
      pos.forEach((i, k) => {
        out.labels[img * n + i] = 1;
        out.labelWeights[img * n + i] = 1;
        out.deltaWeights[img * n + i] = 1;
        for (let c = 0; c < 6; c++) out.deltas[(img * n + i) * 6 + c] = d[k * 6 + c];
      });
    }
    out.numSampled += pos.length + neg.length;
  });
  return out;
}

/** Binary cross-entropy with logits, softplus(x) − t·x (stable, gradient σ(x) − t). */
export function sigmoidBce(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.softplus(logits).sub(logits.mul(labels)));
}

/** `cls` [B, N] logits, `reg` [B, N, 6] deltas over the concatenated anchors of all levels. */
export function rpnLoss(cls: tf.Tensor2D, reg: tf.Tensor3D, t: RpnTargets, beta = 1 / 9): { loss_rpn_cls: tf.Scalar; loss_rpn_bbox: tf.Scalar } {
  return tf.tidy(() => {
    const [b, n] = cls.shape;
    const avg = Math.max(t.numSampled, 1);
    const labels = tf.tensor2d(t.labels, [b, n]);
    const lw = tf.tensor2d(t.labelWeights, [b, n]);
    const lossCls = sigmoidBce(cls, labels).mul(lw).sum().div(avg) as tf.Scalar;
    const target = tf.tensor3d(t.deltas, [b, n, 6]);
    const dw = tf.tensor3d(t.deltaWeights, [b, n, 1]);
    const lossBox = smoothL1(reg.sub(target), beta).mul(dw).sum().div(avg) as tf.Scalar;
    return { loss_rpn_cls: lossCls, loss_rpn_bbox: lossBox };
  });
}
