import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { assertGradCheck, gradCheck, gradCheckVariables } from './grad-check.js';

describe('gradCheck', () => {
  it('accepts a correct gradient (x³ + sin(x)·y)', () => {
    const x = tf.tensor1d([0.3, -1.2, 2]);
    const y = tf.tensor1d([1.5, 0.5, -0.7]);
    const r = gradCheck((a, b) => tf.add(tf.pow(a, 3), tf.mul(tf.sin(a), b)), [x, y]);
    expect(r.ok).toBe(true);
    expect(r.checked).toBe(6);
    expect(r.maxAbsError).toBeLessThan(1e-3);
  });

  it('catches a wrong custom gradient and says where', () => {
    // value x², but the gradient claims 3x (true: 2x).
    const wrong = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const x = args[0] as tf.Tensor;
      return { value: tf.square(x), gradFunc: (dy: tf.Tensor) => tf.mul(dy, tf.mul(3, x)) };
    });
    const x = tf.tensor1d([1, 2]);
    const r = gradCheck((a) => wrong(a), [x]);
    expect(r.ok).toBe(false);
    expect(r.failures).toHaveLength(2);
    expect(r.failures[0].input).toBe(0);
    // The objective weights outputs randomly, but the ratio true/claimed is 2x/3x everywhere.
    for (const f of r.failures) expect(f.numeric / f.analytic).toBeCloseTo(2 / 3, 3);
    expect(() => assertGradCheck((a) => wrong(a), [x])).toThrow(/input 0\[\d\]: analytic/);
  });

  it('checks variables through tf.variableGrads and restores their values', () => {
    const w = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25]]), true, 'gradcheck_test_w');
    const x = tf.tensor2d([[1, 2]]);
    const r = gradCheckVariables(() => tf.tanh(tf.matMul(x, w)), [w]);
    expect(r.ok).toBe(true);
    expect(Array.from(w.dataSync())).toEqual([0.5, -1, 2, 0.25]);
    w.dispose();
  });

  it('ignores int inputs by default and rejects them when asked to differentiate', () => {
    const x = tf.tensor1d([1, 2]);
    const ids = tf.tensor1d([1, 0], 'int32');
    expect(gradCheck((a, i) => tf.gather(a, i), [x, ids]).checked).toBe(2);
    expect(() => gradCheck((a, i) => tf.gather(a, i), [x, ids], { wrt: [1] })).toThrow(/input 1 must be a float32/);
  });
});
