import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { calculateGain, computeFans, constant, kaimingNormal, kaimingUniform, ones, reinit, truncNormal, xavierNormal, xavierUniform, zeros } from './init.js';

function stats(t: tf.Tensor): { min: number; max: number; mean: number; std: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  return { min: Math.min(...v), max: Math.max(...v), mean, std };
}

describe('initialisers (torch / timm semantics)', () => {
  it('fans and gains as torch computes them', () => {
    expect(computeFans([8, 3, 5, 5])).toEqual({ fanIn: 75, fanOut: 200 });
    expect(calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(() => computeFans([3])).toThrow(/at least 2 dimensions/);
  });

  it('truncNormal: absolute bounds [a, b], right moments, seeded', () => {
    const t = truncNormal([4000], { std: 1, a: -0.5, b: 2, rng: new Rng(1) });
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-0.5);
    expect(s.max).toBeLessThanOrEqual(2);
    // mean of N(0,1) truncated to [-0.5, 2]: (φ(-0.5) − φ(2)) / (Φ(2) − Φ(-0.5))
    // = (0.35207 − 0.05399) / (0.97725 − 0.30854) = 0.4458; sample std of the mean ≈ 0.01
    expect(Math.abs(s.mean - 0.4458)).toBeLessThan(0.04);
    const timmDefault = stats(truncNormal([4000], { std: 0.02, rng: new Rng(2) }));
    expect(timmDefault.std).toBeCloseTo(0.02, 3); // bounds ±2 are absolute: no truncation at std 0.02
    expect(Array.from(truncNormal([5], { rng: new Rng(3) }).dataSync())).toEqual(Array.from(truncNormal([5], { rng: new Rng(3) }).dataSync()));
    expect(() => truncNormal([1], { a: 50, b: 51 })).toThrow(/too far in the tail/);
  });

  it('xavier uniform / normal', () => {
    const u = stats(xavierUniform([200, 100], 2, new Rng(4)));
    const bound = 2 * Math.sqrt(6 / 300);
    expect(u.max).toBeLessThanOrEqual(bound);
    expect(u.max).toBeGreaterThan(0.98 * bound);
    expect(u.std).toBeCloseTo(bound / Math.sqrt(3), 2);
    expect(stats(xavierNormal([200, 100], 1, new Rng(5))).std).toBeCloseTo(Math.sqrt(2 / 300), 2);
  });

  it('kaiming uniform / normal with fan modes', () => {
    const u = stats(kaimingUniform([50, 400], { nonlinearity: 'relu', rng: new Rng(6) }));
    const bound = Math.sqrt(3) * (Math.SQRT2 / Math.sqrt(400));
    expect(u.max).toBeLessThanOrEqual(bound);
    expect(u.max).toBeGreaterThan(0.98 * bound);
    const n = stats(kaimingNormal([400, 50], { mode: 'fan_out', nonlinearity: 'relu', rng: new Rng(7) }));
    expect(n.std).toBeCloseTo(Math.SQRT2 / 20, 2);
  });

  it('zeros / ones / constant and reinit', () => {
    expect(Array.from(zeros([2]).dataSync())).toEqual([0, 0]);
    expect(Array.from(ones([2]).dataSync())).toEqual([1, 1]);
    expect(Array.from(constant([2], 0.5).dataSync())).toEqual([0.5, 0.5]);
    const v = tf.variable(tf.zeros([2, 2]), true, 'init_test_v');
    reinit(v, constant([2, 2], 3));
    expect(Array.from(v.dataSync())).toEqual([3, 3, 3, 3]);
    expect(() => reinit(v, ones([3]))).toThrow(/shape \[3\] does not match parameter init_test_v \[2,2\]/);
    v.dispose();
  });
});
