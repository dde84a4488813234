// Oriented R-CNN learns: a tiny conv stem + the head overfit one synthetic image with three
// rotated rectangles of two classes to AP50 ≥ 0.9 (DOTA task-1 protocol of
// @babelrs/metrics-hmap), on the wasm backend, with a flat tensor count over the steps.
import * as tf from '@tensorflow/tfjs';
import { AdamW, Module, Rng, init, initBackend } from '@babelrs/core';
import { obbToPoly } from '@babelrs/boxes';
import { createDataset, evaluateProtocol } from '@babelrs/metrics-hmap';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HeadDetections, HeadTargets } from './detection-head.js';
import { DetHeadInputError } from './errors.js';
import { OrientedRcnnHead } from './oriented-rcnn-head.js';

const SIZE = 64;
const STRIDE = 4;
const CH = 16;

/** Three filled rotated rectangles: class 0 bright in channel 0, class 1 in channel 1. */
function syntheticImage(): { image: tf.Tensor4D; target: HeadTargets } {
  const boxes = [20, 20, 26, 12, 0.5, 44, 22, 22, 14, -0.7, 30, 46, 28, 16, 0.1];
  const labels = Int32Array.from([0, 1, 0]);
  const px = new Float32Array(SIZE * SIZE * 3);
  const rng = new Rng(3);
  for (let i = 0; i < px.length; i++) px[i] = 0.1 * rng.normal();
  for (let b = 0; b < labels.length; b++) {
    const [cx, cy, w, h, t] = boxes.slice(b * 5, b * 5 + 5);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        const u = dx * Math.cos(t) + dy * Math.sin(t);
        const v = -dx * Math.sin(t) + dy * Math.cos(t);
        if (Math.abs(u) <= w / 2 && Math.abs(v) <= h / 2) px[(y * SIZE + x) * 3 + labels[b]] += 1;
      }
    }
  }
  return { image: tf.tensor4d(px, [1, SIZE, SIZE, 3]), target: { boxes: Float64Array.from(boxes), labels } };
}

/** Patchify (4×4, stride 4) + 3×3 conv, both ReLU: the smallest backbone that can localise. */
class TinyStem extends Module {
  constructor(rng: Rng) {
    super();
    this.registerParameter('patch', init.kaimingUniform([STRIDE, STRIDE, 3, CH], { rng }));
    this.registerParameter('conv', init.kaimingUniform([3, 3, CH, CH], { rng }));
  }

  forward(img: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const p = tf.relu(tf.conv2d(img, this.getParameter('patch') as tf.Tensor4D, STRIDE, 'valid')) as tf.Tensor4D;
      return tf.relu(tf.conv2d(p, this.getParameter('conv') as tf.Tensor4D, 1, 'same')) as tf.Tensor4D; // [1, 16, 16, CH]
    });
  }
}

function scores(target: HeadTargets, det: HeadDetections): { dota: number; soi50: number; soi: number } {
  const row = (b: ArrayLike<number>, i: number) => Array.from({ length: 5 }, (_, k) => b[i * 5 + k]);
  const ds = createDataset({
    geometry: 'poly',
    classes: ['c0', 'c1'],
    images: [{ name: 'synthetic' }],
    gts: Array.from(target.labels, (label, i) => ({ image: 0, label, box: Array.from(obbToPoly(row(target.boxes, i))) })),
    dets: Array.from(det.labels, (label, i) => ({ image: 0, label, box: Array.from(obbToPoly(row(det.boxes, i))), score: det.scores[i] })),
  });
  const soi = evaluateProtocol(ds, 'soi');
  return { dota: evaluateProtocol(ds, 'dota').mAP, soi50: soi.AP50 ?? NaN, soi: soi.mAP };
}

function tinyHead(seed = 1): OrientedRcnnHead {
  return new OrientedRcnnHead({
    numClasses: 2,
    inChannels: CH,
    strides: [STRIDE],
    anchors: { scales: [6] },
    fcChannels: 64,
    rpnSampleNum: 64,
    rcnnSampleNum: 32,
    rpnTrainProposals: { nmsPre: 200, maxPerImg: 64, nmsIou: 0.7 },
    rpnTestProposals: { nmsPre: 200, maxPerImg: 64, nmsIou: 0.7 },
    seed,
  });
}

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
});

describe('OrientedRcnnHead', () => {
  it('overfits one synthetic image to DOTA AP50 ≥ 0.9 with flat numTensors', () => {
    const { image, target } = syntheticImage();
    const stem = new TinyStem(new Rng(7));
    const head = tinyHead();
    const model = new Module();
    model.registerModule('stem', stem);
    model.registerModule('head', head);
    const params = model.trainableParameters();
    const opt = new AdamW(model, { lr: 3e-3, weightDecay: 0 });
    const losses: Array<Record<string, number>> = [];
    const counts: number[] = [];
    for (let step = 0; step < 100; step++) {
      const parts: Record<string, number> = {};
      const { value, grads } = tf.variableGrads(() => {
        const raw = head.forward([{ features: stem.forward(image), stride: STRIDE }]);
        const l = head.loss(raw, [target], [SIZE, SIZE]);
        for (const [k, v] of Object.entries(l)) parts[k] = v.dataSync()[0];
        head.disposeRaw(raw);
        return tf.addN(Object.values(l)) as tf.Scalar;
      }, params);
      opt.step(grads);
      tf.dispose([value, ...Object.values(grads)]);
      losses.push(parts);
      if (step > 0) counts.push(tf.memory().numTensors);
    }
    const raw = head.forward([{ features: stem.forward(image), stride: STRIDE }]);
    const [det] = head.decode(raw, [SIZE, SIZE]);
    head.disposeRaw(raw);
    const m = scores(target, det);
    console.log(`oriented-rcnn overfit: DOTA AP50 ${m.dota.toFixed(3)}, SOI AP50 ${m.soi50.toFixed(3)} mAP ${m.soi.toFixed(3)}, first ${JSON.stringify(losses[0])}, last ${JSON.stringify(losses.at(-1))}, ${det.labels.length} dets`);
    expect(m.dota).toBeGreaterThanOrEqual(0.9);
    expect(m.soi50).toBeGreaterThanOrEqual(0.9);
    const total = (p: Record<string, number>) => Object.values(p).reduce((a, b) => a + b, 0);
    expect(total(losses.at(-1)!)).toBeLessThan(0.5 * total(losses[0]));
    expect(new Set(counts).size).toBe(1);
    opt.dispose();
    image.dispose();
  }, 60_000);

  it('handles a batch of two with an image without objects: finite losses, gradients for every parameter, one detection list per image, no leaks', () => {
    const head = tinyHead(2);
    const rng = new Rng(5);
    const feats = tf.tensor4d(rng.fillNormal(2 * 16 * 16 * CH), [2, 16, 16, CH]) as tf.Tensor4D;
    const targets: HeadTargets[] = [
      { boxes: Float64Array.from([20, 20, 26, 12, 0.5]), labels: Int32Array.from([1]) },
      { boxes: new Float64Array(0), labels: new Int32Array(0) },
    ];
    const before = tf.memory().numTensors;
    const params = head.trainableParameters();
    const { value, grads } = tf.variableGrads(() => {
      const raw = head.forward([{ features: feats, stride: STRIDE }]);
      const l = head.loss(raw, targets, [SIZE, SIZE]);
      for (const [k, v] of Object.entries(l)) expect(Number.isFinite(v.dataSync()[0]), k).toBe(true);
      head.disposeRaw(raw);
      return tf.addN(Object.values(l)) as tf.Scalar;
    }, params);
    expect(Object.keys(grads).length).toBe(params.length);
    for (const g of Object.values(grads)) expect(Number.isFinite(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]))).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
    const raw = head.forward([{ features: feats, stride: STRIDE }]);
    const dets = head.decode(raw, [SIZE, SIZE], { scoreThreshold: 0 });
    head.disposeRaw(raw);
    expect(dets.length).toBe(2);
    for (const d of dets) {
      expect(d.boxType).toBe('obb');
      expect(d.boxes.length).toBe(5 * d.labels.length);
      expect(d.scores.length).toBe(d.labels.length);
    }
    expect(tf.memory().numTensors).toBe(before);
    feats.dispose();
  });

  it('replays its sampling after restoring the sampler state (exact resume)', () => {
    const head = tinyHead(4);
    const x = tf.tensor4d(new Rng(8).fillNormal(16 * 16 * CH), [1, 16, 16, CH]) as tf.Tensor4D;
    const target: HeadTargets = { boxes: Float64Array.from([20, 20, 26, 12, 0.5, 44, 22, 22, 14, -0.7]), labels: Int32Array.from([0, 1]) };
    const raw = head.forward([{ features: x, stride: STRIDE }]);
    const lossValues = () => {
      const l = head.loss(raw, [target], [SIZE, SIZE]);
      const v = Object.values(l).map((t) => t.dataSync()[0]);
      tf.dispose(Object.values(l));
      return v;
    };
    const state = head.getSamplerState();
    const first = lossValues();
    const second = lossValues();
    head.setSamplerState(state);
    expect(lossValues()).toEqual(first);
    expect(second).not.toEqual(first); // a fresh sample each call
    head.disposeRaw(raw);
    x.dispose();
  });

  it('names its parameters as mmrotate and rejects mismatched levels and targets', () => {
    const head = tinyHead();
    const names = head.namedParameters().map(([n]) => n);
    expect(names).toEqual(expect.arrayContaining([
      'rpn_head.rpn_conv.weight', 'rpn_head.rpn_cls.weight', 'rpn_head.rpn_reg.weight',
      'roi_head.shared_fcs_0.weight', 'roi_head.shared_fcs_1.weight', 'roi_head.fc_cls.weight', 'roi_head.fc_reg.weight',
    ]));
    const x = tf.zeros([1, 16, 16, CH]) as tf.Tensor4D;
    expect(() => head.forward([{ features: x, stride: 8 }])).toThrow(/stride 8, expected 4/);
    const raw = head.forward([{ features: x, stride: STRIDE }]);
    expect(raw.rpnCls[0].shape).toEqual([1, 16, 16, 3]);
    expect(raw.rpnReg[0].shape).toEqual([1, 16, 16, 18]);
    expect(() => head.loss(raw, [{ boxes: Float64Array.from([1, 2, 3, 4]), labels: Int32Array.from([0]) }], [SIZE, SIZE])).toThrow(DetHeadInputError);
    expect(() => head.loss(raw, [{ boxes: Float64Array.from([30, 30, 20, 10, 0]), labels: Int32Array.from([5]) }], [SIZE, SIZE])).toThrow(/labels\[0\] = 5/);
    head.disposeRaw(raw);
    x.dispose();
  });
});
