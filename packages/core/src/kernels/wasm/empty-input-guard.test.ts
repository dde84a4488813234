import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf, withBackend } from '../../backend/index.js';
import { Linear } from '../../nn/linear.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { Rng } from '../../random/rng.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

// Ops over zero elements. As shipped, wasm returned whatever its heap held (e.g. 3.6e-41, 128).
const CASES: Record<string, () => tf.Tensor> = {
  'sum over an empty axis': () => tf.sum(tf.zeros([0, 3]), 0),
  'sum of everything (keepDims)': () => tf.sum(tf.zeros([0, 3]), undefined, true),
  'mean': () => tf.mean(tf.zeros([0, 2]), 0),
  'prod': () => tf.prod(tf.zeros([0, 2]), 0),
  'max / min': () => tf.stack([tf.max(tf.zeros([0, 2]), 0), tf.min(tf.zeros([0, 2]), 0)]),
  'all / any': () => tf.stack([tf.all(tf.zeros([0, 2], 'bool'), 0), tf.any(tf.zeros([0, 2], 'bool'), 0)]),
  'euclidean norm': () => tf.norm(tf.zeros([0, 4])),
  'matmul with inner dimension 0': () => tf.matMul(tf.zeros([2, 0]), tf.zeros([0, 3])),
  'batched matmul with inner dimension 0, transposed': () => tf.matMul(tf.zeros([2, 3, 0]), tf.zeros([1, 2, 0]), false, true),
  'matmul with 0 rows': () => tf.matMul(tf.zeros([0, 4]), tf.zeros([4, 3])),
  'non-empty input is untouched': () => tf.sum(tf.tensor2d([[1, 2], [3, 4]]), 0),
};

async function run(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<{ shape: number[]; values: number[] }> {
  return withBackend(backend, () => {
    // Dirty the heap first so an unwritten output cannot pass by chance.
    tf.dispose(tf.fill([4096], 7.5));
    const t = tf.tidy(f);
    const out = { shape: t.shape, values: Array.from(t.dataSync() as ArrayLike<number>) };
    t.dispose();
    return out;
  });
}

describe('wasm reductions and matmuls over zero elements answer like cpu', () => {
  for (const [name, f] of Object.entries(CASES)) {
    it(name, async () => {
      const cpu = await run('cpu', f);
      const wasm = await run('wasm', f);
      expect(wasm).toEqual(cpu);
    });
  }

  it('a training step on an empty batch gives exactly zero gradients on wasm, as on cpu', async () => {
    const grads = async (backend: 'cpu' | 'wasm') =>
      withBackend(backend, () => {
        const lin = new Linear(3, 4, { rng: new Rng(1) });
        const norm = new LayerNorm(4);
        const x = tf.zeros([0, 3]);
        const { value, grads: g } = tf.variableGrads(() => tf.sum(norm.forward(lin.forward(x))) as tf.Scalar);
        const out = { loss: value.dataSync()[0], grads: Object.values(g).map((t) => Array.from(t.dataSync())) };
        tf.dispose([value, x, ...Object.values(g)]);
        lin.dispose();
        norm.dispose();
        return out;
      });
    const cpu = await grads('cpu');
    expect(cpu.loss).toBe(0);
    expect(cpu.grads.flat().every((v) => v === 0)).toBe(true);
    expect(await grads('wasm')).toEqual(cpu);
  });
});
