// The fused ops (hand-written gradients) against the unfused tfjs composition they replace:
// forward bit-identical, gradients to 1e-5, and finite differences (gradCheck).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs';
import { initBackend, tf } from '../backend/index.js';
import { assertGradCheck } from '../testing/grad-check.js';
import { geluErf } from './gelu-erf.js';
import { layerNorm } from './layer-norm.js';
import { linear2d, sumColumns } from './linear-2d.js';
import { matMulPlain2d } from './mat-mul.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function rand(shape: number[], seed: number, scale = 1, offset = 0): Tensor {
  const next = lcg(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => next() * scale + offset), shape);
}

function unfusedLayerNorm(x: Tensor, w: Tensor | undefined, b: Tensor | undefined, eps: number): Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  let y = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
  if (w) y = tf.mul(y, w);
  if (b) y = tf.add(y, b);
  return y;
}
const unfusedGelu = (x: Tensor) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** Value and input gradients of sum(r ⊙ f(...xs)) with a fixed random r. */
function gradsOf(f: (...xs: Tensor[]) => Tensor, xs: Tensor[]): { y: Tensor; grads: Tensor[] } {
  const y = f(...xs);
  const r = rand(y.shape, 99);
  const grads = tf.grads((...ins: Tensor[]) => tf.sum(tf.mul(f(...ins), r)))(xs);
  return { y, grads };
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fused ops on ${backend}`, () => {
    let before = 0;
    beforeAll(async () => {
      await initBackend({ prefer: backend });
      before = tf.memory().numTensors;
    });
    afterAll(() => {
      expect(tf.memory().numTensors).toBe(before);
    });

    it('layerNorm (weight + bias) equals the unfused form, forward bit for bit, gradients to 1e-5', () => {
      tf.tidy(() => {
        const x = rand([2, 5, 24], 1, 2, 0.5);
        const w = rand([24], 2, 1, 1);
        const b = rand([24], 3);
        const fused = gradsOf((a, c, d) => layerNorm(a, c, d, 1e-6), [x, w, b]);
        const ref = gradsOf((a, c, d) => unfusedLayerNorm(a, c, d, 1e-6), [x, w, b]);
        expect(maxAbsDiff(fused.y, ref.y)).toBe(0);
        fused.grads.forEach((g, i) => expect(maxAbsDiff(g, ref.grads[i]), `grad ${i}`).toBeLessThan(1e-5));
      });
    });

    it('layerNorm without affine and with weight only matches too', () => {
      tf.tidy(() => {
        const x = rand([3, 16], 4, 3);
        const w = rand([16], 5, 1, 1);
        const plain = gradsOf((a) => layerNorm(a), [x]);
        const plainRef = gradsOf((a) => unfusedLayerNorm(a, undefined, undefined, 1e-5), [x]);
        expect(maxAbsDiff(plain.y, plainRef.y)).toBe(0);
        expect(maxAbsDiff(plain.grads[0], plainRef.grads[0])).toBeLessThan(1e-5);
        const wOnly = gradsOf((a, c) => layerNorm(a, c), [x, w]);
        const wRef = gradsOf((a, c) => unfusedLayerNorm(a, c, undefined, 1e-5), [x, w]);
        wOnly.grads.forEach((g, i) => expect(maxAbsDiff(g, wRef.grads[i])).toBeLessThan(1e-5));
      });
    });

    it('layerNorm gradients agree with finite differences', () => {
      const x = rand([2, 3, 8], 6, 1.5);
      const w = rand([8], 7, 0.5, 1);
      const b = rand([8], 8);
      assertGradCheck((a, c, d) => layerNorm(a, c, d, 1e-5), [x, w, b]);
      assertGradCheck((a) => layerNorm(a), [x]);
      tf.dispose([x, w, b]);
    });

    it('layerNorm rejects a weight of the wrong size, naming it', () => {
      tf.tidy(() => {
        expect(() => layerNorm(tf.zeros([2, 4]), tf.ones([3]), tf.zeros([4]))).toThrow(/weight must be \[4\] for input \[2,4\], got \[3\]/);
      });
    });

    it('geluErf equals the unfused erf GELU (forward bit for bit, gradient to 1e-5) and finite differences', () => {
      tf.tidy(() => {
        const x = rand([4, 7, 9], 9, 4); // spans the curved part around 0 and both tails
        const fused = gradsOf((a) => geluErf(a), [x]);
        const ref = gradsOf(unfusedGelu, [x]);
        expect(maxAbsDiff(fused.y, ref.y)).toBe(0);
        expect(maxAbsDiff(fused.grads[0], ref.grads[0])).toBeLessThan(1e-5);
      });
      const x = rand([3, 5], 10, 3);
      assertGradCheck((a) => geluErf(a), [x]);
      x.dispose();
    });

    it('hand-checked GELU derivative values: gelu′(0) = 0.5, gelu′(1) = Φ(1) + φ(1)', () => {
      tf.tidy(() => {
        const g = tf.grad((a: Tensor) => geluErf(a).sum())(tf.tensor1d([0, 1, -1]));
        const d = g.dataSync();
        expect(d[0]).toBeCloseTo(0.5, 6);
        expect(d[1]).toBeCloseTo(0.8413447460685429 + 0.24197072451914337, 6);
        expect(d[2]).toBeCloseTo(0.15865525393145707 - 0.24197072451914337, 6);
      });
    });
  });
}

describe('linear2d (plain-2-D products, column sums as products) against core matMul + add', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`${backend}: forward bit for bit, gradients to 1e-5, finite differences`, async () => {
      await initBackend({ prefer: backend });
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = rand([7, 12], 11, 2);
        const w = rand([5, 12], 12);
        const b = rand([5], 13);
        const fused = gradsOf((a, c, d) => linear2d(a, c, d), [x, w, b]);
        const ref = gradsOf((a, c, d) => tf.add(matMulPlain2d(a, c, false, true), d), [x, w, b]);
        expect(maxAbsDiff(fused.y, ref.y)).toBe(0);
        fused.grads.forEach((g, i) => expect(maxAbsDiff(g, ref.grads[i]), `grad ${i}`).toBeLessThan(1e-5));
        const noBias = gradsOf((a, c) => linear2d(a, c), [x, w]);
        const noBiasRef = gradsOf((a, c) => matMulPlain2d(a, c, false, true), [x, w]);
        noBias.grads.forEach((g, i) => expect(maxAbsDiff(g, noBiasRef.grads[i])).toBeLessThan(1e-5));
        expect(Array.from(sumColumns(tf.tensor2d([[1, 2], [3, 4], [5, 6]])).dataSync())).toEqual([9, 12]);
      });
      const x = rand([4, 6], 14);
      const w = rand([3, 6], 15);
      const b = rand([3], 16);
      assertGradCheck((a, c, d) => linear2d(a, c, d), [x, w, b]);
      tf.dispose([x, w, b]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
