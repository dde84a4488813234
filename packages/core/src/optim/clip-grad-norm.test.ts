import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, withBackend } from '../backend/index.js';
import { clipGradNorm, globalGradNorm } from './clip-grad-norm.js';

// Importing the backend module registers wasm (highest priority): pick cpu explicitly.
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('clipGradNorm (torch.nn.utils.clip_grad_norm_ semantics)', () => {
  it('scales by max/(norm + 1e-6) when the global norm exceeds max', () => {
    // global norm = √(3² + 4² + 12²) = 13
    const grads = { a: tf.tensor1d([3, 4]), b: tf.tensor1d([12]) };
    const r = clipGradNorm(grads, 6.5);
    expect(r.norm).toBeCloseTo(13, 5);
    expect(r.finite).toBe(true);
    const coef = 6.5 / (13 + 1e-6);
    expect(r.clipCoef).toBeCloseTo(coef, 12);
    expect(Array.from(r.grads.a.dataSync())).toEqual(Array.from(Float32Array.from([3 * coef, 4 * coef])));
    expect(r.grads.b.dataSync()[0]).toBeCloseTo(12 * coef, 5);
    // inputs untouched
    expect(Array.from(grads.a.dataSync())).toEqual([3, 4]);
  });

  it('leaves gradients alone below the max (coef clamped to 1)', () => {
    const r = clipGradNorm({ a: tf.tensor1d([0.3, 0.4]) }, 1);
    expect(r.norm).toBeCloseTo(0.5, 6);
    expect(r.clipCoef).toBe(1);
    expect(Array.from(r.grads.a.dataSync())).toEqual(Array.from(Float32Array.from([0.3, 0.4])));
  });

  it('reports a non-finite norm instead of hiding it', () => {
    const nan = clipGradNorm({ a: tf.tensor1d([1, Number.NaN]), b: tf.tensor1d([2]) }, 1);
    expect(nan.finite).toBe(false);
    expect(Number.isNaN(nan.norm)).toBe(true);
    const inf = clipGradNorm({ a: tf.tensor1d([1, Infinity]) }, 1);
    expect(inf.finite).toBe(false);
    expect(inf.norm).toBe(Infinity);
    expect(inf.clipCoef).toBe(1);
  });

  it('huge but finite gradients give a finite norm and are clipped (torch sums squares in double)', () => {
    // ‖[3e20, 4e20]‖ = 5e20, while the float32 Σg² = 2.5e41 overflows.
    const grads = { a: tf.tensor1d([3e20, 4e20]), b: tf.tensor1d([0]) };
    const r = clipGradNorm(grads, 1);
    expect(r.finite).toBe(true);
    expect(r.norm / 5e20).toBeCloseTo(1, 6);
    const clipped = Array.from(r.grads.a.dataSync());
    expect(clipped[0]).toBeCloseTo(0.6, 5);
    expect(clipped[1]).toBeCloseTo(0.8, 5);
    // a real Inf is still reported
    expect(clipGradNorm({ a: tf.tensor1d([3e20, Infinity]) }, 1).finite).toBe(false);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: an empty gradient counts as norm 0 (wasm reductions over 0 elements read garbage)`, async () => {
      await withBackend(backend, () => {
        const empty = tf.zeros([0, 4]);
        const g = tf.tensor1d([3, 4]);
        for (let i = 0; i < 5; i++) expect(globalGradNorm({ empty, g })).toBeCloseTo(5, 5);
        expect(globalGradNorm({ empty })).toBe(0);
        tf.dispose([empty, g]);
      });
    });
  }
});
