import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GflHead, type GflRaw } from './gfl-head.js';
import { randomPyramid } from './testing/overfit-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/heads_cases.json'), 'utf8')).gfl;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** Per-level NHWC tensors from a flat [N, C] array over levels of size (img/stride)². */
function levelsOf(flat: number[], img: number, strides: number[], channels: number): tf.Tensor4D[] {
  let offset = 0;
  return strides.map((s) => {
    const n = img / s;
    const t = tf.tensor4d(flat.slice(offset, offset + n * n * channels), [1, n, n, channels]);
    offset += n * n * channels;
    return t;
  });
}

const tinyHead = () => new GflHead({ numClasses: fx.numClasses, inChannels: 8, strides: fx.strides, stackedConvs: 1, normGroups: 2, regMax: fx.regMax, anchorScale: fx.anchorScale });
const fixtureTargets = () => [{ boxes: Float32Array.from(fx.gtBoxes), labels: Int32Array.from(fx.gtLabels) }];

describe('GflHead targets and loss', () => {
  it("assigns the same positives as mmdet's ATSS (torch fixture)", () => {
    const head = tinyHead();
    const raw: GflRaw = { cls: levelsOf(fx.cls, fx.imgSize, fx.strides, fx.numClasses), reg: levelsOf(fx.reg, fx.imgSize, fx.strides, 4 * (fx.regMax + 1)), strides: fx.strides };
    const t = head.buildTargets(raw, fixtureTargets());
    expect(Array.from(t.posIndex)).toEqual(fx.posIndex);
    expect(Array.from(t.labels)).toEqual(fx.labels);
    head.disposeRaw(raw);
    head.dispose();
  });

  it("loss values and gradients match mmdet's GFLHead.loss (torch fixture, QFL + 2·GIoU + ¼·DFL)", () => {
    const head = tinyHead();
    const cls = levelsOf(fx.cls, fx.imgSize, fx.strides, fx.numClasses);
    const reg = levelsOf(fx.reg, fx.imgSize, fx.strides, 4 * (fx.regMax + 1));
    const named: Record<string, number> = {};
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const raw: GflRaw = { cls: xs.slice(0, 2) as tf.Tensor4D[], reg: xs.slice(2) as tf.Tensor4D[], strides: fx.strides };
      const losses = head.loss(raw, fixtureTargets(), [fx.imgSize, fx.imgSize]);
      for (const [k, v] of Object.entries(losses)) named[k] = v.dataSync()[0];
      return tf.addN(Object.values(losses));
    })([...cls, ...reg]);
    for (const [k, v] of Object.entries(fx.losses as Record<string, number>)) expect(named[k]).toBeCloseTo(v, 4);
    const flat = (ts: tf.Tensor[]) => ts.flatMap((t) => Array.from(t.dataSync()));
    const gc = flat(grads.slice(0, 2));
    const gr = flat(grads.slice(2));
    (fx.gradCls as number[]).forEach((v, i) => expect(Math.abs(gc[i] - v)).toBeLessThan(1e-4));
    (fx.gradReg as number[]).forEach((v, i) => expect(Math.abs(gr[i] - v)).toBeLessThan(1e-4));
    tf.dispose([...cls, ...reg, ...grads]);
    head.dispose();
  });

  it('batches: positives of image b are offset by b·N; duplicating an image leaves every loss unchanged', () => {
    const head = tinyHead();
    const one = { cls: levelsOf(fx.cls, fx.imgSize, fx.strides, fx.numClasses), reg: levelsOf(fx.reg, fx.imgSize, fx.strides, 4 * (fx.regMax + 1)), strides: fx.strides };
    const two: GflRaw = { cls: one.cls.map((t) => tf.concat([t, t])), reg: one.reg.map((t) => tf.concat([t, t])), strides: fx.strides };
    const n = fx.labels.length;
    const empty = { boxes: new Float32Array(0), labels: new Int32Array(0) };
    expect(Array.from(head.buildTargets(two, [empty, ...fixtureTargets()]).posIndex)).toEqual(fx.posIndex.map((i: number) => i + n));
    const single = head.loss(one, fixtureTargets(), [64, 64]);
    const double = head.loss(two, [...fixtureTargets(), ...fixtureTargets()], [64, 64]);
    for (const k of Object.keys(single)) expect(double[k].dataSync()[0]).toBeCloseTo(single[k].dataSync()[0], 5);
    tf.dispose([...one.cls, ...one.reg, ...Object.values(single), ...Object.values(double)]);
    head.disposeRaw(two);
    head.dispose();
  });

  it('hand case: a GT equal to an anchor makes that anchor positive; an ignored box silences its anchors', () => {
    const head = new GflHead({ numClasses: 2, inChannels: 4, strides: [8], stackedConvs: 0, anchorScale: 2, regMax: 4, atssTopk: 3 });
    // 4×4 map, stride 8, anchors 16×16 centred at (8x, 8y). GT = anchor at (16, 16) → [8, 8, 24, 24].
    const raw: GflRaw = { cls: [tf.zeros([1, 4, 4, 2]) as tf.Tensor4D], reg: [tf.zeros([1, 4, 4, 20]) as tf.Tensor4D], strides: [8] };
    const t = head.buildTargets(raw, [{ boxes: Float32Array.from([8, 8, 24, 24, 0, 16, 12, 30]), labels: Int32Array.from([1, 0]), ignore: Uint8Array.from([0, 1]) }]);
    expect(Array.from(t.posIndex)).toEqual([2 * 4 + 2]);
    expect(t.labels[10]).toBe(1);
    expect(Array.from(t.posBoxes)).toEqual([1, 1, 3, 3]); // stride units
    expect(Array.from(t.posPoints)).toEqual([2, 2]);
    // ignored box [0, 16, 12, 30] holds the anchor centres (0, 16), (8, 16), (0, 24), (8, 24)
    expect([8, 9, 12, 13].map((i) => t.valid[i])).toEqual([0, 0, 0, 0]);
    expect(t.valid.reduce((a, v) => a + v, 0)).toBe(12);
    head.disposeRaw(raw);
    head.dispose();
  });

  it('ATSS with anchors much larger than the object gives it no positive (as mmdet); a smaller anchorScale does', () => {
    const raw: GflRaw = { cls: [tf.zeros([1, 16, 16, 1]), tf.zeros([1, 8, 8, 1])] as tf.Tensor4D[], reg: [tf.zeros([1, 16, 16, 36]), tf.zeros([1, 8, 8, 36])] as tf.Tensor4D[], strides: [4, 8] };
    const gt = [{ boxes: Float32Array.from([8, 10, 30, 24]), labels: Int32Array.from([0]) }];
    // 22×14 box inside all nine nearest 32×32 anchors: nine equal IoUs 308/1024, nine of 308/4096
    // on level 1 → threshold mean + std ≈ 0.306 > 0.301.
    const big = new GflHead({ numClasses: 1, inChannels: 4, strides: [4, 8], stackedConvs: 0, regMax: 8 });
    expect(big.buildTargets(raw, gt).posIndex.length).toBe(0);
    const small = new GflHead({ numClasses: 1, inChannels: 4, strides: [4, 8], stackedConvs: 0, regMax: 8, anchorScale: 4 });
    expect(small.buildTargets(raw, gt).posIndex.length).toBeGreaterThan(0);
    tf.dispose([...raw.cls, ...raw.reg]);
    big.dispose();
    small.dispose();
  });

  it('no GT: classification loss only, regression losses are zero but still connected', () => {
    const head = tinyHead();
    const levels = randomPyramid(fx.imgSize, fx.strides, 8, 3);
    const { value, grads } = tf.variableGrads(() => {
      const raw = head.forward(levels);
      const l = head.loss(raw, [{ boxes: new Float32Array(0), labels: new Int32Array(0) }], [64, 64]);
      expect(l.loss_bbox.dataSync()[0]).toBe(0);
      expect(l.loss_dfl.dataSync()[0]).toBe(0);
      head.disposeRaw(raw);
      return tf.addN(Object.values(l)) as tf.Scalar;
    }, head.trainableParameters());
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    expect(Object.keys(grads).length).toBe(head.trainableParameters().length);
    tf.dispose([value, ...Object.values(grads), ...levels.map((l) => l.features)]);
    head.dispose();
  });
});

describe('GflHead decode', () => {
  /** Reg logits whose integral is exactly d (two neighbouring bins). */
  function sideLogits(d: number, regMax: number): number[] {
    const lo = Math.floor(d);
    return Array.from({ length: regMax + 1 }, (_, i) => Math.log(Math.max(i === lo ? lo + 1 - d : i === lo + 1 ? d - lo : 0, 1e-12)));
  }

  it('encode GT boxes → raw outputs → decode gives the same boxes; NMS drops a duplicate, keeps another class', () => {
    const regMax = 8;
    const stride = 4;
    const size = 16; // 64 px image, one level
    const head = new GflHead({ numClasses: 2, inChannels: 4, strides: [stride], stackedConvs: 0, regMax });
    const cls = new Float32Array(size * size * 2).fill(-20);
    const reg = new Float32Array(size * size * 4 * (regMax + 1));
    const put = (px: number, py: number, box: number[], label: number, logit: number) => {
      const i = py * size + px;
      const [x, y] = [px * stride, py * stride];
      const d = [x - box[0], y - box[1], box[2] - x, box[3] - y].map((v) => v / stride);
      reg.set(d.flatMap((v) => sideLogits(v, regMax)), i * 4 * (regMax + 1));
      cls[i * 2 + label] = logit;
    };
    const gts = [[6.5, 9, 27, 22.5], [33, 30.25, 57, 55]];
    put(4, 4, gts[0], 0, 5);
    put(11, 11, gts[1], 1, 5);
    put(5, 4, [7.5, 9, 27, 22.5], 0, 3); // near-duplicate of GT 0, lower score → suppressed
    put(4, 3, gts[0], 1, 2); // same box, other class → kept (NMS is per class)
    const raw: GflRaw = { cls: [tf.tensor4d(cls, [1, size, size, 2])], reg: [tf.tensor4d(reg, [1, size, size, 4 * (regMax + 1)])], strides: [stride] };
    const [det] = head.decode(raw, [64, 64]);
    expect(Array.from(det.labels)).toEqual([0, 1, 1]);
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    [sig(5), sig(5), sig(2)].forEach((s, i) => expect(det.scores[i]).toBeCloseTo(s, 5));
    [...gts[0], ...gts[1], ...gts[0]].forEach((v, i) => expect(det.boxes[i]).toBeCloseTo(v, 3));
    // In a batch, image 1 (all background) has no detections and image 0's are unchanged.
    const batch: GflRaw = { cls: [tf.concat([raw.cls[0], tf.fill([1, size, size, 2], -20)])], reg: [tf.concat([raw.reg[0], raw.reg[0]])], strides: [stride] };
    const [d0, d1] = head.decode(batch, [64, 64]);
    expect(Array.from(d0.boxes)).toEqual(Array.from(det.boxes));
    expect(d1.scores.length).toBe(0);
    head.disposeRaw(batch);
    head.disposeRaw(raw);
    head.dispose();
  });

  it('clips to the image and honours scoreThreshold / maxDetections', () => {
    const head = new GflHead({ numClasses: 1, inChannels: 4, strides: [8], stackedConvs: 0, regMax: 4 });
    const raw: GflRaw = { cls: [tf.fill([1, 2, 2, 1], 1) as tf.Tensor4D], reg: [tf.zeros([1, 2, 2, 20]) as tf.Tensor4D], strides: [8] };
    // uniform distributions → every side = 2 stride units = 16 px around (0|8, 0|8)
    const [all] = head.decode(raw, [16, 16], { nmsIouThreshold: 1 });
    expect(all.boxes.length).toBe(16);
    expect(Array.from(all.boxes.subarray(0, 4))).toEqual([0, 0, 16, 16]);
    expect(head.decode(raw, [16, 16], { nmsIouThreshold: 1, maxDetections: 2 })[0].scores.length).toBe(2);
    expect(head.decode(raw, [16, 16], { scoreThreshold: 0.9 })[0].scores.length).toBe(0);
    head.disposeRaw(raw);
    head.dispose();
  });
});

describe('GflHead module', () => {
  it('uses mmdet parameter names and shapes', () => {
    const head = new GflHead({ numClasses: 6, inChannels: 16, strides: [8, 16], stackedConvs: 2, regMax: 16 });
    const shapes = Object.fromEntries(head.namedParameters().map(([n, v]) => [n, v.shape]));
    expect(shapes['cls_convs.0.conv.weight']).toEqual([16, 16, 3, 3]);
    expect(shapes['cls_convs.1.gn.weight']).toEqual([16]);
    expect(shapes['reg_convs.1.conv.weight']).toEqual([16, 16, 3, 3]);
    expect(shapes['gfl_cls.weight']).toEqual([6, 16, 3, 3]);
    expect(shapes['gfl_reg.bias']).toEqual([68]);
    expect(shapes['scales.1.scale']).toEqual([1]);
    expect(head.getModule('cls_convs').namedParameters().some(([n]) => n.endsWith('conv.bias'))).toBe(false);
    head.dispose();
  });

  it('names the problem for bad levels and targets', () => {
    const head = new GflHead({ numClasses: 2, inChannels: 4, strides: [8, 16], stackedConvs: 1, normGroups: 2 });
    const a = tf.zeros([1, 4, 4, 4]) as tf.Tensor4D;
    const b = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
    expect(() => head.forward([{ features: a, stride: 8 }])).toThrow(/got 1 feature levels for 2 strides/);
    expect(() => head.forward([{ features: a, stride: 8 }, { features: b, stride: 32 }])).toThrow(/level 1 has stride 32, the head was built for 16/);
    expect(() => head.forward([{ features: a, stride: 8 }, { features: tf.zeros([1, 2, 2, 3]) as tf.Tensor4D, stride: 16 }])).toThrow(/level 1 features must be \[1, H, W, 4\]/);
    const raw = head.forward([{ features: a, stride: 8 }, { features: b, stride: 16 }]);
    expect(() => head.loss(raw, [{ boxes: Float32Array.from([0, 0, 4, 4]), labels: Int32Array.from([2]) }], [32, 32])).toThrow(/targets\[0\]\.labels\[0\] = 2 is not a class in \[0, 2\)/);
    expect(() => head.loss(raw, [{ boxes: Float32Array.from([0, 0, 4]), labels: Int32Array.from([0]) }], [32, 32])).toThrow(/targets\[0\]\.boxes must be N×4/);
    expect(() => head.loss(raw, [{ boxes: Float32Array.from([5, 0, 4, 4]), labels: Int32Array.from([0]) }], [32, 32])).toThrow(/row 0: empty box/);
    expect(() => head.loss(raw, [], [32, 32])).toThrow(/0 targets for a batch of 1/);
    expect(() => new GflHead({ numClasses: 2, inChannels: 6, strides: [8], normGroups: 4 })).toThrow(/6 channels cannot be split into 4 groups/);
    head.disposeRaw(raw);
    tf.dispose([a, b]);
    head.dispose();
  });
});
