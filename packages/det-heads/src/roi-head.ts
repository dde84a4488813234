// The second stage of Oriented R-CNN (mmrotate `RotatedShared2FCBBoxHead`): rotated-RoIAlign
// features → two shared fully connected layers → class scores over K classes + background
// (index K, mmdet's convention) and one class-agnostic oriented refinement (Δx, Δy, Δw, Δh, Δθ).
// Training samples proposals (plus the ground truths themselves) by rotated IoU; the loss is
// softmax cross-entropy + smooth-L1 (β = 1) on the deltas, both over the sampled RoIs.
import * as tf from '@tensorflow/tfjs';
import { batchedNms } from '@babelrs/boxes';
import { Linear, Module, init, smoothL1, type Rng } from '@babelrs/core';
import type { HeadTargets } from './detection-head.js';
import { DetHeadInputError } from './errors.js';
import { obbDeltaDecode, obbDeltaEncode } from './roi-head-delta-coder.js';
import { RCNN_ASSIGN, rotatedIouAssign, samplePositivesNegatives, type MaxIouAssignOptions } from './rotated-iou-assign.js';

export interface RoiHeadOptions {
  numClasses: number;
  /** Flattened RoI feature size: outH · outW · C. */
  inFeatures: number;
  /** Width of the shared FCs (mmrotate: 1024). */
  fcChannels: number;
  rng: Rng;
}

export interface RoiHeadOutput {
  /** [R, K + 1] logits, background last. */
  cls: tf.Tensor2D;
  /** [R, 5] refinement deltas. */
  reg: tf.Tensor2D;
}

export class RoiHead extends Module {
  readonly numClasses: number;

  constructor(opts: RoiHeadOptions) {
    super();
    this.numClasses = opts.numClasses;
    const fc = (i: number, o: number) => {
      const l = new Linear(i, o, { rng: opts.rng });
      // mmdet ConvFCBBoxHead: Xavier-uniform shared FCs, zero bias.
      init.reinit(l.weight, init.xavierUniform([o, i], 1, opts.rng));
      init.reinit(l.bias!, init.zeros([o]));
      return l;
    };
    const out = (i: number, o: number, std: number) => {
      const l = new Linear(i, o, { rng: opts.rng });
      init.reinit(l.weight, init.normal([o, i], 0, std, opts.rng));
      init.reinit(l.bias!, init.zeros([o]));
      return l;
    };
    this.registerModule('shared_fcs_0', fc(opts.inFeatures, opts.fcChannels));
    this.registerModule('shared_fcs_1', fc(opts.fcChannels, opts.fcChannels));
    this.registerModule('fc_cls', out(opts.fcChannels, opts.numClasses + 1, 0.01));
    this.registerModule('fc_reg', out(opts.fcChannels, 5, 0.001));
  }

  /** `roiFeatures` [R, outH, outW, C] → logits and deltas. */
  forward(roiFeatures: tf.Tensor4D): RoiHeadOutput {
    return tf.tidy(() => {
      const r = roiFeatures.shape[0];
      let x = roiFeatures.reshape([r, -1]) as tf.Tensor2D; // [R, outH·outW·C]
      x = tf.relu(this.getModule<Linear>('shared_fcs_0').forward(x)) as tf.Tensor2D;
      x = tf.relu(this.getModule<Linear>('shared_fcs_1').forward(x)) as tf.Tensor2D;
      return {
        cls: this.getModule<Linear>('fc_cls').forward(x) as tf.Tensor2D,
        reg: this.getModule<Linear>('fc_reg').forward(x) as tf.Tensor2D,
      };
    }) as RoiHeadOutput;
  }
}

export interface RoiSampleOptions {
  assign?: MaxIouAssignOptions;
  /** RoIs per image and their largest positive share (mmrotate: 512, 0.25). */
  sampleNum?: number;
  posFraction?: number;
  /** Add the ground truths to the proposals before sampling (mmrotate: true). */
  addGtAsProposals?: boolean;
  rng: Rng;
}

/** The sampled RoIs of a batch and their targets. */
export interface RoiTargets {
  /** [R, 6] (batchIndex, cx, cy, w, h, θ). */
  rois: Float64Array;
  /** [R] class in 0..K, K = background. */
  labels: Int32Array;
  /** [R, 5] deltas (zero for negatives). */
  deltas: Float32Array;
  /** [R] 1 for positives. */
  deltaWeights: Float32Array;
}

/** Assigns and samples `proposals[b]` ([P, 5]) of every image against its targets. */
export function roiTargets(proposals: readonly Float64Array[], targets: readonly HeadTargets[], numClasses: number, opts: RoiSampleOptions): RoiTargets {
  const rois: number[] = [];
  const labels: number[] = [];
  const deltas: number[] = [];
  const weights: number[] = [];
  targets.forEach((t, img) => {
    const g = t.labels.length;
    if (t.boxes.length !== g * 5) throw new DetHeadInputError(`oriented R-CNN: targets[${img}].boxes has ${t.boxes.length} values, expected ${g}×5 (obb)`);
    let cand = proposals[img];
    if (opts.addGtAsProposals ?? true) {
      const usable: number[] = [];
      for (let j = 0; j < g; j++) if (!t.ignore?.[j]) for (let c = 0; c < 5; c++) usable.push(t.boxes[j * 5 + c]);
      const merged = new Float64Array(usable.length + cand.length);
      merged.set(usable);
      merged.set(cand, usable.length);
      cand = merged;
    }
    const assign = rotatedIouAssign(cand, t.boxes, opts.assign ?? RCNN_ASSIGN, { ignoreGt: t.ignore });
    const { pos, neg } = samplePositivesNegatives(assign, { num: opts.sampleNum ?? 512, posFraction: opts.posFraction ?? 0.25, rng: opts.rng });
    const box = (i: number) => Array.from(cand.subarray(i * 5, i * 5 + 5));
    if (pos.length > 0) {
      const p = new Float64Array(pos.length * 5);
      const gt = new Float64Array(pos.length * 5);
      pos.forEach((i, k) => {
        p.set(box(i), k * 5);
        const j = assign.gtIndex[i];
        const label = t.labels[j];
        if (!(Number.isInteger(label) && label >= 0 && label < numClasses)) {
          throw new DetHeadInputError(`oriented R-CNN: targets[${img}].labels[${j}] = ${label}, expected 0..${numClasses - 1}`);
        }
        for (let c = 0; c < 5; c++) gt[k * 5 + c] = t.boxes[j * 5 + c];
      });
      const d = obbDeltaEncode(p, gt);
      pos.forEach((i, k) => {
        rois.push(img, ...box(i));
        labels.push(t.labels[assign.gtIndex[i]]);
        for (let c = 0; c < 5; c++) deltas.push(d[k * 5 + c]);
        weights.push(1);
      });
    }
    for (const i of neg) {
      rois.push(img, ...box(i));
      labels.push(numClasses);
      deltas.push(0, 0, 0, 0, 0);
      weights.push(0);
    }
  });
  return { rois: Float64Array.from(rois), labels: Int32Array.from(labels), deltas: Float32Array.from(deltas), deltaWeights: Float32Array.from(weights) };
}

/** Cross-entropy over K + 1 classes and smooth-L1 (β = 1) of positives, both / #sampled. */
export function roiLoss(out: RoiHeadOutput, t: RoiTargets, beta = 1): { loss_cls: tf.Scalar; loss_bbox: tf.Scalar } {
  return tf.tidy(() => {
    const [r, k1] = out.cls.shape;
    if (r === 0) return { loss_cls: out.cls.sum().mul(0) as tf.Scalar, loss_bbox: out.reg.sum().mul(0) as tf.Scalar };
    const onehot = tf.oneHot(tf.tensor1d(t.labels, 'int32'), k1).toFloat(); // [R, K+1]
    const lossCls = tf.logSoftmax(out.cls).mul(onehot).sum().neg().div(r) as tf.Scalar;
    const target = tf.tensor2d(t.deltas, [r, 5]);
    const w = tf.tensor2d(t.deltaWeights, [r, 1]);
    const lossBox = smoothL1(out.reg.sub(target), beta).mul(w).sum().div(r) as tf.Scalar;
    return { loss_cls: lossCls, loss_bbox: lossBox };
  });
}

export interface RoiDecodeOptions {
  scoreThreshold: number;
  nmsIouThreshold: number;
  /** Candidates (box, class) kept by score before NMS. */
  preNmsTopK: number;
  maxDetections: number;
}

/** mmrotate Oriented R-CNN test settings. */
export const RCNN_TEST: RoiDecodeOptions = { scoreThreshold: 0.05, nmsIouThreshold: 0.1, preNmsTopK: 2000, maxDetections: 2000 };

/**
 * Detections of one image from its proposals [P, 5] and the head's host outputs: softmax
 * probabilities [P, K + 1] and deltas [P, 5]. Multi-class rotated NMS per class.
 */
export function roiDecode(
  proposals: Float64Array,
  probs: ArrayLike<number>,
  deltas: ArrayLike<number>,
  numClasses: number,
  opts: RoiDecodeOptions,
): { boxes: Float64Array; scores: Float32Array; labels: Int32Array } {
  const p = proposals.length / 5;
  const boxes = obbDeltaDecode(proposals, deltas);
  const cand: Array<[number, number, number]> = []; // [roi, class, score]
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < numClasses; k++) {
      const s = probs[i * (numClasses + 1) + k];
      if (s > opts.scoreThreshold && boxes[i * 5 + 2] > 0 && boxes[i * 5 + 3] > 0) cand.push([i, k, s]);
    }
  }
  cand.sort((a, b) => b[2] - a[2]);
  const top = cand.slice(0, opts.preNmsTopK);
  const cb = new Float64Array(top.length * 5);
  top.forEach(([i], n) => cb.set(boxes.subarray(i * 5, i * 5 + 5), n * 5));
  const keep = batchedNms(
    cb,
    top.map((c) => c[2]),
    top.map((c) => c[1]),
    opts.nmsIouThreshold,
    { rotated: true, topK: opts.maxDetections },
  );
  const out = { boxes: new Float64Array(keep.length * 5), scores: new Float32Array(keep.length), labels: new Int32Array(keep.length) };
  keep.forEach((j, n) => {
    out.boxes.set(cb.subarray(j * 5, j * 5 + 5), n * 5);
    out.scores[n] = top[j][2];
    out.labels[n] = top[j][1];
  });
  return out;
}
