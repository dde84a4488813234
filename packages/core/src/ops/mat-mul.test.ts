import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs';
import { initBackend, tf, withBackend } from '../backend/index.js';
import { linear, matMul, matMulNative, matMulPlain2d } from './index.js';

// Deterministic inputs independent of any backend's RNG.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function values(shape: number[], seed: number): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, next);
}

interface Case { a: number[]; b: number[]; tA?: boolean; tB?: boolean }
const CASES: Case[] = [
  { a: [3, 4], b: [4, 5] },
  { a: [4, 3], b: [4, 5], tA: true },
  { a: [3, 4], b: [5, 4], tB: true },
  { a: [4, 3], b: [5, 4], tA: true, tB: true },
  { a: [2, 3, 4], b: [4, 5] }, // linear-style: batch folded into rows
  { a: [2, 3, 4], b: [2, 4, 5] },
  { a: [2, 3, 3, 4], b: [2, 3, 5, 4], tB: true }, // attention q·kᵀ
  { a: [2, 4, 3], b: [2, 5, 4], tA: true, tB: true },
  { a: [3, 4], b: [2, 4, 5] }, // a broadcast over b's batch
  { a: [2, 1, 3, 4], b: [1, 3, 4, 5] }, // both broadcast
  { a: [2, 4, 3], b: [4, 5], tA: true }, // batched, transposed a with a shared b
  { a: [2, 3, 4], b: [5, 4], tB: true }, // linear-style with transposed b
  { a: [3, 2, 4, 3], b: [2, 5, 4], tA: true, tB: true }, // broadcast b, both flags
];

type MatMulFn = (a: Tensor, b: Tensor, tA?: boolean, tB?: boolean) => Tensor;

/** Value and gradients of sum(w ⊙ a·b) w.r.t. a and b, as plain arrays. */
function valueAndGrads(fn: MatMulFn, c: Case, seed: number): { y: number[]; shape: number[]; da: number[]; db: number[] } {
  return tf.tidy(() => {
    const a = tf.tensor(values(c.a, seed), c.a);
    const b = tf.tensor(values(c.b, seed + 1), c.b);
    const y = fn(a, b, c.tA ?? false, c.tB ?? false);
    const w = tf.tensor(values(y.shape, seed + 2), y.shape);
    const [da, db] = tf.grads((x: Tensor, z: Tensor) => fn(x, z, c.tA ?? false, c.tB ?? false).mul(w).sum())([a, b]);
    return { y: Array.from(y.dataSync()), shape: y.shape, da: Array.from(da.dataSync()), db: Array.from(db.dataSync()) };
  });
}

function expectClose(actual: number[], expected: number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(0, ...actual.map((v, i) => Math.abs(v - expected[i]) / (1 + Math.abs(expected[i]))));
  expect(worst).toBeLessThan(tol);
}

/**
 * Reference: tf.matMul on explicitly tiled operands. (tf.matMul's own gradient throws for
 * broadcast batch dims in tfjs 4.22; tile's gradient sums the copies, which is the right answer.)
 */
function refMatMul(a: Tensor, b: Tensor, tA = false, tB = false): Tensor {
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const expand = (t: Tensor) => {
    if (outBatch.length === 0) return t;
    const lead = t.shape.slice(0, -2);
    const padded = [...Array(outBatch.length - lead.length).fill(1), ...lead];
    const r = t.reshape([...padded, ...t.shape.slice(-2)]);
    return tf.tile(r, [...outBatch.map((d, i) => (padded[i] === d ? 1 : d)), 1, 1]);
  };
  return tf.matMul(expand(a), expand(b), tA, tB);
}

const reference = new Map<number, ReturnType<typeof valueAndGrads>>();

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  CASES.forEach((c, i) => reference.set(i, valueAndGrads(refMatMul, c, 10 * i + 1)));
});
afterAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('matMul / matMulPlain2d against tf.matMul on cpu', () => {
  CASES.forEach((c, i) => {
    const label = `a[${c.a}]${c.tA ? 'ᵀ' : ''} · b[${c.b}]${c.tB ? 'ᵀ' : ''}`;
    it(`cpu, plain-2-D path: ${label}`, async () => {
      const got = await withBackend('cpu', () => valueAndGrads(matMulPlain2d, c, 10 * i + 1));
      const ref = reference.get(i)!;
      expect(got.shape).toEqual(ref.shape);
      expectClose(got.y, ref.y);
      expectClose(got.da, ref.da);
      expectClose(got.db, ref.db);
    });
    it(`cpu, matMul (auto → native): ${label}`, async () => {
      const got = await withBackend('cpu', () => valueAndGrads(matMul, c, 10 * i + 1));
      const ref = reference.get(i)!;
      expect(got.shape).toEqual(ref.shape);
      expectClose(got.y, ref.y);
      expectClose(got.da, ref.da);
      expectClose(got.db, ref.db);
    });
    it(`wasm, matMul (auto → plain-2-D): ${label}`, async () => {
      const got = await withBackend('wasm', () => valueAndGrads(matMul, c, 10 * i + 1));
      const ref = reference.get(i)!;
      expect(got.shape).toEqual(ref.shape);
      expectClose(got.y, ref.y);
      expectClose(got.da, ref.da);
      expectClose(got.db, ref.db);
    });
  });

  it('on wasm, forward and backward issue only 2-D, non-transposed matmuls', async () => {
    await withBackend('wasm', () => {
      const shipped = tf.getKernel('BatchMatMul', 'wasm')!;
      const calls: Array<{ a: number[]; b: number[]; tA: boolean; tB: boolean }> = [];
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel({
        ...shipped,
        kernelFunc: (args) => {
          const { a, b } = args.inputs as unknown as { a: { shape: number[] }; b: { shape: number[] } };
          const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
          calls.push({ a: a.shape, b: b.shape, tA: transposeA, tB: transposeB });
          return shipped.kernelFunc(args);
        },
      });
      try {
        for (const [i, c] of CASES.entries()) valueAndGrads(matMul, c, i);
      } finally {
        tf.unregisterKernel('BatchMatMul', 'wasm');
        tf.registerKernel(shipped);
      }
      expect(calls.length).toBeGreaterThan(3 * CASES.length); // forward + two gradient products each
      const batched = (s: number[]) => s.slice(0, -2).some((d) => d !== 1);
      expect(calls.filter((k) => k.tA || k.tB || batched(k.a) || batched(k.b))).toEqual([]);
    });
  });

  it('matMulNative keeps tf.matMul for equal batch dims (the backend kernel does the work)', () => {
    const a = tf.tensor3d([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
    const b = tf.tensor3d([[[1], [1]], [[2], [0]]]); // [2, 2, 1]
    expect(Array.from(matMulNative(a, b).dataSync())).toEqual([3, 6]);
    tf.dispose([a, b]);
  });

  it('leaks no tensors over repeated forward + backward passes on wasm', async () => {
    await withBackend('wasm', () => {
      const a = tf.tensor(values([2, 3, 5, 4], 91), [2, 3, 5, 4]);
      const b = tf.tensor(values([2, 3, 5, 6], 92), [2, 3, 5, 6]);
      const w = tf.tensor(values([5, 6], 93), [5, 6]); // aᵀ·b is [2, 3, 4, 6] → linear → [2, 3, 4, 5]
      const step = () =>
        tf.tidy(() => {
          const f = (x: Tensor, z: Tensor, ww: Tensor) => linear(matMul(x, z, true, false), ww).sum();
          tf.grads(f)([a, b, w]).forEach((g) => g.dataSync());
        });
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, b, w]);
    });
  });

  it('names both shapes when inner dimensions differ', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([4, 5]);
    expect(() => matMulPlain2d(a, b)).toThrow(/inner dimensions differ \(3 vs 4\).*\[2,3\] and \[4,5\]/);
    tf.dispose([a, b]);
  });
});

describe('linear', () => {
  it('computes x·Wᵀ + b with [out, in] weights (hand-computed)', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await withBackend(backend, () => {
        const x = tf.tensor3d([[[1, 2]], [[3, -1]]]); // [2, 1, 2]
        const w = tf.tensor2d([[1, 0], [0, 1], [2, 3]]); // [3, 2]
        const b = tf.tensor1d([0.5, -0.5, 1]);
        const y = linear(x, w, b);
        expect(y.shape).toEqual([2, 1, 3]);
        expect(Array.from(y.dataSync())).toEqual([1.5, 1.5, 9, 3.5, -1.5, 4]);
        tf.dispose([x, w, b, y]);
      });
    }
  });

  it('gradients on wasm equal the tiled tf.matMul reference on cpu', async () => {
    const shapes = { x: [2, 5, 6], w: [4, 6], b: [4] };
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(values(shapes.x, 7), shapes.x);
        const w = tf.tensor(values(shapes.w, 8), shapes.w);
        const b = tf.tensor(values(shapes.b, 9), shapes.b);
        const g = tf.tensor(values([2, 5, 4], 10), [2, 5, 4]);
        const f = (xx: Tensor, ww: Tensor, bb: Tensor) =>
          (tf.getBackend() === 'cpu' ? refMatMul(xx, ww, false, true).add(bb) : linear(xx, ww, bb)).mul(g).sum();
        return tf.grads(f)([x, w, b]).map((t) => Array.from(t.dataSync()));
      });
    const ref = await withBackend('cpu', run);
    const got = await withBackend('wasm', run);
    ref.forEach((r, i) => expectClose(got[i], r));
  });

  it('rejects a weight that does not match the input width', () => {
    const x = tf.zeros([2, 3]);
    const w = tf.zeros([4, 5]);
    expect(() => linear(x, w)).toThrow(/weight must be \[out, 3\] for input \[2,3\], got \[4,5\]/);
    tf.dispose([x, w]);
  });
});
