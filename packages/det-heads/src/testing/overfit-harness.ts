// Test support (not exported): a tiny fixed "pyramid" of random features and a training loop
// that overfits a head on it, then scores its detections with @babelrs/metrics-hmap.
import * as tf from '@tensorflow/tfjs';
import { AdamW, Rng } from '@babelrs/core';
import { createDataset, evaluateVoc } from '@babelrs/metrics-hmap';
import type { DetectionHead, FeatureLevel, HeadDetections, HeadTargets } from '../detection-head.js';

/** One image's pyramid: per stride a [1, size/stride, size/stride, channels] N(0, 1) map. */
export function randomPyramid(imageSize: number, strides: number[], channels: number, seed: number): FeatureLevel[] {
  const rng = new Rng(seed);
  return strides.map((stride) => {
    const s = imageSize / stride;
    return { stride, features: tf.tensor4d(rng.fillNormal(s * s * channels), [1, s, s, channels]) };
  });
}

export interface OverfitResult {
  losses: number[];
  /** numTensors after each step past the first. */
  tensorCounts: number[];
  detections: HeadDetections;
  ap50: number;
}

/** One AdamW step of head forward + loss + backward; returns the total loss. */
export function trainStep(head: DetectionHead, opt: AdamW, levels: FeatureLevel[], targets: HeadTargets[], imageSize: [number, number]): number {
  const { value, grads } = tf.variableGrads(() => {
    const raw = head.forward(levels);
    const losses = head.loss(raw, targets, imageSize);
    head.disposeRaw(raw);
    return tf.addN(Object.values(losses)) as tf.Scalar;
  }, head.trainableParameters());
  opt.step(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

export function overfit(head: DetectionHead, levels: FeatureLevel[], target: HeadTargets, imageSize: [number, number], steps: number, lr: number): OverfitResult {
  const opt = new AdamW(head, { lr, weightDecay: 0 });
  const losses: number[] = [];
  const tensorCounts: number[] = [];
  for (let s = 0; s < steps; s++) {
    losses.push(trainStep(head, opt, levels, [target], imageSize));
    if (s > 0) tensorCounts.push(tf.memory().numTensors);
  }
  opt.dispose();
  const raw = head.forward(levels);
  const [detections] = head.decode(raw, imageSize);
  head.disposeRaw(raw);
  return { losses, tensorCounts, detections, ap50: ap50Of(head.boxType, head.numClasses, target, detections) };
}

/** All-point AP at IoU 0.5 (mmdet eval_map 'voc' mode; rotated IoU for obb), mean over classes with GTs. */
export function ap50Of(boxType: 'hbb' | 'obb', numClasses: number, gt: HeadTargets, det: HeadDetections): number {
  const dim = boxType === 'hbb' ? 4 : 5;
  const rows = (boxes: ArrayLike<number>, i: number) => Array.from({ length: dim }, (_, k) => boxes[i * dim + k]);
  const ds = createDataset({
    geometry: boxType,
    classes: Array.from({ length: numClasses }, (_, c) => `c${c}`),
    images: [{ name: 'synthetic' }],
    gts: Array.from(gt.labels, (label, i) => ({ image: 0, label, box: rows(gt.boxes, i) })),
    dets: Array.from(det.labels, (label, i) => ({ image: 0, label, box: rows(det.boxes, i), score: det.scores[i] })),
  });
  return evaluateVoc(ds, 'voc').mAP;
}
