import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Linear } from '../nn/linear.js';
import { autocast, castToPolicy, getAutocastPrecision, parsePrecision } from './precision.js';

describe('castToPolicy', () => {
  it('rounds values to the format and leaves fp32 alone', () => {
    const x = tf.tensor1d([65519, 65520, 1 + 2 ** -11, 0.1]);
    expect(Array.from(castToPolicy(x, 'fp16').dataSync())).toEqual([65504, Infinity, 1, 0.0999755859375]);
    expect(Array.from(castToPolicy(x, 'bf16').dataSync())).toEqual([65536, 65536, 1, 0.10009765625]);
    expect(castToPolicy(x, 'fp32')).toBe(x);
  });

  it('has a straight-through gradient, itself rounded to the format (as an fp16 backward is)', () => {
    const x = tf.tensor1d([0.5, 70000]);
    const dy = tf.tensor1d([1 + 2 ** -11, 1e5]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(castToPolicy(a, 'fp16'), dy)))(x);
    // d/dx Σ dy·round(x) = round(dy) elementwise: 1+2^-11 → 1, 1e5 → Inf in fp16
    expect(Array.from(g.dataSync())).toEqual([1, Infinity]);
    const gb = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(castToPolicy(a, 'bf16'), dy)))(x);
    expect(Array.from(gb.dataSync())).toEqual([1, 99840]);
  });

  it('rejects int tensors and unknown policies', () => {
    expect(() => castToPolicy(tf.tensor1d([1], 'int32'), 'fp16')).toThrow(/float32/);
    expect(() => parsePrecision('fp8', 'config.precision')).toThrow(/config\.precision: expected one of fp32, fp16, bf16, got "fp8"/);
  });
});

describe('autocast', () => {
  it('Linear overflows to Inf in fp16 where fp32 and bf16 stay finite', () => {
    const lin = new Linear(2, 1);
    lin.weight.assign(tf.tensor2d([[300, 300]]));
    lin.bias!.assign(tf.zeros([1]));
    const x = tf.tensor2d([[100, 20]]); // 36000: fine in fp16;  [[200, 20]] → 66000: overflows
    expect(autocast('fp16', () => lin.forward(x).dataSync()[0])).toBe(36000);
    const big = tf.tensor2d([[200, 20]]);
    expect(autocast('fp16', () => lin.forward(big).dataSync()[0])).toBe(Infinity);
    expect(autocast('bf16', () => lin.forward(big).dataSync()[0])).toBe(66048); // bf16(66000)
    expect(lin.forward(big).dataSync()[0]).toBe(66000);
    expect(getAutocastPrecision()).toBe('fp32');
    lin.dispose();
  });

  it('restores the previous precision when the body throws', () => {
    expect(() =>
      autocast('bf16', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(getAutocastPrecision()).toBe('fp32');
  });
});
