// The wasm backend is the project's CPU default (it lacks Conv2DBackpropFilter, which is why
// patch embedding is patchify + matMul): check patchify runs there forward and backward.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { patchify } from './patchify.js';

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
});

describe('patchify on the wasm backend', () => {
  it('gives the hand-checked order and a permutation gradient', () => {
    expect(tf.getBackend()).toBe('wasm');
    const vals: number[] = [];
    for (let c = 0; c < 2; c++) for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) vals.push(c * 100 + y * 10 + x);
    const images = tf.tensor4d(vals, [1, 2, 2, 4]);
    const out = patchify(images, 2);
    expect(Array.from(out.dataSync())).toEqual([0, 1, 10, 11, 100, 101, 110, 111, 2, 3, 12, 13, 102, 103, 112, 113]);
    // Σ patchify(x)·patchify(images): the gradient w.r.t. x is `images` itself.
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(patchify(x as tf.Tensor4D, 2), out)))(images);
    expect(Array.from(g.dataSync())).toEqual(vals);
    tf.dispose([images, out, g]);
  });
});

describe('ViT on the wasm backend', () => {
  it('trains: a few SGD steps lower a regression loss, every parameter gets a gradient, no leaks', async () => {
    const { ViT } = await import('./vit.js');
    expect(tf.getBackend()).toBe('wasm');
    const vit = new ViT(
      { embedDim: 16, depth: 2, numHeads: 2, mlpHiddenDim: 32, patchSize: 4, imgSize: 16, inChannels: 3, qkvBias: true, numPrefixTokens: 1, layerNormEps: 1e-6, layerScaleInit: 0.1, dropPathRate: 0.1 },
      { seed: 1 },
    );
    const images = tf.randomNormal([2, 3, 16, 24], 0, 1, 'float32', 2) as tf.Tensor4D;
    const target = tf.randomNormal([2, 24, 16], 0, 1, 'float32', 3);
    const params = vit.namedParameters().filter(([k]) => !k.startsWith('norm.'));
    const losses: number[] = [];
    let baseline = 0;
    for (let step = 0; step < 8; step++) {
      if (step === 1) baseline = tf.memory().numTensors;
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const { taps } = vit.forwardTaps(images, [0, 1]);
          return tf.add(tf.losses.meanSquaredError(target, taps[1]), tf.mul(0.1, tf.mean(tf.square(taps[0])))) as tf.Scalar;
        }, params.map(([, v]) => v));
        losses.push(value.dataSync()[0]);
        for (const [name, v] of params) {
          const g = grads[v.name];
          expect(g, name).toBeDefined();
          v.assign(tf.sub(v, tf.mul(0.05, g)));
        }
      });
      if (step >= 1) expect(tf.memory().numTensors).toBe(baseline);
    }
    expect(losses[7]).toBeLessThan(losses[0] * 0.9);
    tf.dispose([images, target]);
    vit.dispose();
  });
});
