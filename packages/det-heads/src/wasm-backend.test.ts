// The wasm backend is the project's CPU default: the GFL pieces must run there forward and
// backward (no comparison-op gradients, no gather gradient) and agree with the torch fixture.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { distributionFocalLoss } from './distribution-focal-loss.js';
import { giouLoss } from './giou-loss.js';
import { integralDistribution } from './integral.js';
import { qualityFocalLoss } from './quality-focal-loss.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fx = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/gfl_cases.json'), 'utf8'));

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
});

function expectMatches(f: (x: tf.Tensor2D) => tf.Tensor, input: tf.Tensor2D, want: { expected: number[]; gradSum: number[] }): void {
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.sum(f(x as tf.Tensor2D)))(input);
  const expectedSum = want.expected.reduce((a, b) => a + b, 0);
  expect(Math.abs(value.dataSync()[0] - expectedSum)).toBeLessThan(1e-4);
  const g = grad.dataSync();
  want.gradSum.forEach((v, i) => expect(Math.abs(g[i] - v)).toBeLessThan(1e-5));
  tf.dispose([value, grad, input]);
}

describe('GFL pieces on the wasm backend', () => {
  it('integral, DFL, QFL and GIoU: values and gradients match torch', () => {
    expect(tf.getBackend()).toBe('wasm');
    const i = fx.integral;
    expectMatches((x) => integralDistribution(x, i.regMax), tf.tensor2d(i.logits, [i.N, 4 * (i.regMax + 1)]), i);
    const d = fx.dfl;
    expectMatches((x) => distributionFocalLoss(x, d.target, { reduction: 'none' }), tf.tensor2d(d.pred, [d.target.length, d.regMax + 1]), d);
    const q = fx.qfl;
    expectMatches((x) => qualityFocalLoss(x, q.labels, q.scores, { reduction: 'none' }), tf.tensor2d(q.pred, [q.labels.length, q.K]), q.beta2);
    const g = fx.giou;
    const target = tf.tensor2d(g.target, [g.target.length / 4, 4]);
    expectMatches((x) => giouLoss(x, target, { reduction: 'none' }), tf.tensor2d(g.pred, [g.target.length / 4, 4]), g);
    target.dispose();
  });
});
