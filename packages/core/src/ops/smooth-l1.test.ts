import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs';
import { initBackend, tf, withBackend } from '../backend/index.js';
import { smoothL1 } from './index.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});
afterAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

// torch.nn.functional.smooth_l1_loss(d, 0, reduction='none', beta=β), by hand:
// 0.5·d²/β where |d| < β, else |d| − 0.5·β.
const D = [-3, -1, -0.5, 0, 0.2, 0.999, 2];
function expected(beta: number): number[] {
  return D.map((d) => (Math.abs(d) < beta ? (0.5 * d * d) / beta : Math.abs(d) - 0.5 * beta));
}
function expectedGrad(beta: number): number[] {
  return D.map((d) => (Math.abs(d) < beta ? d / beta : Math.sign(d)));
}

describe('smoothL1', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const beta of [1, 0.5, 1 / 9]) {
      it(`${backend}, β=${beta.toFixed(3)}: values and gradient match the two-branch definition`, async () => {
        const r = await withBackend(backend, () =>
          tf.tidy(() => {
            const d = tf.tensor1d(D);
            const y = Array.from(smoothL1(d, beta).dataSync());
            const g = Array.from(tf.grad((v: Tensor) => smoothL1(v, beta).sum())(d).dataSync());
            return { y, g };
          }),
        );
        r.y.forEach((v, i) => expect(v).toBeCloseTo(expected(beta)[i], 5));
        r.g.forEach((v, i) => expect(v).toBeCloseTo(expectedGrad(beta)[i], 5));
      });
    }
  }

  it('β = 0 is plain L1', () => {
    const y = tf.tidy(() => Array.from(smoothL1(tf.tensor1d([-2, 0.5]), 0).dataSync()));
    expect(y).toEqual([2, 0.5]);
  });
});
