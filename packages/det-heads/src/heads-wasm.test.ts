// The heads' losses on the wasm backend (the CPU default): every op they use must have a
// gradient there, and values and gradients must agree with the torch fixture as on cpu.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GflHead } from './gfl-head.js';
import { RotatedFcosHead, type RotatedFcosRaw } from './rotated-fcos-head.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/heads_cases.json'), 'utf8'));

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
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

function expectClose(want: number[], got: tf.Tensor[]): void {
  const flat = got.flatMap((t) => Array.from(t.dataSync()));
  want.forEach((v, i) => expect(Math.abs(flat[i] - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
}

describe('head losses on wasm match torch', () => {
  it('GflHead', () => {
    const g = fx.gfl;
    const head = new GflHead({ numClasses: g.numClasses, inChannels: 8, strides: g.strides, stackedConvs: 0, regMax: g.regMax, anchorScale: g.anchorScale });
    const inputs = [...levelsOf(g.cls, g.imgSize, g.strides, g.numClasses), ...levelsOf(g.reg, g.imgSize, g.strides, 4 * (g.regMax + 1))];
    const targets = [{ boxes: Float32Array.from(g.gtBoxes), labels: Int32Array.from(g.gtLabels) }];
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) =>
      tf.addN(Object.values(head.loss({ cls: xs.slice(0, 2) as tf.Tensor4D[], reg: xs.slice(2) as tf.Tensor4D[], strides: g.strides }, targets, [64, 64]))),
    )(inputs);
    const total = Object.values(g.losses as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(value.dataSync()[0]).toBeCloseTo(total, 4);
    expectClose(g.gradCls, grads.slice(0, 2));
    expectClose(g.gradReg, grads.slice(2));
    tf.dispose([...inputs, value, ...grads]);
    head.dispose();
  });

  it('RotatedFcosHead', () => {
    const f = fx.fcos;
    const head = new RotatedFcosHead({ numClasses: f.numClasses, inChannels: 8, strides: f.strides, stackedConvs: 0 });
    const inputs = [
      ...levelsOf(f.cls, f.imgSize, f.strides, f.numClasses),
      ...levelsOf(f.reg, f.imgSize, f.strides, 4),
      ...levelsOf(f.angle, f.imgSize, f.strides, 1),
      ...levelsOf(f.centerness, f.imgSize, f.strides, 1),
    ];
    const targets = [{ boxes: Float32Array.from(f.gtBoxes), labels: Int32Array.from(f.gtLabels) }];
    const raw = (xs: tf.Tensor4D[]): RotatedFcosRaw => ({ cls: xs.slice(0, 2), reg: xs.slice(2, 4), angle: xs.slice(4, 6), centerness: xs.slice(6, 8), strides: f.strides });
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => tf.addN(Object.values(head.loss(raw(xs as tf.Tensor4D[]), targets, [64, 64]))))(inputs);
    const total = Object.values(f.losses as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(value.dataSync()[0]).toBeCloseTo(total, 4);
    expectClose(f.gradCls, grads.slice(0, 2));
    expectClose(f.gradReg, grads.slice(2, 4));
    expectClose(f.gradAngle, grads.slice(4, 6));
    expectClose(f.gradCenterness, grads.slice(6, 8));
    tf.dispose([...inputs, value, ...grads]);
    head.dispose();
  });
});
