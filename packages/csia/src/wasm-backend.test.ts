// The wasm backend is the CPU default of the project; check the CSIA pieces run there (forward
// and backward) and agree with the torch fixture, without relying on kernels wasm lacks.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLossMask } from './loss-mask.js';
import { pixelShuffle } from './pixel-shuffle.js';
import { responseOnlyCrossEntropy } from './response-only-loss.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/csia_cases.json'), 'utf8'));

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
});

describe('CSIA on the wasm backend', () => {
  it('response-only loss: value and gradient of 2.5·loss match torch (no gather gradient needed)', () => {
    const c = fixture.responseLoss;
    const logits = tf.tensor3d(c.logits, [c.B, c.T, c.V]);
    const targets = tf.tensor2d(c.targets, [c.B, c.T], 'int32');
    const mask = buildLossMask(c.promptLengths, c.totalLengths, c.T);
    const before = tf.memory().numTensors;
    const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => tf.mul(responseOnlyCrossEntropy(z as tf.Tensor3D, targets, mask), 2.5))(logits);
    expect(tf.getBackend()).toBe('wasm');
    expect(Math.abs(value.dataSync()[0] - 2.5 * c.loss)).toBeLessThan(1e-5);
    const g = grad.dataSync();
    (c.gradLogits as number[]).forEach((v, i) => expect(Math.abs(g[i] - 2.5 * v)).toBeLessThan(1e-5));
    tf.dispose([value, grad]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets, mask]);
  });

  it('pixelShuffle forward and backward', () => {
    const c = fixture.pixelShuffle[1];
    const x = tf.tensor3d(c.input, c.shape);
    const y = pixelShuffle(x, c.gridH, c.gridW, c.scale);
    expect(Array.from(y.dataSync())).toEqual(c.expected);
    // Σ y·w with w = y's own values: the gradient w.r.t. x is x itself (a permutation).
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pixelShuffle(t as tf.Tensor3D, c.gridH, c.gridW), y)))(x);
    expect(Array.from(g.dataSync())).toEqual(c.input);
    tf.dispose([x, y, g]);
  });
});
