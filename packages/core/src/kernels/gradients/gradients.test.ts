import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs';
import { initBackend, tf, withBackend } from '../../backend/index.js';
import { ADDED_GRADIENTS, FIXED_GRADIENTS } from '../index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function values(shape: number[], seed: number): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, next);
}

/** Central finite differences of a scalar function of x (values read back to JS). */
function finiteDifference(f: (x: Tensor) => Tensor, x0: Float32Array, shape: number[], eps = 1e-2): number[] {
  const at = (v: Float32Array) => tf.tidy(() => f(tf.tensor(v, shape)).dataSync()[0]);
  return Array.from(x0, (_, i) => {
    const plus = x0.slice();
    const minus = x0.slice();
    plus[i] += eps;
    minus[i] -= eps;
    return (at(plus) - at(minus)) / (2 * eps);
  });
}

/** Analytic gradient (tf.grad) and finite differences of sum(w ⊙ op(x)). */
function gradVsFd(op: (x: Tensor) => Tensor, shape: number[], seed: number): { analytic: number[]; numeric: number[] } {
  const x0 = values(shape, seed);
  const yShape = tf.tidy(() => op(tf.tensor(x0, shape)).shape);
  const w = tf.tensor(values(yShape, seed + 1), yShape);
  const f = (x: Tensor) => op(x).mul(w).sum();
  const analytic = tf.tidy(() => Array.from(tf.grad(f)(tf.tensor(x0, shape)).dataSync()));
  const numeric = finiteDifference(f, x0, shape);
  w.dispose();
  return { analytic, numeric };
}

function expectClose(actual: number[], expected: number[], tol = 2e-3): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(0, ...actual.map((v, i) => Math.abs(v - expected[i]) / (1 + Math.abs(expected[i]))));
  expect(worst).toBeLessThan(tol);
}

afterAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const BACKENDS = ['cpu', 'wasm'] as const;

describe('GatherNd gradient (tfjs has none)', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: matches finite differences, summing repeated indices`, async () => {
      const r = await withBackend(backend, () =>
        gradVsFd((x) => tf.gatherND(x, tf.tensor2d([[0, 1], [2, 0], [0, 1], [1, 2]], [4, 2], 'int32')), [3, 3, 2], 31),
      );
      expectClose(r.analytic, r.numeric);
      // element [0,1,*] is gathered twice: its gradient is the sum of both weights
      expect(r.analytic.some((v) => v === 0)).toBe(true); // ungathered elements get exactly 0
    });
    it(`${backend}: gathering whole rows (partial index depth)`, async () => {
      const r = await withBackend(backend, () => gradVsFd((x) => tf.gatherND(x, tf.tensor2d([[2], [0], [2]], [3, 1], 'int32')), [4, 3], 32));
      expectClose(r.analytic, r.numeric);
    });
  }
});

describe('StridedSlice gradient (tfjs has none)', () => {
  const cases: Array<[string, (x: Tensor) => Tensor, number[]]> = [
    ['unit stride', (x) => tf.stridedSlice(x, [1, 0], [3, 4], [1, 1]), [4, 5]],
    ['stride 2 both axes', (x) => tf.stridedSlice(x, [0, 1], [4, 5], [2, 2]), [4, 5]],
    ['negative stride (reverse)', (x) => tf.stridedSlice(x, [3, 4], [0, 0], [-1, -2]), [4, 5]],
    ['begin/end masks', (x) => tf.stridedSlice(x, [1, 0], [0, 3], [1, 1], 2, 1), [4, 5]],
    ['shrink axis (x[2])', (x) => tf.stridedSlice(x, [2, 0], [3, 5], [1, 1], 0, 0, 0, 0, 1), [4, 5]],
    ['new axis', (x) => tf.stridedSlice(x, [0, 1, 0], [1, 3, 5], [1, 1, 1], 0, 0, 0, 1), [4, 5]],
    ['3-D, stride 3 on the middle axis', (x) => tf.stridedSlice(x, [0, 0, 1], [2, 7, 3], [1, 3, 1]), [2, 7, 3]],
  ];
  for (const backend of BACKENDS) {
    for (const [name, op, shape] of cases) {
      it(`${backend}: ${name} matches finite differences`, async () => {
        const r = await withBackend(backend, () => gradVsFd(op, shape, 41));
        expectClose(r.analytic, r.numeric);
      });
    }
  }
});

describe('CropAndResize image gradient (tfjs has none)', () => {
  // Boxes as [y1, x1, y2, x2] in normalised coords: inside, partly outside (extrapolated), flipped.
  // Irregular values keep 'nearest' samples off exact .5 ties, where float32 (wasm) and float64
  // (cpu) position arithmetic may round to different pixels.
  const boxes = [[0.11, 0.23, 0.83, 0.91], [-0.17, 0.52, 0.61, 1.31], [0.93, 0.71, 0.29, 0.13]];
  const cases: Array<[string, number[], 'bilinear' | 'nearest']> = [
    ['bilinear 3×4 crops', [3, 4], 'bilinear'],
    ['nearest 3×3 crops', [3, 3], 'nearest'],
    ['bilinear 1×1 crop (box centre)', [1, 1], 'bilinear'],
  ];
  for (const backend of BACKENDS) {
    for (const [name, size, method] of cases) {
      it(`${backend}: ${name} match finite differences`, async () => {
        const r = await withBackend(backend, () => {
          const b = tf.tensor2d(boxes);
          const ind = tf.tensor1d([0, 1, 1], 'int32');
          const out = gradVsFd((x) => tf.image.cropAndResize(x as tf.Tensor4D, b, ind, size as [number, number], method, 0.5), [2, 5, 6, 2], 51);
          tf.dispose([b, ind]);
          return out;
        });
        expectClose(r.analytic, r.numeric);
      });
    }
  }

  it('gives box coordinates a zero gradient (proposals are constants)', async () => {
    const g = await withBackend('cpu', () =>
      tf.tidy(() => {
        const image = tf.tensor(values([1, 4, 4, 1], 52), [1, 4, 4, 1]) as tf.Tensor4D;
        const ind = tf.tensor1d([0], 'int32');
        return Array.from(tf.grad((bx: Tensor) => tf.image.cropAndResize(image, bx as tf.Tensor2D, ind, [2, 2]).sum())(tf.tensor2d([[0, 0, 1, 1]])).dataSync());
      }),
    );
    expect(g).toEqual([0, 0, 0, 0]);
  });
});

describe('Cumsum gradient (tfjs 4.22 transposes it for non-last axes)', () => {
  const cases: Array<[string, number, boolean, boolean]> = [
    ['axis 1 of 3', 1, false, false],
    ['axis 0, exclusive', 0, true, false],
    ['axis 1, reverse', 1, false, true],
    ['last axis, exclusive + reverse', 2, true, true],
  ];
  for (const backend of BACKENDS) {
    for (const [name, axis, exclusive, reverse] of cases) {
      it(`${backend}: ${name} matches finite differences`, async () => {
        const r = await withBackend(backend, () => gradVsFd((x) => tf.cumsum(x, axis, exclusive, reverse), [2, 4, 3], 61));
        expectClose(r.analytic, r.numeric);
      });
    }
  }
});

describe('comparison ops have zero gradients, so where(less(…)) differentiates', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: where(|d| < 1, 0.5·d², |d| − 0.5) has gradient clip(d, −1, 1)`, async () => {
      const g = await withBackend(backend, () =>
        tf.tidy(() => {
          const d = tf.tensor1d([-3, -0.5, 0.2, 2]);
          const loss = (v: Tensor) => tf.where(tf.less(tf.abs(v), 1), v.square().mul(0.5), tf.abs(v).sub(0.5)).sum();
          return Array.from(tf.grad(loss)(d).dataSync());
        }),
      );
      expectClose(g, [-1, -0.5, 0.2, 1], 1e-6);
    });
  }

  it('only adds gradients tfjs lacks', () => {
    expect(ADDED_GRADIENTS).toEqual(expect.arrayContaining(['GatherNd', 'StridedSlice', 'Less', 'Greater', 'Equal']));
    expect(ADDED_GRADIENTS).not.toContain('Select');
    expect(FIXED_GRADIENTS).toEqual(['Cumsum']);
  });
});
