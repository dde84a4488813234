// Values and gradients against gen_gfl.py, which replicates mmdet's formulas in torch (float64).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { distributionFocalLoss } from './distribution-focal-loss.js';
import { giouLoss } from './giou-loss.js';
import { integralDistribution } from './integral.js';
import { qualityFocalLoss } from './quality-focal-loss.js';

interface Checked {
  expected: number[];
  gradSum: number[];
}
interface Fixture {
  integral: Checked & { regMax: number; N: number; logits: number[] };
  dfl: Checked & { regMax: number; pred: number[]; target: number[] };
  qfl: { K: number; pred: number[]; labels: number[]; scores: number[]; beta2: Checked; beta1_5: Checked };
  giou: Checked & { pred: number[]; target: number[] };
}
const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/gfl_cases.json'), 'utf8')) as Fixture;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** f's per-element output and the gradient of its sum, compared to torch; checks for leaks. */
function expectMatches(f: (x: tf.Tensor2D) => tf.Tensor, input: tf.Tensor2D, want: Checked, tol = 1e-5): void {
  const before = tf.memory().numTensors;
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.sum(f(x as tf.Tensor2D)))(input);
  const out = f(input);
  const got = out.dataSync();
  expect(got.length).toBe(want.expected.length);
  want.expected.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(tol));
  const g = grad.dataSync();
  want.gradSum.forEach((v, i) => expect(Math.abs(g[i] - v)).toBeLessThan(tol));
  tf.dispose([value, grad, out]);
  expect(tf.memory().numTensors).toBe(before);
  input.dispose();
}

describe('GFL pieces match the torch replica of mmdet', () => {
  it('integralDistribution', () => {
    const c = fx.integral;
    expectMatches((x) => integralDistribution(x, c.regMax), tf.tensor2d(c.logits, [c.N, 4 * (c.regMax + 1)]), c);
  });

  it('distributionFocalLoss (per sample)', () => {
    const c = fx.dfl;
    const n = c.target.length;
    expectMatches((x) => distributionFocalLoss(x, c.target, { reduction: 'none' }), tf.tensor2d(c.pred, [n, c.regMax + 1]), c);
  });

  it('qualityFocalLoss with β = 2 and β = 1.5 (background label = K)', () => {
    const c = fx.qfl;
    const n = c.labels.length;
    expectMatches((x) => qualityFocalLoss(x, c.labels, c.scores, { reduction: 'none' }), tf.tensor2d(c.pred, [n, c.K]), c.beta2);
    expectMatches((x) => qualityFocalLoss(x, c.labels, c.scores, { beta: 1.5, reduction: 'none' }), tf.tensor2d(c.pred, [n, c.K]), c.beta1_5);
  });

  it('giouLoss (per pair)', () => {
    const c = fx.giou;
    const n = c.target.length / 4;
    const target = tf.tensor2d(c.target, [n, 4]);
    expectMatches((x) => giouLoss(x, target, { reduction: 'none' }), tf.tensor2d(c.pred, [n, 4]), c);
    target.dispose();
  });
});
