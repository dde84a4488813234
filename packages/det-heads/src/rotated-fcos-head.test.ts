import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { assertGradCheck, initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { distanceAngleToObb, obbToDistanceHost } from './distance-angle-coder.js';
import { priorPoints } from './prior-points.js';
import { defaultRegressRanges, rotatedFcosAssign } from './rotated-fcos-assigner.js';
import { RotatedFcosHead, type RotatedFcosRaw } from './rotated-fcos-head.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/heads_cases.json'), 'utf8')).fcos;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

function levelsOf(flat: number[], img: number, strides: number[], channels: number): tf.Tensor4D[] {
  let offset = 0;
  return strides.map((s) => {
    const n = img / s;
    const t = tf.tensor4d(flat.slice(offset, offset + n * n * channels), [1, n, n, channels]);
    offset += n * n * channels;
    return t;
  });
}

const fixtureHead = () => new RotatedFcosHead({ numClasses: fx.numClasses, inChannels: 8, strides: fx.strides, stackedConvs: 1, normGroups: 2 });
const fixtureTargets = () => [{ boxes: Float32Array.from(fx.gtBoxes), labels: Int32Array.from(fx.gtLabels) }];
const fixtureRaw = (xs: tf.Tensor4D[]): RotatedFcosRaw => ({ cls: xs.slice(0, 2), reg: xs.slice(2, 4), angle: xs.slice(4, 6), centerness: xs.slice(6, 8), strides: fx.strides });
const fixtureInputs = () => [
  ...levelsOf(fx.cls, fx.imgSize, fx.strides, fx.numClasses),
  ...levelsOf(fx.reg, fx.imgSize, fx.strides, 4),
  ...levelsOf(fx.angle, fx.imgSize, fx.strides, 1),
  ...levelsOf(fx.centerness, fx.imgSize, fx.strides, 1),
];

describe('RotatedFcosHead targets and loss', () => {
  it("assigns like mmrotate's _get_targets_single (torch fixture: centre sampling, ranges, smallest area)", () => {
    const head = fixtureHead();
    const inputs = fixtureInputs();
    const t = head.buildTargets(fixtureRaw(inputs), fixtureTargets());
    expect(Array.from(t.posIndex)).toEqual(fx.posIndex);
    expect(Array.from(t.labels)).toEqual(fx.labels);
    (fx.centernessTargets as number[]).forEach((v, i) => expect(t.posCenterness[i]).toBeCloseTo(v, 5));
    tf.dispose(inputs);
    head.dispose();
  });

  it("loss values and gradients match mmrotate's RotatedFCOSHead.loss with KLD (torch fixture)", () => {
    const head = fixtureHead();
    const inputs = fixtureInputs();
    const named: Record<string, number> = {};
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const losses = head.loss(fixtureRaw(xs as tf.Tensor4D[]), fixtureTargets(), [64, 64]);
      for (const [k, v] of Object.entries(losses)) named[k] = v.dataSync()[0];
      return tf.addN(Object.values(losses));
    })(inputs);
    for (const [k, v] of Object.entries(fx.losses as Record<string, number>)) expect(named[k]).toBeCloseTo(v, 4);
    const flat = (ts: tf.Tensor[]) => ts.flatMap((t) => Array.from(t.dataSync()));
    const check = (want: number[], got: number[]) => want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
    check(fx.gradCls, flat(grads.slice(0, 2)));
    check(fx.gradReg, flat(grads.slice(2, 4)));
    check(fx.gradAngle, flat(grads.slice(4, 6)));
    check(fx.gradCenterness, flat(grads.slice(6, 8)));
    tf.dispose([...inputs, ...grads]);
    head.dispose();
  });

  it('batches: duplicating the image leaves every loss unchanged; positives of image b are offset by b·N', () => {
    const head = fixtureHead();
    const inputs = fixtureInputs();
    const doubled = inputs.map((t) => tf.concat([t, t]) as tf.Tensor4D);
    const n = fx.labels.length;
    const empty = { boxes: new Float32Array(0), labels: new Int32Array(0) };
    expect(Array.from(head.buildTargets(fixtureRaw(doubled), [empty, ...fixtureTargets()]).posIndex)).toEqual(fx.posIndex.map((i: number) => i + n));
    const single = head.loss(fixtureRaw(inputs), fixtureTargets(), [64, 64]);
    const double = head.loss(fixtureRaw(doubled), [...fixtureTargets(), ...fixtureTargets()], [64, 64]);
    for (const k of Object.keys(single)) expect(double[k].dataSync()[0]).toBeCloseTo(single[k].dataSync()[0], 5);
    tf.dispose([...inputs, ...doubled, ...Object.values(single), ...Object.values(double)]);
    head.dispose();
  });

  it('whole-head loss gradient w.r.t. distances and angles matches finite differences', () => {
    const head = new RotatedFcosHead({ numClasses: 2, inChannels: 4, strides: [8], stackedConvs: 0 });
    const targets = [{ boxes: Float32Array.from([16, 14, 20, 9, 0.4]), labels: Int32Array.from([1]) }];
    const cls = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    const ctr = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const reg = tf.tensor4d(Array.from({ length: 64 }, (_, i) => 0.6 + ((i * 7) % 5) * 0.2), [1, 4, 4, 4]);
    const angle = tf.tensor4d(Array.from({ length: 16 }, (_, i) => -0.5 + i * 0.07), [1, 4, 4, 1]);
    const f = (r: tf.Tensor, a: tf.Tensor) => {
      const l = head.loss({ cls: [cls], reg: [r as tf.Tensor4D], angle: [a as tf.Tensor4D], centerness: [ctr], strides: [8] }, targets, [32, 32]);
      return tf.addN(Object.values(l));
    };
    assertGradCheck(f, [reg, angle], { eps: 1e-2, rtol: 2e-2, atol: 1e-4 });
    tf.dispose([cls, ctr, reg, angle]);
    head.dispose();
  });
});

describe('rotatedFcosAssign (hand cases)', () => {
  const grid = priorPoints([{ height: 4, width: 4, stride: 8 }], 0.5); // centres 4, 12, 20, 28

  it('a point is positive inside the rotated box within 1.5 strides of its centre along its axes', () => {
    // Box at (16, 16), 28×6, rotated 90°: the long side is vertical, x ∈ [13, 19].
    const a = rotatedFcosAssign(grid, [16, 16, 28, 6, Math.PI / 2], { regressRanges: [[-1, Infinity]] });
    // Points at x = 12 or 20 lie outside the 6-px-wide box: none is positive.
    expect(Array.from(a.assignedGt).filter((g) => g >= 0)).toEqual([]);
    const b = rotatedFcosAssign(grid, [16, 16, 28, 10, Math.PI / 2], { regressRanges: [[-1, Infinity]] });
    // x ∈ [11, 21] now holds x = 12, 20; along the long axis |oy| < 12 keeps y = 12, 20 and drops y = 4, 28.
    const pos = Array.from(b.assignedGt).flatMap((g, i) => (g >= 0 ? [i] : []));
    expect(pos).toEqual([5, 6, 9, 10]);
    // point (12, 12): box frame offset (ox, oy) = (−4, 4) → l = 14 − 4 … centre-ness from (l, t, r, b)
    const [l, t, r, bt] = Array.from(b.distances.subarray(5 * 4, 5 * 4 + 4));
    const [el, et, er, eb] = obbToDistanceHost(12, 12, [16, 16, 28, 10, Math.PI / 2]);
    [l, t, r, bt].forEach((v, i) => expect(v).toBeCloseTo([el, et, er, eb][i], 10));
    expect(b.centerness[5]).toBeCloseTo(Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, bt) / Math.max(t, bt))), 12);
    // without centre sampling the points at y = 4 and 28 are inside the box too
    const c = rotatedFcosAssign(grid, [16, 16, 28, 10, Math.PI / 2], { regressRanges: [[-1, Infinity]], centerSampling: false });
    expect(Array.from(c.assignedGt).filter((g) => g >= 0).length).toBe(8);
  });

  it('regression ranges pick the level; overlapping GTs go to the smaller one', () => {
    const a = rotatedFcosAssign(grid, [16, 16, 28, 10, Math.PI / 2], { regressRanges: [[-1, 10]] });
    expect(Array.from(a.assignedGt).every((g) => g < 0)).toBe(true); // max distance ≥ 14 − 4 … > 10
    const two = rotatedFcosAssign(grid, [16, 16, 28, 10, Math.PI / 2, 16, 16, 30, 30, 0], { regressRanges: [[-1, Infinity]] });
    expect(two.assignedGt[5]).toBe(0); // area 280 < 900
    expect(two.assignedGt[0]).toBe(-1); // (4, 4): outside the small one, beyond 12 px of the big one's centre
    expect(defaultRegressRanges([4, 8, 16])).toEqual([[-1, 32], [32, 64], [64, Infinity]]);
  });
});

describe('RotatedFcosHead decode', () => {
  it('encode GT boxes → raw outputs → decode gives the same le90 boxes; rotated NMS per class', () => {
    const stride = 4;
    const size = 16;
    const head = new RotatedFcosHead({ numClasses: 2, inChannels: 4, strides: [stride], stackedConvs: 0 });
    const cls = new Float32Array(size * size * 2).fill(-20);
    const reg = new Float32Array(size * size * 4).fill(1);
    const angle = new Float32Array(size * size);
    const ctr = new Float32Array(size * size).fill(-20);
    // (point, box as the head predicts it, label, cls logit). GT 1 is predicted with w < h and
    // θ + π/2 − π: the decoded box must come back in le90 form.
    const gts = [[20, 18, 26, 12, 0.5], [44, 44, 30, 12, -1.2], [18, 48, 18, 10, Math.PI / 2 - 0.05]];
    const put = (px: number, py: number, box: number[], label: number, logit: number) => {
      const i = py * size + px;
      const d = obbToDistanceHost((px + 0.5) * stride, (py + 0.5) * stride, box);
      reg.set(d.slice(0, 4).map((v) => v / stride), i * 4);
      angle[i] = box[4];
      cls[i * 2 + label] = logit;
      ctr[i] = 20;
    };
    put(4, 4, gts[0], 0, 5);
    put(10, 10, [44, 44, 12, 30, -1.2 + Math.PI / 2 - Math.PI], 1, 4);
    put(4, 11, gts[2], 1, 3);
    put(5, 4, [21, 18, 26, 12, 0.5], 0, 2); // overlaps GT 0 (same class) → suppressed
    const raw: RotatedFcosRaw = {
      cls: [tf.tensor4d(cls, [1, size, size, 2])],
      reg: [tf.tensor4d(reg, [1, size, size, 4])],
      angle: [tf.tensor4d(angle, [1, size, size, 1])],
      centerness: [tf.tensor4d(ctr, [1, size, size, 1])],
      strides: [stride],
    };
    const [det] = head.decode(raw, [64, 64]);
    expect(Array.from(det.labels)).toEqual([0, 1, 1]);
    gts.flat().forEach((v, i) => expect(det.boxes[i]).toBeCloseTo(v, 4));
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    [5, 4, 3].forEach((l, i) => expect(det.scores[i]).toBeCloseTo(sig(l) * sig(20), 5));
    // The threshold applies to σ(cls); centre-ness only scales the score (mmdet score factors).
    const lowCtr = { ...raw, centerness: [tf.fill([1, size, size, 1], -3) as tf.Tensor4D] };
    const [low] = head.decode(lowCtr, [64, 64]);
    expect(low.scores.length).toBe(3);
    [5, 4, 3].forEach((l, i) => expect(low.scores[i]).toBeCloseTo(sig(l) * sig(-3), 5));
    tf.dispose(lowCtr.centerness);
    head.disposeRaw(raw);
    head.dispose();
  });

  it('distanceAngleToObb inverts obbToDistanceHost and its gradient matches finite differences', () => {
    const box = [30, 20, 24, 9, -0.7];
    const d = obbToDistanceHost(27, 24, box);
    const out = distanceAngleToObb(tf.tensor2d([[27, 24]]), tf.tensor2d([d.slice(0, 4)]), tf.tensor2d([[box[4]]])).dataSync();
    box.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 4));
    const pts = tf.tensor2d([[1, 2], [3, -1]]);
    assertGradCheck((dist, ang) => distanceAngleToObb(pts, dist as tf.Tensor2D, ang as tf.Tensor2D), [tf.tensor2d([[1, 2, 3, 4], [2, 1, 0.5, 3]]), tf.tensor2d([[0.3], [-1.1]])]);
    pts.dispose();
  });
});

describe('RotatedFcosHead module', () => {
  it('uses mmrotate parameter names and rejects bad input with a clear message', () => {
    const head = new RotatedFcosHead({ numClasses: 5, inChannels: 8, strides: [8, 16], stackedConvs: 2, normGroups: 4 });
    const names = head.namedParameters().map(([n]) => n);
    for (const n of ['cls_convs.1.conv.weight', 'reg_convs.0.gn.bias', 'conv_cls.weight', 'conv_reg.weight', 'conv_angle.bias', 'conv_centerness.weight', 'scales.1.scale', 'scale_angle.scale']) {
      expect(names).toContain(n);
    }
    const x = tf.zeros([1, 4, 4, 8]) as tf.Tensor4D;
    const y = tf.zeros([1, 2, 2, 8]) as tf.Tensor4D;
    const raw = head.forward([{ features: x, stride: 8 }, { features: y, stride: 16 }]);
    expect(raw.reg[0].shape).toEqual([1, 4, 4, 4]);
    expect(raw.angle[1].shape).toEqual([1, 2, 2, 1]);
    expect(() => head.loss(raw, [{ boxes: Float32Array.from([1, 1, 4, 4]), labels: Int32Array.from([0]) }], [32, 32])).toThrow(/targets\[0\]\.boxes must be N×5/);
    expect(() => head.loss(raw, [{ boxes: Float32Array.from([1, 1, 4, 4, NaN]), labels: Int32Array.from([0]) }], [32, 32])).toThrow(/row 0: coordinate 4 is NaN/);
    expect(() => new RotatedFcosHead({ numClasses: 2, inChannels: 8, strides: [8, 16], regressRanges: [[-1, 64]] })).toThrow(/1 regressRanges for 2 strides/);
    // An ignored box: points inside it are neither positives nor negatives.
    const t = head.buildTargets(raw, [{ boxes: Float32Array.from([16, 16, 12, 12, 0]), labels: Int32Array.from([1]), ignore: Uint8Array.from([1]) }]);
    expect(t.posIndex.length).toBe(0);
    expect(Array.from(t.valid.subarray(0, 16))).toEqual([1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1]); // (12|20, 12|20)
    // NaN predictions (a diverged step) produce no detections instead of an NMS error.
    const nanRaw = { ...raw, reg: raw.reg.map((r) => tf.mul(r, NaN) as tf.Tensor4D) };
    expect(head.decode(nanRaw, [32, 32], { scoreThreshold: 0 })[0].scores.length).toBe(0);
    tf.dispose(nanRaw.reg);
    head.disposeRaw(raw);
    tf.dispose([x, y]);
    head.dispose();
  });
});
