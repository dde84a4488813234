import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs';
import { initBackend, tf, withBackend } from '../backend/index.js';
import { batchNorm } from './index.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});
afterAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function values(shape: number[], seed: number): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, next);
}

describe('batchNorm', () => {
  it('equals tf.batchNorm in the forward pass (rank 4, with scale and offset)', async () => {
    const r = tf.tidy(() => {
      const x = tf.tensor(values([2, 3, 3, 4], 1), [2, 3, 3, 4]);
      const args = [tf.tensor1d(values([4], 2)), tf.tensor1d(values([4], 3)).abs(), tf.tensor1d(values([4], 4)), tf.tensor1d(values([4], 5))] as const;
      return { ours: Array.from(batchNorm(x, ...args, 1e-3).dataSync()), theirs: Array.from(tf.batchNorm(x, ...args, 1e-3).dataSync()) };
    });
    r.ours.forEach((v, i) => expect(v).toBeCloseTo(r.theirs[i], 5));
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    for (const [label, shape, withAffine] of [
      ['rank 2, no scale/offset', [5, 3], false],
      ['rank 2, scale and offset', [5, 3], true],
      ['rank 4, no scale/offset', [2, 2, 2, 3], false],
    ] as const) {
      it(`${backend}, ${label}: gradients match finite differences`, async () => {
        await withBackend(backend, () => {
          const x0 = values([...shape], 11);
          const stats = { mean: tf.tensor1d(values([3], 12)), variance: tf.tensor1d(values([3], 13)).abs().add(0.5) };
          const affine = withAffine ? { offset: tf.tensor1d(values([3], 14)), scale: tf.tensor1d(values([3], 15)) } : {};
          const w = tf.tensor(values([...shape], 16), [...shape]);
          const f = (x: Tensor, m: Tensor, v: Tensor) => batchNorm(x, m, v, affine.offset, affine.scale).mul(w).sum();
          const grads = tf.grads(f)([tf.tensor(x0, [...shape]), stats.mean, stats.variance]).map((g) => Array.from(g.dataSync()));
          // finite differences w.r.t. x, mean and variance
          const eps = 1e-2;
          const inputs = [x0, stats.mean.dataSync() as Float32Array, stats.variance.dataSync() as Float32Array];
          const shapes = [[...shape], [3], [3]];
          inputs.forEach((base, which) => {
            base.forEach((_, i) => {
              const at = (delta: number) =>
                tf.tidy(() => {
                  const args = inputs.map((arr, j) => {
                    const copy = Float32Array.from(arr);
                    if (j === which) copy[i] += delta;
                    return tf.tensor(copy, shapes[j]);
                  });
                  return f(args[0], args[1], args[2]).dataSync()[0];
                });
              const numeric = (at(eps) - at(-eps)) / (2 * eps);
              expect(Math.abs(grads[which][i] - numeric)).toBeLessThan(5e-3 * (1 + Math.abs(numeric)));
            });
          });
        });
      });
    }
  }
});
