import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { patchify } from './patchify.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('patchify', () => {
  it('orders patches row-major and each patch as (c, ky, kx) — hand case', () => {
    // B=1, C=2, H=2, W=4, p=2: value = c*100 + y*10 + x
    const vals: number[] = [];
    for (let c = 0; c < 2; c++) for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) vals.push(c * 100 + y * 10 + x);
    const images = tf.tensor4d(vals, [1, 2, 2, 4]);
    const before = tf.memory().numTensors;
    const out = patchify(images, 2);
    expect(out.shape).toEqual([1, 2, 8]);
    expect(Array.from(out.dataSync())).toEqual([0, 1, 10, 11, 100, 101, 110, 111, 2, 3, 12, 13, 102, 103, 112, 113]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  it('patchify · Wᵀ equals a stride-p conv whose weight is PyTorch [D, C, p, p]', () => {
    const [b, c, h, w, p, d] = [2, 3, 6, 4, 2, 5];
    const images = tf.randomNormal([b, c, h, w], 0, 1, 'float32', 7) as tf.Tensor4D;
    const weight = tf.randomNormal([d, c, p, p], 0, 1, 'float32', 8) as tf.Tensor4D; // PyTorch Conv2d layout
    const before = tf.memory().numTensors;
    const viaPatchify = tf.tidy(() => tf.matMul(patchify(images, p), tf.reshape(weight, [d, c * p * p]).expandDims(0).tile([b, 1, 1]), false, true));
    const viaConv = tf.tidy(() => {
      const nhwc = tf.transpose(images, [0, 2, 3, 1]); // [B, H, W, C]
      const filter = tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D; // [p, p, C, D]
      const y = tf.conv2d(nhwc as tf.Tensor4D, filter, p, 'valid'); // [B, H/p, W/p, D]
      return tf.reshape(y, [b, (h / p) * (w / p), d]);
    });
    expect(viaPatchify.shape).toEqual([b, 6, d]);
    const a = viaPatchify.dataSync();
    const e = viaConv.dataSync();
    for (let i = 0; i < e.length; i++) expect(a[i]).toBeCloseTo(e[i], 4);
    tf.dispose([viaPatchify, viaConv]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, weight]);
  });

  it('has a gradient (it is only reshape/transpose: the gradient is the inverse permutation)', () => {
    const images = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4]);
    const weights = tf.tensor3d(Array.from({ length: 16 }, (_, i) => i * 0.5), [1, 4, 4]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(patchify(x as tf.Tensor4D, 2), weights)))(images);
    // Pixel (y, x) lands in patch (y>>1)*2 + (x>>1), slot (y&1)*2 + (x&1).
    const expected: number[] = [];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expected.push((((y >> 1) * 2 + (x >> 1)) * 4 + (y & 1) * 2 + (x & 1)) * 0.5);
    expect(Array.from(g.dataSync())).toEqual(expected);
    tf.dispose([images, weights, g]);
  });

  it('rejects image sizes that the patch does not divide, and bad patch sizes', () => {
    const images = tf.zeros([1, 3, 6, 5]) as tf.Tensor4D;
    expect(() => patchify(images, 2)).toThrow(/6×5 is not divisible by the patch size 2/);
    expect(() => patchify(images, 0)).toThrow(/positive integer/);
    images.dispose();
  });
});
