import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, withBackend } from '../backend/index.js';
import { Rng } from '../random/rng.js';
import { assertGradCheck, assertGradCheckVariables } from '../testing/grad-check.js';
import { DropPath } from './drop-path.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { GELU, gelu } from './gelu.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { MLP } from './mlp.js';
import type { Module } from './module.js';
import { RMSNorm } from './rms-norm.js';
import { SiLU } from './silu.js';

// Importing the backend module registers wasm (highest priority): pick cpu explicitly.
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Rng(seed).fillNormal(shape.reduce((a, b) => a * b, 1)), shape);
}

/** Checks d(layer(x))/dx and d(layer(x))/d(parameters) by finite differences. */
function checkLayerGrads(layer: Module & { forward(x: tf.Tensor): tf.Tensor }, x: tf.Tensor, opts: { wrtInput?: boolean } = {}): void {
  if (opts.wrtInput ?? true) assertGradCheck((xi) => layer.forward(xi), [x]);
  const params = layer.parameters();
  if (params.length > 0) assertGradCheckVariables(() => layer.forward(x), params);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`layer gradients vs finite differences on ${backend}`, () => {
    it('Linear', async () => {
      await withBackend(backend, () => {
        const layer = new Linear(3, 2, { rng: new Rng(1) });
        checkLayerGrads(layer, rand([2, 3], 2));
        layer.dispose();
      });
    });
    it('LayerNorm (with non-trivial affine params)', async () => {
      await withBackend(backend, () => {
        const layer = new LayerNorm(4);
        layer.getParameter('weight').assign(rand([4], 3));
        layer.getParameter('bias').assign(rand([4], 4));
        checkLayerGrads(layer, rand([2, 4], 5));
        layer.dispose();
      });
    });
    it('RMSNorm', async () => {
      await withBackend(backend, () => {
        const layer = new RMSNorm(4);
        layer.weight.assign(rand([4], 6));
        checkLayerGrads(layer, rand([2, 4], 7));
        layer.dispose();
      });
    });
    it('GELU exact and tanh, SiLU', async () => {
      await withBackend(backend, () => {
        checkLayerGrads(new GELU('none'), rand([2, 3], 8));
        checkLayerGrads(new GELU('tanh'), rand([2, 3], 9));
        checkLayerGrads(new SiLU(), rand([2, 3], 10));
      });
    });
    it('MLP (timm names fc1/fc2)', async () => {
      await withBackend(backend, () => {
        const layer = new MLP(3, { hiddenFeatures: 4, outFeatures: 2, rng: new Rng(11) });
        expect(layer.namedParameters().map(([n]) => n)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
        checkLayerGrads(layer, rand([2, 3], 12));
        layer.dispose();
      });
    });
    it('Embedding (gather gradient = UnsortedSegmentSum, repeated ids accumulate)', async () => {
      await withBackend(backend, () => {
        const layer = new Embedding(5, 3, { rng: new Rng(13) });
        const ids = tf.tensor2d([[1, 3], [3, 0]], [2, 2], 'int32');
        checkLayerGrads(layer, ids, { wrtInput: false });
        // Hand value: d Σ embed(ids) / d weight = count of each id per row.
        const g = tf.grad((w: tf.Tensor) => tf.sum(tf.gather(w, ids)))(layer.weight);
        expect(Array.from(g.dataSync())).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0]);
        g.dispose();
        ids.dispose();
        layer.dispose();
      });
    });
    it('Dropout / DropPath in train mode (fixed mask is a constant)', async () => {
      await withBackend(backend, () => {
        const x = rand([4, 3], 14);
        // Same seed per call → same mask, so the function is deterministic for the checker.
        const drop = (xi: tf.Tensor) => new Dropout(0.5, { rng: new Rng(15) }).forward(xi);
        assertGradCheck(drop, [x]);
        const dropPath = (xi: tf.Tensor) => new DropPath(0.5, { rng: new Rng(16) }).forward(xi);
        assertGradCheck(dropPath, [x]);
        x.dispose();
      });
    });
  });
}

describe('layer values', () => {
  it('Linear matches x·Wᵀ + b by hand', () => {
    const layer = new Linear(2, 2);
    layer.weight.assign(tf.tensor2d([[1, 2], [3, 4]]));
    layer.bias!.assign(tf.tensor1d([0.5, -1]));
    const y = layer.forward(tf.tensor2d([[1, 1], [2, -1]]));
    expect(Array.from(y.dataSync())).toEqual([3.5, 6, 0.5, 1]);
    layer.dispose();
  });

  it('Linear default init is U(±1/√in) (torch) and seeded', () => {
    const a = new Linear(16, 8, { rng: new Rng(3) });
    const b = new Linear(16, 8, { rng: new Rng(3) });
    const w = a.weight.dataSync();
    expect(Array.from(w)).toEqual(Array.from(b.weight.dataSync()));
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeGreaterThan(0.2);
    a.dispose();
    b.dispose();
  });

  it('LayerNorm normalises each row (hand values)', () => {
    const ln = new LayerNorm(4, { eps: 0 });
    const y = ln.forward(tf.tensor2d([[1, 2, 3, 4]])).dataSync();
    const s = Math.sqrt(1.25);
    [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
    ln.dispose();
  });

  it('RMSNorm matches Qwen2 formula', () => {
    const n = new RMSNorm(2, { eps: 0 });
    n.weight.assign(tf.tensor1d([2, 1]));
    const y = n.forward(tf.tensor2d([[3, 4]])).dataSync();
    const rms = Math.sqrt((9 + 16) / 2);
    expect(y[0]).toBeCloseTo((2 * 3) / rms, 5);
    expect(y[1]).toBeCloseTo(4 / rms, 5);
    n.dispose();
  });

  it('GELU exact vs tanh approximation against known values', () => {
    // torch.nn.functional.gelu(torch.tensor([1., -0.5, 2.])) and approximate='tanh'
    const exact = gelu(tf.tensor1d([1, -0.5, 2])).dataSync();
    [0.8413447, -0.1542687, 1.9544997].forEach((v, i) => expect(exact[i]).toBeCloseTo(v, 5));
    const approx = gelu(tf.tensor1d([1, -0.5, 2]), 'tanh').dataSync();
    [0.8411920, -0.1542860, 1.9545977].forEach((v, i) => expect(approx[i]).toBeCloseTo(v, 5));
  });

  it('Dropout: identity in eval, zero-or-scaled in train, seeded masks repeat', () => {
    const x = tf.ones([1000]);
    const d = new Dropout(0.25, { rng: new Rng(5) });
    d.eval();
    expect(d.forward(x)).toBe(x);
    d.train();
    const y = Array.from(d.forward(x).dataSync());
    expect(new Set(y.map((v) => v.toFixed(5)))).toEqual(new Set(['0.00000', (1 / 0.75).toFixed(5)]));
    const kept = y.filter((v) => v > 0).length;
    expect(kept).toBeGreaterThan(700);
    expect(kept).toBeLessThan(800);
    const again = Array.from(new Dropout(0.25, { rng: new Rng(5) }).forward(x).dataSync());
    expect(again).toEqual(y);
  });

  it('DropPath drops whole samples', () => {
    const x = tf.ones([64, 3, 2]);
    const dp = new DropPath(0.5, { rng: new Rng(9) });
    const y = dp.forward(x).arraySync() as number[][][];
    for (const sample of y) {
      const vals = new Set(sample.flat());
      expect(vals.size).toBe(1);
      expect([0, 2]).toContain([...vals][0]);
    }
    dp.eval();
    expect(dp.forward(x)).toBe(x);
  });

  it('Embedding rejects float ids', () => {
    const e = new Embedding(3, 2);
    expect(() => e.forward(tf.tensor1d([0, 1]))).toThrow(/int32/);
    e.dispose();
  });
});
