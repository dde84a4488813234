import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { initBackend, tf, withBackend } from '../../backend/index.js';
import { setWasmKernelOverrides, wasmKernelOverridesEnabled } from '../index.js';
import { simplifyPermutation } from './transpose.js';
import { conv2dFilterGrad } from './conv2d-backprop-filter.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function values(shape: number[], seed: number): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, next);
}

/** Runs `fn` on cpu and on wasm (fresh tensors each time) and returns both results. */
async function onBoth<T>(fn: () => T): Promise<{ cpu: T; wasm: T }> {
  return { cpu: await withBackend('cpu', fn), wasm: await withBackend('wasm', fn) };
}
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst).toBeLessThan(tol);
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' }); // registers core's wasm kernels
});
afterAll(async () => {
  setWasmKernelOverrides(true);
  await initBackend({ prefer: 'cpu' });
});

describe('UnsortedSegmentSum (wasm) equals cpu', () => {
  const cases = [
    { x: [6, 3], ids: [0, 2, 0, 4, -1, 2], n: 5 }, // duplicates, an empty segment, a dropped id
    { x: [5], ids: [1, 1, 1, 0, 3], n: 4 },
    { x: [7, 2, 3], ids: [6, 0, 6, 9, 2, 2, 0], n: 7 }, // id 9 ≥ numSegments is dropped
  ];
  for (const c of cases) {
    it(`x[${c.x}] ids ${JSON.stringify(c.ids)} → ${c.n} segments, float32 and int32`, async () => {
      const r = await onBoth(() =>
        tf.tidy(() => {
          const ids = tf.tensor1d(c.ids, 'int32');
          const x = tf.tensor(values(c.x, 3), c.x);
          const xi = tf.tensor(Int32Array.from(values(c.x, 4), (v) => Math.round(v * 10)), c.x, 'int32');
          const f = tf.unsortedSegmentSum(x, ids, c.n);
          const i = tf.unsortedSegmentSum(xi, ids, c.n);
          return { shape: f.shape, f: f.dataSync(), i: i.dataSync(), dtype: i.dtype };
        }),
      );
      expect(r.wasm.shape).toEqual(r.cpu.shape);
      expect(r.wasm.dtype).toBe('int32');
      expectClose(r.wasm.f, r.cpu.f);
      expect(Array.from(r.wasm.i)).toEqual(Array.from(r.cpu.i));
    });
  }

  it('accepts multi-dimensional segment ids (hand-computed; tfjs cpu supports 1-D ids only)', async () => {
    const out = await withBackend('wasm', () =>
      tf.tidy(() => {
        const x = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]); // [2, 2, 2]
        const ids = tf.tensor2d([[0, 1], [1, 5]], [2, 2], 'int32'); // 5 ≥ numSegments: dropped
        const y = tf.unsortedSegmentSum(x, ids as unknown as tf.Tensor1D, 2);
        return { shape: y.shape, data: Array.from(y.dataSync()) };
      }),
    );
    expect(out).toEqual({ shape: [2, 2], data: [1, 2, 8, 10] });
  });

  it('makes gather (embedding lookup) trainable on wasm, matching cpu', async () => {
    const r = await onBoth(() =>
      tf.tidy(() => {
        const table = tf.tensor(values([7, 4], 5), [7, 4]);
        const tokens = tf.tensor2d([[1, 3, 1], [6, 0, 1]], [2, 3], 'int32');
        const w = tf.tensor(values([2, 3, 4], 6), [2, 3, 4]);
        return tf.grad((t: Tensor) => tf.gather(t, tokens).mul(w).sum())(table).dataSync();
      }),
    );
    expectClose(r.wasm, r.cpu);
  });
});

describe('Conv2DBackpropFilter (wasm) equals cpu', () => {
  type Shape4 = [number, number, number, number];
  const cases: Array<{ x: Shape4; f: Shape4; s: number; pad: 'same' | 'valid' }> = [
    { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
    { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
    { x: [2, 8, 6, 3], f: [3, 3, 3, 4], s: 2, pad: 'valid' },
    { x: [1, 6, 6, 2], f: [1, 1, 2, 5], s: 1, pad: 'valid' },
    { x: [2, 8, 8, 3], f: [4, 4, 3, 6], s: 4, pad: 'valid' }, // patch-embed style
  ];
  for (const c of cases) {
    it(`conv2d x[${c.x}] filter[${c.f}] stride ${c.s} '${c.pad}': filter and input gradients`, async () => {
      const r = await onBoth(() =>
        tf.tidy(() => {
          const x = tf.tensor(values(c.x, 11), c.x) as Tensor4D;
          const filt = tf.tensor(values(c.f, 12), c.f) as Tensor4D;
          const yShape = tf.conv2d(x, filt, c.s, c.pad).shape;
          const w = tf.tensor(values(yShape, 13), yShape);
          const [dx, df] = tf.grads((xx: Tensor, ff: Tensor) => tf.conv2d(xx as Tensor4D, ff as Tensor4D, c.s, c.pad).mul(w).sum())([x, filt]);
          return { dx: dx.dataSync(), df: df.dataSync() };
        }),
      );
      expectClose(r.wasm.df, r.cpu.df, 1e-4);
      expectClose(r.wasm.dx, r.cpu.dx, 1e-4);
    });
  }

  it('gives the same filter gradient when the im2col product is split into many chunks', async () => {
    const xShape: Shape4 = [2, 6, 5, 3];
    const fShape: Shape4 = [3, 3, 3, 4];
    const cpu = await withBackend('cpu', () =>
      tf.tidy(() => {
        const x = tf.tensor(values(xShape, 41), xShape) as Tensor4D;
        const dy = tf.tensor(values([2, 3, 3, 4], 42), [2, 3, 3, 4]) as Tensor4D;
        const f = (ff: Tensor) => tf.conv2d(x, ff as Tensor4D, 2, 'same').mul(dy).sum();
        return Array.from(tf.grad(f)(tf.zeros(fShape)).dataSync());
      }),
    );
    const chunked = await withBackend('wasm', () =>
      tf.tidy(() => {
        const x = tf.tensor(values(xShape, 41), xShape);
        const dy = tf.tensor(values([2, 3, 3, 4], 42), [2, 3, 3, 4]);
        const info = tf.backend_util.computeConv2DInfo(xShape, fShape, 2, 1, 'same');
        // 27 taps × 4 floats per chunk: 18 output positions in 5 chunks of ≤ 4
        const out = conv2dFilterGrad(tf.backend(), x, dy, info, 4 * 27);
        const t = tf.engine().makeTensorFromTensorInfo(out);
        return Array.from(t.dataSync());
      }),
    );
    expectClose(chunked, cpu, 1e-4);
  });

  it("conv2dTranspose (stride 2, 'same') trains on wasm: filter gradient matches cpu", async () => {
    const r = await onBoth(() =>
      tf.tidy(() => {
        const x = tf.tensor(values([2, 4, 4, 5], 21), [2, 4, 4, 5]) as Tensor4D;
        const filt = tf.tensor(values([3, 3, 3, 5], 22), [3, 3, 3, 5]) as Tensor4D; // [h, w, out, in]
        const w = tf.tensor(values([2, 8, 8, 3], 23), [2, 8, 8, 3]);
        const f = (ff: Tensor) => tf.conv2dTranspose(x, ff as Tensor4D, [2, 8, 8, 3], 2, 'same').mul(w).sum();
        return tf.grad(f)(filt).dataSync();
      }),
    );
    expectClose(r.wasm, r.cpu, 1e-4);
  });
});

describe('depthwise-conv gradients (wasm) equal cpu', () => {
  type Shape4 = [number, number, number, number];
  const cases: Array<{ x: Shape4; f: Shape4; s: number; pad: 'same' | 'valid' }> = [
    { x: [2, 7, 7, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' },
    { x: [2, 7, 7, 3], f: [3, 3, 3, 2], s: 2, pad: 'same' }, // channel multiplier 2
    { x: [1, 8, 6, 4], f: [5, 5, 4, 1], s: 1, pad: 'valid' },
    { x: [2, 9, 9, 2], f: [3, 3, 2, 3], s: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`depthwiseConv2d x[${c.x}] filter[${c.f}] stride ${c.s} '${c.pad}': input and filter gradients`, async () => {
      const r = await onBoth(() =>
        tf.tidy(() => {
          const x = tf.tensor(values(c.x, 31), c.x) as Tensor4D;
          const filt = tf.tensor(values(c.f, 32), c.f) as Tensor4D;
          const yShape = tf.depthwiseConv2d(x, filt, c.s, c.pad).shape;
          const w = tf.tensor(values(yShape, 33), yShape);
          const f = (xx: Tensor, ff: Tensor) => tf.depthwiseConv2d(xx as Tensor4D, ff as Tensor4D, c.s, c.pad).mul(w).sum();
          const [dx, df] = tf.grads(f)([x, filt]);
          return { dx: dx.dataSync(), df: df.dataSync() };
        }),
      );
      expectClose(r.wasm.dx, r.cpu.dx, 1e-4);
      expectClose(r.wasm.df, r.cpu.df, 1e-4);
    });
  }
});

describe('fast Slice / Unpack / SplitV / StridedSlice / Transpose on wasm', () => {
  type Op = () => Tensor | Tensor[];
  const ops: Array<[string, Op]> = [
    ['slice 1-D', () => tf.slice(tf.range(0, 10), [3], [4])],
    ['slice 2-D rows', () => tf.slice(tf.tensor(values([5, 6], 1), [5, 6]), [1, 0], [3, 6])],
    ['slice 2-D block', () => tf.slice(tf.tensor(values([5, 6], 1), [5, 6]), [1, 2], [3, -1])],
    ['slice 3-D', () => tf.slice(tf.tensor(values([4, 5, 6], 2), [4, 5, 6]), [1, 1, 2], [2, 3, 3])],
    ['slice 5-D', () => tf.slice(tf.tensor(values([2, 3, 4, 5, 6], 3), [2, 3, 4, 5, 6]), [1, 0, 1, 2, 0], [1, 3, 2, 2, 6])],
    ['slice int32', () => tf.slice(tf.tensor2d([[1, 2, 3], [4, 5, 6]], [2, 3], 'int32'), [0, 1], [2, 2])],
    ['slice bool', () => tf.slice(tf.tensor1d([true, false, true, true], 'bool'), [1], [2])],
    ['slice string', () => tf.slice(tf.tensor1d(['a', 'b', 'c', 'd']), [1], [2])],
    ['unstack string', () => tf.unstack(tf.tensor2d([['a', 'b'], ['c', 'd']]))],
    ['slice empty', () => tf.slice(tf.tensor(values([4, 3], 4), [4, 3]), [1, 0], [0, 3])],
    ['unstack axis 0', () => tf.unstack(tf.tensor(values([4, 3, 2], 5), [4, 3, 2]))],
    ['unstack axis 1', () => tf.unstack(tf.tensor(values([4, 3, 2], 5), [4, 3, 2]), 1)],
    ['unstack axis -1', () => tf.unstack(tf.tensor(values([4, 3, 2], 5), [4, 3, 2]), -1)],
    ['split even', () => tf.split(tf.tensor(values([6, 4], 6), [6, 4]), 3, 0)],
    ['split sizes axis 1', () => tf.split(tf.tensor(values([3, 7], 7), [3, 7]), [2, 4, 1], 1)],
    ['stridedSlice unit', () => tf.stridedSlice(tf.tensor(values([5, 6], 8), [5, 6]), [1, 2], [4, 5], [1, 1])],
    ['stridedSlice step 2', () => tf.stridedSlice(tf.tensor(values([5, 6], 8), [5, 6]), [0, 1], [5, 6], [2, 2])],
    ['transpose 5-D qkv split', () => tf.transpose(tf.tensor(values([2, 5, 3, 2, 4], 14), [2, 5, 3, 2, 4]), [2, 0, 3, 1, 4])],
    ['transpose 5-D inverse', () => tf.transpose(tf.tensor(values([3, 2, 2, 5, 4], 15), [3, 2, 2, 5, 4]), [1, 3, 0, 2, 4])],
    ['transpose 6-D patchify', () => tf.transpose(tf.tensor(values([2, 3, 4, 3, 4, 2], 16), [2, 3, 4, 3, 4, 2]), [0, 1, 3, 2, 4, 5])],
    ['transpose with size-1 dims', () => tf.transpose(tf.tensor(values([2, 1, 3, 4, 1, 5], 17), [2, 1, 3, 4, 1, 5]), [2, 0, 4, 3, 1, 5])],
    ['transpose int32 5-D', () => tf.transpose(tf.tensor(Int32Array.from({ length: 120 }, (_, i) => i), [2, 3, 2, 5, 2], 'int32'), [3, 1, 0, 2, 4])],
    ['transpose 5-D, innermost moves', () => tf.transpose(tf.tensor(values([2, 3, 2, 3, 2], 18), [2, 3, 2, 3, 2]), [4, 3, 2, 1, 0])],
    ['stridedSlice shrink', () => tf.stridedSlice(tf.tensor(values([5, 6], 8), [5, 6]), [2, 0], [3, 6], [1, 1], 0, 0, 0, 0, 1)],
  ];
  const dump = (op: Op) => () =>
    tf.tidy(() => {
      const r = op();
      return (Array.isArray(r) ? r : [r]).map((t) => ({ shape: t.shape, dtype: t.dtype, data: Array.from(t.dataSync() as ArrayLike<number | Uint8Array>) }));
    });
  for (const [name, op] of ops) {
    it(`${name}: same shapes, dtypes and values as cpu`, async () => {
      const r = await onBoth(dump(op));
      expect(r.wasm).toEqual(r.cpu);
    });
  }

  it('slices without reading the whole input out of the heap (no readSync); shipped kernel does', async () => {
    await withBackend('wasm', () => {
      const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
      const original = backend.readSync;
      let reads = 0;
      backend.readSync = (...a: unknown[]) => {
        reads++;
        return original.apply(backend, a);
      };
      try {
        const x = tf.tensor(values([64, 32], 9), [64, 32]);
        const countReads = () => {
          reads = 0;
          tf.dispose(tf.unstack(x));
          tf.slice(x, [3, 0], [2, 32]).dispose();
          return reads;
        };
        setWasmKernelOverrides(false);
        expect(wasmKernelOverridesEnabled()).toBe(false);
        expect(countReads()).toBe(65);
        setWasmKernelOverrides(true);
        expect(wasmKernelOverridesEnabled()).toBe(true);
        expect(countReads()).toBe(0);
        x.dispose();
      } finally {
        backend.readSync = original;
      }
    });
  });

  it('the shipped kernels, restored, give the same values as the override', async () => {
    const op = () => tf.unstack(tf.tensor(values([3, 4, 5], 10), [3, 4, 5]), 1);
    const fast = await withBackend('wasm', dump(op));
    setWasmKernelOverrides(false);
    const shipped = await withBackend('wasm', dump(op));
    setWasmKernelOverrides(true);
    expect(fast).toEqual(shipped);
  });

  it('clone (Identity) shares the buffer yet outlives the original, and frees it with the last reference', async () => {
    await withBackend('wasm', () => {
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const before = backend.numDataIds();
      const x = tf.tensor1d([1, 2, 3]);
      const y = tf.clone(x);
      expect(backend.numDataIds()).toBe(before + 1); // no second buffer
      x.dispose();
      expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
      y.dispose();
      expect(backend.numDataIds()).toBe(before);
    });
  });

  it('a clone of a variable keeps the old value when the variable is assigned', async () => {
    await withBackend('wasm', () => {
      const v = tf.variable(tf.tensor1d([1, 2, 3]));
      const saved = tf.clone(v); // what the engine does when a gradient saves v
      v.assign(tf.tensor1d([10, 20, 30]));
      expect(Array.from(saved.dataSync())).toEqual([1, 2, 3]);
      expect(Array.from(v.dataSync())).toEqual([10, 20, 30]);
      tf.dispose([v, saved]);
    });
  });

  it('simplifyPermutation drops size-1 dims and merges dims that stay adjacent', () => {
    expect(simplifyPermutation([8, 14, 16, 14, 16, 3], [0, 1, 3, 2, 4, 5])).toEqual({ shape: [112, 16, 14, 48], perm: [0, 2, 1, 3] });
    expect(simplifyPermutation([8, 197, 3, 3, 64], [2, 0, 3, 1, 4])).toEqual({ shape: [8, 197, 3, 3, 64], perm: [2, 0, 3, 1, 4] });
    expect(simplifyPermutation([2, 1, 3], [1, 0, 2])).toEqual({ shape: [6], perm: [0] });
  });

  it('does not leak tensors', async () => {
    await withBackend('wasm', () => {
      const x = tf.tensor(values([8, 3, 2], 12), [8, 3, 2]);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) tf.dispose([...tf.unstack(x), ...tf.split(x, 4), tf.slice(x, [1, 0, 0], [2, 3, 2])]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
});

