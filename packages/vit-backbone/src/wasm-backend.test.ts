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
