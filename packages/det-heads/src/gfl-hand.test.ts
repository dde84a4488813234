// Hand-computed values and finite-difference gradients.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { distributionFocalLoss } from './distribution-focal-loss.js';
import { alignedGiou, giouLoss } from './giou-loss.js';
import { integralDistribution } from './integral.js';
import { qualityFocalLoss } from './quality-focal-loss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const scalar = (t: tf.Tensor): number => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

/** Central finite differences of a scalar function of one tensor, in float32 (so eps is coarse). */
function finiteDifference(f: (x: tf.Tensor) => tf.Tensor, values: number[], shape: number[], eps = 1e-2): number[] {
  return values.map((_, i) => {
    const plus = [...values];
    const minus = [...values];
    plus[i] += eps;
    minus[i] -= eps;
    const fp = tf.tidy(() => f(tf.tensor(plus, shape)).dataSync()[0]);
    const fm = tf.tidy(() => f(tf.tensor(minus, shape)).dataSync()[0]);
    return (fp - fm) / (2 * eps);
  });
}

function expectGradMatchesFd(f: (x: tf.Tensor) => tf.Tensor, values: number[], shape: number[]): void {
  const x = tf.tensor(values, shape);
  const g = tf.grad(f)(x);
  const analytic = Array.from(g.dataSync());
  tf.dispose([x, g]);
  const numeric = finiteDifference(f, values, shape);
  analytic.forEach((a, i) => expect(Math.abs(a - numeric[i])).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric[i]))));
}

describe('integralDistribution', () => {
  it('uniform logits give the middle distance; a peaked side gives its bin', () => {
    // regMax 2: uniform over {0, 1, 2} → 1; [0, 0, 50] → ≈ 2; [ln 3, ln 1, −∞-ish] → 0·3/4 + 1·1/4
    const logits = tf.tensor2d([[0, 0, 0, 0, 0, 50, Math.log(3), 0, -100, 5, 5, -100]]);
    const d = integralDistribution(logits, 2);
    const v = Array.from(d.dataSync());
    [1, 2, 0.25, 0.5].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
    tf.dispose([logits, d]);
  });

  it('rejects a width that is not 4·(regMax+1)', () => {
    const logits = tf.zeros([2, 10]) as tf.Tensor2D;
    expect(() => integralDistribution(logits, 3)).toThrow(/expects logits \[N, 16\] for regMax 3, got \[2, 10\]/);
    logits.dispose();
  });
});

describe('distributionFocalLoss', () => {
  it('hand values', () => {
    // 2 bins, p = [1/4, 3/4]; y = 0.25 → 0.75·ln 4 + 0.25·ln(4/3)
    const pred = tf.tensor2d([[0, Math.log(3)]]);
    expect(scalar(distributionFocalLoss(pred, [0.25]))).toBeCloseTo(0.75 * Math.log(4) + 0.25 * Math.log(4 / 3), 5);
    // integer target puts all weight on one bin: y = 0 → −ln(1/4)
    const zero = tf.tensor1d([0]);
    expect(scalar(distributionFocalLoss(pred, zero))).toBeCloseTo(Math.log(4), 5);
    zero.dispose();
    pred.dispose();
  });

  it('mean (default) / sum / none / avgFactor reductions', () => {
    const pred = tf.zeros([2, 3]) as tf.Tensor2D; // every CE is ln 3
    expect(scalar(distributionFocalLoss(pred, [0.5, 1.2]))).toBeCloseTo(Math.log(3), 5);
    const none = distributionFocalLoss(pred, [0.5, 1.2], { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    none.dispose();
    expect(scalar(distributionFocalLoss(pred, [0.5, 1.2], { avgFactor: 1 }))).toBeCloseTo(2 * Math.log(3), 5);
    expect(scalar(distributionFocalLoss(pred, [0.5, 1.2], { reduction: 'sum' }))).toBeCloseTo(2 * Math.log(3), 5);
    expect(scalar(distributionFocalLoss(pred, [0.5, 1.2], { reduction: 'mean' }))).toBeCloseTo(Math.log(3), 5);
    expect(scalar(distributionFocalLoss(pred, [0.5, 1.2], { reduction: 'mean', avgFactor: 4 }))).toBeCloseTo(Math.log(3) / 2, 5);
    pred.dispose();
  });

  it('gradient matches finite differences', () => {
    expectGradMatchesFd((x) => distributionFocalLoss(x as tf.Tensor2D, [0.3, 2.6], { reduction: 'sum' }), [0.2, -0.5, 1.0, 0.1, 0.7, -1.2, 0.4, 0.9], [2, 4]);
  });

  it('rejects targets outside [0, regMax) and count mismatches', () => {
    const pred = tf.zeros([1, 5]) as tf.Tensor2D;
    expect(() => distributionFocalLoss(pred, [4])).toThrow(/DFL target 4 at row 0 is outside \[0, 4\)/);
    expect(() => distributionFocalLoss(pred, [1, 2])).toThrow(/2 values for 1 predictions/);
    pred.dispose();
  });
});

describe('qualityFocalLoss', () => {
  it('hand values at logit 0 (σ = 1/2)', () => {
    const logits = tf.zeros([3, 1]) as tf.Tensor2D;
    // background: ln2·(1/2)²; positive with score 1/2: modulation 0; positive with score 1: ln2·(1/2)²
    const loss = qualityFocalLoss(logits, [1, 0, 0], [0, 0.5, 1], { reduction: 'none' });
    const v = Array.from(loss.dataSync());
    [0.25 * Math.LN2, 0, 0.25 * Math.LN2].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
    tf.dispose([logits, loss]);
  });

  it('gradient matches finite differences (β = 2 and 1.5)', () => {
    const values = [0.3, -1.1, 2.0, 0.5, -0.2, 0.8];
    for (const beta of [2, 1.5]) {
      expectGradMatchesFd((x) => qualityFocalLoss(x as tf.Tensor2D, [2, 1], [0.6, 0.9], { beta, reduction: 'sum' }), values, [2, 3]);
    }
  });

  it('rejects labels that are neither a class nor background, and bad scores', () => {
    const logits = tf.zeros([1, 3]) as tf.Tensor2D;
    expect(() => qualityFocalLoss(logits, [4], [0.5])).toThrow(/QFL label 4 at row 0 is not a class in \[0, 3\) or the background label 3/);
    expect(() => qualityFocalLoss(logits, [1], [1.5])).toThrow(/QFL score 1.5 at row 0/);
    // a background row's score is ignored, whatever it holds
    const bg = qualityFocalLoss(logits, [3], [-1]);
    expect(bg.dataSync()[0]).toBeCloseTo(3 * 0.25 * Math.LN2, 6);
    bg.dispose();
    logits.dispose();
  });
});

describe('giouLoss', () => {
  it('hand values: identical, overlapping and disjoint boxes', () => {
    const pred = tf.tensor2d([[0, 0, 2, 2], [0, 0, 10, 10], [0, 0, 1, 1]]);
    const target = tf.tensor2d([[0, 0, 2, 2], [5, 5, 15, 15], [2, 0, 3, 1]]);
    const g = alignedGiou(pred, target);
    const v = Array.from(g.dataSync());
    // overlap 25, union 175, enclosure 225 → 1/7 − 50/225; disjoint: 0 − (3 − 2)/3
    [1, 1 / 7 - 50 / 225, -1 / 3].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
    expect(scalar(giouLoss(pred, target))).toBeCloseTo((0 + (1 - (1 / 7 - 50 / 225)) + 4 / 3) / 3, 6);
    tf.dispose([pred, target, g]);
  });

  it('gradient matches finite differences', () => {
    const target = tf.tensor2d([[1, 1, 7, 10], [1.0, 2.0, 6.5, 7.0]]);
    expectGradMatchesFd((x) => giouLoss(x as tf.Tensor2D, target, { reduction: 'sum' }), [2, 3, 8, 9, 1.5, 2.5, 6.0, 7.25], [2, 4]);
    target.dispose();
  });

  it('rejects boxes that are not [N, 4]', () => {
    const a = tf.zeros([2, 5]) as tf.Tensor2D;
    const b = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => giouLoss(a, b)).toThrow(/pred boxes must be \[N, 4\]/);
    tf.dispose([a, b]);
  });
});
