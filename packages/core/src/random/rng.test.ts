import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, withBackend } from '../backend/index.js';
import { Dropout } from '../nn/dropout.js';
import { Linear } from '../nn/linear.js';
import { defaultRng, manualSeed } from './global-rng.js';
import { randomNormal } from './random-tensor.js';
import { Rng } from './rng.js';

// Importing the backend module registers wasm (highest priority): pick cpu explicitly.
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('Rng (xoshiro128**)', () => {
  it('matches the xoshiro128** recurrence by hand from state [1, 2, 3, 4]', () => {
    const r = new Rng();
    r.setState([1, 2, 3, 4]);
    // out = rotl(s1·5, 7)·9:  rotl(10,7)·9 = 11520; then s1 = 0 → 0; then s1 = 1029 → 5145·128·9
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('same seed → same stream; different seeds differ; state restores exactly', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 5 }, () => a.normal());
    expect(Array.from({ length: 5 }, () => b.normal())).toEqual(xs);
    expect(new Rng(43).uniform()).not.toBe(new Rng(42).uniform());
    const saved = a.getState();
    const next = [a.normal(), a.uniform()];
    const c = new Rng(0);
    c.setState(saved);
    expect([c.normal(), c.uniform()]).toEqual(next);
  });

  it('fork gives an independent stream without advancing the parent', () => {
    const a = new Rng(1);
    const state = a.getState();
    const f1 = a.fork('dropout');
    expect(a.getState()).toEqual(state);
    expect(a.fork('dropout').uniform()).toBe(f1.uniform());
    expect(a.fork('init').uniform()).not.toBe(a.fork('dropout').uniform());
  });

  it('uniform in [0,1), normal with mean 0 and std 1, Bernoulli frequency p', () => {
    const r = new Rng(3);
    const n = 20000;
    const u = Array.from({ length: n }, () => r.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = r.fillNormal(n);
    const mean = z.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(0.03); // 4σ of the sample mean
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    const ones = r.fillBernoulli(n, 0.3).reduce((s, v) => s + v, 0);
    expect(Math.abs(ones / n - 0.3)).toBeLessThan(0.015);
    expect(() => r.fillBernoulli(1, 1.5)).toThrow(/p must be in \[0, 1\]/);
  });

  it('manualSeed resets the global generator', () => {
    manualSeed(5);
    const a = randomNormal([3]).dataSync();
    manualSeed(5);
    expect(Array.from(randomNormal([3]).dataSync())).toEqual(Array.from(a));
    expect(defaultRng()).toBeInstanceOf(Rng);
  });

  it('gives identical weights and dropout masks on cpu and wasm', async () => {
    const run = async (backend: 'cpu' | 'wasm') =>
      withBackend(backend, () => {
        const lin = new Linear(4, 3, { rng: new Rng(11) });
        const w = Array.from(lin.weight.dataSync());
        const mask = Array.from(new Dropout(0.5, { rng: new Rng(12) }).forward(tf.ones([20])).dataSync());
        lin.dispose();
        return [...w, ...mask];
      });
    expect(await run('wasm')).toEqual(await run('cpu'));
  });
});
