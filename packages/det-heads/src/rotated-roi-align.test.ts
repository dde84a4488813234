// Rotated RoIAlign against mmcv's RoIAlignRotated CPU loops (re-stated in
// fixtures/gen_roi_align_rotated.py, float64), forward and backward, on the wasm and cpu
// backends, plus finite differences with core's gradCheck.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { gradCheck, initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DetHeadInputError } from './errors.js';
import { rotatedRoiAlign, rotatedRoiAlignPlan, type RoiAlignImpl } from './rotated-roi-align.js';

interface Case {
  name: string;
  featuresNCHW: number[];
  shape: [number, number, number, number];
  rois: number[];
  outSize: [number, number];
  spatialScale: number;
  samplingRatio: number;
  aligned: boolean;
  clockwise: boolean;
  expected: number[];
  gradOut: number[];
  gradFeatures: number[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const fx: { cases: Case[] } = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/roi_align_rotated_cases.json'), 'utf8'));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function runCase(c: Case, impl: RoiAlignImpl): { out: Float32Array; grad: Float32Array } {
  return tf.tidy(() => {
    const nhwc = tf.tensor4d(c.featuresNCHW, c.shape).transpose([0, 2, 3, 1]) as tf.Tensor4D;
    const [r, ch, ph, pw] = [c.rois.length / 6, c.shape[1], c.outSize[0], c.outSize[1]];
    const gradOut = tf.tensor4d(c.gradOut, [r, ch, ph, pw]).transpose([0, 2, 3, 1]);
    const opts = { outSize: c.outSize, spatialScale: c.spatialScale, samplingRatio: c.samplingRatio, aligned: c.aligned, clockwise: c.clockwise, impl } as const;
    const f = (x: tf.Tensor) => rotatedRoiAlign(x as tf.Tensor4D, c.rois, opts);
    const out = f(nhwc).transpose([0, 3, 1, 2]).dataSync() as Float32Array;
    const grad = tf.grad((x: tf.Tensor) => tf.sum(f(x).mul(gradOut)))(nhwc).transpose([0, 3, 1, 2]).dataSync() as Float32Array;
    return { out: Float32Array.from(out), grad: Float32Array.from(grad) };
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`rotated RoIAlign vs mmcv reference on ${backend}`, () => {
    beforeAll(async () => {
      expect((await initBackend({ prefer: backend })).backend).toBe(backend);
    });

    for (const impl of ['host', 'gather'] as const) {
      for (const c of fx.cases) {
        it(`${c.name} (${impl}): forward and feature gradient match`, () => {
          const before = tf.memory().numTensors;
          const { out, grad } = runCase(c, impl);
          expect(maxAbsDiff(out, c.expected)).toBeLessThan(1e-4);
          expect(maxAbsDiff(grad, c.gradFeatures)).toBeLessThan(1e-4);
          expect(tf.memory().numTensors).toBe(before);
        });
      }

      it(`gradient matches finite differences (${impl}, gradCheck)`, () => {
        const c = fx.cases[1]; // RoIs on and beyond the map's edges
        const x = tf.tensor4d(c.featuresNCHW, c.shape).transpose([0, 2, 3, 1]) as tf.Tensor4D;
        const opts = { outSize: c.outSize, spatialScale: c.spatialScale, samplingRatio: c.samplingRatio, impl };
        const report = gradCheck((f) => rotatedRoiAlign(f as tf.Tensor4D, c.rois, opts), [x]);
        x.dispose();
        expect(report.checked).toBe(c.featuresNCHW.length);
        expect(report.failures).toEqual([]);
        expect(report.ok).toBe(true);
      });
    }
  });
}

describe('rotated RoIAlign plan', () => {
  it('an axis-aligned RoI covering whole pixels averages them exactly', () => {
    // 4×4 map, values = x + 10·y; RoI = pixels x∈[1,3), y∈[0,2) (aligned: pixel centres at +0.5).
    // A 1×1 output with 2×2 samples hits the 4 pixel centres → mean of (1, 2, 11, 12) = 6.5.
    const plan = rotatedRoiAlignPlan([0, 2, 1, 2, 2, 0], () => ({ height: 4, width: 4, spatialScale: 1, rowOffset: 0 }), { outSize: 1, samplingRatio: 2 });
    expect(plan.taps).toBe(4);
    const byRow = new Map<number, number>();
    plan.indices.forEach((r, k) => byRow.set(r, (byRow.get(r) ?? 0) + plan.weights[k]));
    expect([...byRow.keys()].sort((a, b) => a - b)).toEqual([1, 2, 5, 6]);
    for (const w of byRow.values()) expect(w).toBeCloseTo(0.25, 6);
  });

  it('θ = π/2 clockwise turns the RoI so its width runs down the image', () => {
    // A 4×1 RoI centred at pixel coords (2, 2.5) (input (2.5, 3) with aligned's −0.5), turned
    // +90° clockwise, samples the vertical strip x = 2, one pixel centre per bin.
    const src = () => ({ height: 5, width: 5, spatialScale: 1, rowOffset: 0 });
    const plan = rotatedRoiAlignPlan([0, 2.5, 3, 4, 1, Math.PI / 2], src, { outSize: [1, 4], samplingRatio: 1 });
    const rowsOfCell = (i: number) => [...plan.indices.slice(i * plan.taps, (i + 1) * plan.taps)].filter((_, k) => plan.weights[i * plan.taps + k] > 1e-6);
    // Bins along w (top to bottom after the turn): y = 1, 2, 3, 4.
    expect([0, 1, 2, 3].map((i) => rowsOfCell(i))).toEqual([[1 * 5 + 2], [2 * 5 + 2], [3 * 5 + 2], [4 * 5 + 2]]);
  });

  it('rejects bad rois naming the problem', () => {
    const x = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
    expect(() => rotatedRoiAlign(x, [0, 1, 1, 1, 1])).toThrow(DetHeadInputError);
    expect(() => rotatedRoiAlign(x, [1, 1, 1, 1, 1, 0])).toThrow(/batch index 1/);
    expect(() => rotatedRoiAlign(x, [0, 1, 1, -1, 1, 0])).toThrow(/negative size/);
    x.dispose();
  });
});
