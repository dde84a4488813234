// RoI stage: sampling/targets on hand-made proposals, loss by hand and by finite differences,
// decoding with per-class rotated NMS, and the multi-level RoI feature extractor.
import * as tf from '@tensorflow/tfjs';
import { Rng, gradCheck, initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { obbDeltaEncode } from './roi-head-delta-coder.js';
import { RoiHead, roiDecode, roiLoss, roiTargets } from './roi-head.js';
import { rotatedRoiAlign } from './rotated-roi-align.js';
import { extractRotatedRoiFeatures, mapRoiLevels } from './rotated-roi-align-extractor.js';

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
});

const target = { boxes: Float64Array.from([50, 50, 40, 20, 0.2]), labels: Int32Array.from([1]) };

describe('roiTargets', () => {
  it('adds the ground truth as a proposal, labels positives by class and the rest background', () => {
    const proposals = Float64Array.from([
      52, 50, 40, 20, 0.25, // IoU ≈ 0.8 → positive
      10, 10, 20, 10, 0, // far → background
    ]);
    const t = roiTargets([proposals], [target], 3, { rng: new Rng(0), sampleNum: 512 });
    // Rows: gt itself (positive), proposal 0 (positive), proposal 1 (background), ascending.
    expect(Array.from(t.labels)).toEqual([1, 1, 3]);
    expect(Array.from(t.deltaWeights)).toEqual([1, 1, 0]);
    expect(Array.from(t.rois.subarray(0, 6))).toEqual([0, 50, 50, 40, 20, 0.2]);
    expect(Array.from(t.deltas.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    const want = obbDeltaEncode(proposals.subarray(0, 5), target.boxes);
    Array.from(want).forEach((v, i) => expect(t.deltas[5 + i]).toBeCloseTo(v, 5));
  });

  it('without add-gt and with no proposals there is nothing to sample', () => {
    const t = roiTargets([new Float64Array(0)], [target], 3, { rng: new Rng(0), addGtAsProposals: false });
    expect(t.labels.length).toBe(0);
  });
});

describe('roiLoss', () => {
  it('is softmax CE + smooth-L1 over the sampled RoIs; gradient matches finite differences', () => {
    const t = roiTargets([Float64Array.from([52, 50, 40, 20, 0.25, 10, 10, 20, 10, 0])], [target], 3, { rng: new Rng(0) });
    const rng = new Rng(9);
    const cls = tf.tensor2d(rng.fillNormal(12), [3, 4]);
    const reg = tf.tensor2d(rng.fillNormal(15, 0, 0.5), [3, 5]);
    const out = roiLoss({ cls: cls as tf.Tensor2D, reg: reg as tf.Tensor2D }, t);
    const c = cls.arraySync() as number[][];
    let ce = 0;
    c.forEach((row, i) => {
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      ce += lse - row[t.labels[i]];
    });
    expect(out.loss_cls.dataSync()[0]).toBeCloseTo(ce / 3, 5);
    const r = reg.dataSync();
    let sl1 = 0;
    for (let i = 0; i < 2; i++) {
      for (let k = 0; k < 5; k++) {
        const d = Math.abs(r[i * 5 + k] - t.deltas[i * 5 + k]);
        sl1 += d < 1 ? 0.5 * d * d : d - 0.5;
      }
    }
    expect(out.loss_bbox.dataSync()[0]).toBeCloseTo(sl1 / 3, 5);
    tf.dispose([out.loss_cls, out.loss_bbox]);
    const report = gradCheck((x, y) => {
      const o = roiLoss({ cls: x as tf.Tensor2D, reg: y as tf.Tensor2D }, t);
      return o.loss_cls.add(o.loss_bbox);
    }, [cls, reg]);
    expect(report.failures).toEqual([]);
    tf.dispose([cls, reg]);
  });
});

describe('roiDecode', () => {
  it('keeps per-class boxes above the score threshold and suppresses overlaps within a class only', () => {
    const proposals = Float64Array.from([50, 50, 40, 20, 0.2, 51, 50, 40, 20, 0.2, 50, 50, 40, 20, 0.2]);
    // probs [3, K+1=3]: rows 0/1 class 0 (overlapping → one survives), row 2 class 1.
    const probs = [0.9, 0.05, 0.05, 0.8, 0.1, 0.1, 0.02, 0.9, 0.08];
    const deltas = new Float32Array(15);
    const d = roiDecode(proposals, probs, deltas, 2, { scoreThreshold: 0.05, nmsIouThreshold: 0.1, preNmsTopK: 100, maxDetections: 100 });
    // Class 1 also gets rows 1 (0.1) after NMS with row 2 (0.9) → suppressed; row 0 (0.05) not > threshold.
    expect(Array.from(d.labels)).toEqual([0, 1]);
    expect(Array.from(d.scores)).toEqual([Math.fround(0.9), Math.fround(0.9)]);
    expect(Array.from(d.boxes.subarray(0, 5)).map((v) => +v.toFixed(9))).toEqual([50, 50, 40, 20, 0.2]);
  });
});

describe('RoI feature extraction', () => {
  it('maps RoI scales to levels as mmdet (finest scale 56)', () => {
    const rois = [0, 0, 0, 56, 56, 0, 0, 0, 0, 112, 112, 0, 0, 0, 0, 20, 20, 0, 0, 0, 0, 900, 900, 0, 0, 0, 0, 224, 224, 1];
    expect(Array.from(mapRoiLevels(rois, 4))).toEqual([0, 1, 0, 3, 2]);
  });

  it('reads each RoI from its level: equals single-level RoIAlign at that stride', () => {
    const rng = new Rng(3);
    const l0 = tf.tensor4d(rng.fillNormal(2 * 32 * 32 * 3), [2, 32, 32, 3]) as tf.Tensor4D;
    const l1 = tf.tensor4d(rng.fillNormal(2 * 16 * 16 * 3), [2, 16, 16, 3]) as tf.Tensor4D;
    const small = [1, 40, 50, 30, 20, 0.4];
    const big = [0, 60, 64, 150, 90, -0.8];
    const got = extractRotatedRoiFeatures([l0, l1], [4, 8], [...small, ...big], { outSize: 7, samplingRatio: 2 });
    const a = rotatedRoiAlign(l0, small, { spatialScale: 1 / 4 });
    const b = rotatedRoiAlign(l1, big, { spatialScale: 1 / 8 });
    const want = tf.concat([a, b]);
    expect(got.shape).toEqual([2, 7, 7, 3]);
    expect(tf.max(tf.abs(got.sub(want))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([l0, l1, got, a, b, want]);
  });
});

describe('RoiHead module', () => {
  it('maps [R, 7, 7, C] to K+1 logits and 5 deltas, mmdet init scales', () => {
    const head = new RoiHead({ numClasses: 4, inFeatures: 7 * 7 * 2, fcChannels: 16, rng: new Rng(0) });
    const out = head.forward(tf.ones([3, 7, 7, 2]) as tf.Tensor4D);
    expect(out.cls.shape).toEqual([3, 5]);
    expect(out.reg.shape).toEqual([3, 5]);
    const std = (name: string) => {
      const w = head.getModule(name).getParameter('weight');
      return tf.tidy(() => tf.moments(w).variance.sqrt().dataSync()[0]);
    };
    expect(std('fc_cls')).toBeGreaterThan(0.005);
    expect(std('fc_cls')).toBeLessThan(0.02);
    expect(std('fc_reg')).toBeLessThan(0.002);
    tf.dispose([out.cls, out.reg]);
    head.dispose();
  });
});
