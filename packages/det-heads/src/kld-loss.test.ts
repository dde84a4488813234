import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { assertGradCheck, initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { kldDistance, kldLoss } from './kld-loss.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/heads_cases.json'), 'utf8'));

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('kldLoss', () => {
  it("matches mmrotate's GDLoss('kld') (torch fixture): values and gradients", () => {
    const k = fx.kld;
    const n = k.loss.length;
    const target = tf.tensor2d(k.target, [n, 5]);
    const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => tf.sum(kldLoss(p as tf.Tensor2D, target, { reduction: 'none' })))(tf.tensor2d(k.pred, [n, 5]));
    const per = kldLoss(tf.tensor2d(k.pred, [n, 5]), target, { reduction: 'none' }).dataSync();
    (k.loss as number[]).forEach((v, i) => expect(per[i]).toBeCloseTo(v, 5));
    expect(value.dataSync()[0]).toBeCloseTo((k.loss as number[]).reduce((a, b) => a + b, 0), 5);
    const g = grad.dataSync();
    (k.gradSum as number[]).forEach((v, i) => expect(Math.abs(g[i] - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
    tf.dispose([target, value, grad]);
  });

  it('is periodic in θ (period π) and invariant to the w/h exchange with θ ± π/2', () => {
    const target = tf.tensor2d([[10, 12, 20, 8, 0.3]]);
    const base = kldLoss(tf.tensor2d([[11, 11, 18, 9, 0.2]]), target).dataSync()[0];
    const turned = kldLoss(tf.tensor2d([[11, 11, 18, 9, 0.2 + Math.PI]]), target).dataSync()[0];
    const swapped = kldLoss(tf.tensor2d([[11, 11, 9, 18, 0.2 - Math.PI / 2]]), target).dataSync()[0];
    expect(turned).toBeCloseTo(base, 5);
    expect(swapped).toBeCloseTo(base, 5);
    // Across the le90 wrap: θ = −π/2 + 0.01 vs π/2 − 0.01 differ by 0.02 rad, not ≈ π.
    const a = kldDistance(tf.tensor2d([[0, 0, 10, 2, -Math.PI / 2 + 0.01]]), tf.tensor2d([[0, 0, 10, 2, Math.PI / 2 - 0.01]])).dataSync()[0];
    const b = kldDistance(tf.tensor2d([[0, 0, 10, 2, 0.01]]), tf.tensor2d([[0, 0, 10, 2, -0.01]])).dataSync()[0];
    expect(a).toBeCloseTo(b, 4);
    target.dispose();
  });

  it('hand value: same shape, centre shifted by d along w gives ½·d²/(w²/4) = 2d²/w²', () => {
    const d = kldDistance(tf.tensor2d([[3, 0, 10, 4, 0]]), tf.tensor2d([[0, 0, 10, 4, 0]])).dataSync()[0];
    expect(d).toBeCloseTo((2 * 9) / 100, 6);
    // Σ_p = Σ_t → trace term 1, log-det 0 → d = 0 → loss 1 − 1/(1 + log1p(√1e-7))
    const same = kldLoss(tf.tensor2d([[1, 2, 5, 3, 0.4]]), tf.tensor2d([[1, 2, 5, 3, 0.4]])).dataSync()[0];
    expect(same).toBeCloseTo(1 - 1 / (1 + Math.log1p(Math.sqrt(1e-7))), 6);
  });

  it('gradient matches finite differences', () => {
    const target = tf.tensor2d([[10, 12, 20, 8, 0.3], [0, 0, 6, 3, -1.2]]);
    const pred = tf.tensor2d([[11, 11.5, 18, 9, 0.45], [0.4, -0.2, 5, 3.5, 1.4]]);
    assertGradCheck((p) => kldLoss(p as tf.Tensor2D, target, { reduction: 'none' }), [pred], { eps: 1e-2, rtol: 2e-2, atol: 1e-3 });
    tf.dispose([target, pred]);
  });

  it('rejects boxes that are not [N, 5] and τ < 1', () => {
    const a = tf.zeros([2, 4]) as tf.Tensor2D;
    const b = tf.zeros([2, 5]) as tf.Tensor2D;
    expect(() => kldLoss(a, b)).toThrow(/KLD pred boxes must be \[N, 5\]/);
    expect(() => kldLoss(b, b, { tau: 0.5 })).toThrow(/tau must be >= 1/);
    tf.dispose([a, b]);
  });
});
