import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { assertGradCheck, initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bceWithLogits, sigmoidFocalLoss } from './sigmoid-focal-loss.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/heads_cases.json'), 'utf8'));

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('sigmoidFocalLoss', () => {
  it("matches mmdet's py_sigmoid_focal_loss (torch fixture)", () => {
    const f = fx.focal;
    const n = f.labels.length;
    const x = tf.tensor2d(f.logits, [n, f.logits.length / n]);
    const loss = sigmoidFocalLoss(x, f.labels, { reduction: 'none' }).dataSync();
    (f.loss as number[]).forEach((v, i) => expect(loss[i]).toBeCloseTo(v, 5));
    const g = tf.grad((t: tf.Tensor) => sigmoidFocalLoss(t as tf.Tensor2D, f.labels, { reduction: 'sum' }))(x).dataSync();
    (f.gradSum as number[]).forEach((v, i) => expect(Math.abs(g[i] - v)).toBeLessThan(1e-5));
    x.dispose();
  });

  it('hand values at logit 0: background α-weighted, foreground (1 − α)-weighted, both ·ln2·¼', () => {
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    const v = sigmoidFocalLoss(x, [0, 2], { reduction: 'none' }).dataSync();
    // row 0: class 0 positive (α = .25), class 1 negative (.75); row 1: both negative
    expect(v[0]).toBeCloseTo(Math.LN2 * 0.25 * (0.25 + 0.75), 6);
    expect(v[1]).toBeCloseTo(Math.LN2 * 0.25 * 1.5, 6);
    x.dispose();
  });

  it('gradients match finite differences (γ = 2 and γ = 1.5), BCE too', () => {
    const x = tf.tensor2d([0.3, -1.2, 2.1, 0.5, -0.4, 1.0], [2, 3]);
    assertGradCheck((t) => sigmoidFocalLoss(t as tf.Tensor2D, [1, 3], { reduction: 'none' }), [x]);
    assertGradCheck((t) => sigmoidFocalLoss(t as tf.Tensor2D, [0, 2], { gamma: 1.5, reduction: 'none' }), [x]);
    const target = tf.tensor2d([0.2, 0.9, 0, 1, 0.5, 0.7], [2, 3]);
    assertGradCheck((t) => bceWithLogits(t, target, { reduction: 'none' }), [x]);
    tf.dispose([x, target]);
  });

  it('rejects labels outside [0, K] and bad γ/α', () => {
    const x = tf.zeros([1, 3]) as tf.Tensor2D;
    expect(() => sigmoidFocalLoss(x, [4])).toThrow(/label 4 at row 0 is not a class in \[0, 3\) or the background label 3/);
    expect(() => sigmoidFocalLoss(x, [0], { alpha: 2 })).toThrow(/alpha in \[0, 1\]/);
    expect(() => sigmoidFocalLoss(x, [0, 1])).toThrow(/2 labels for 1 rows/);
    x.dispose();
  });
});
