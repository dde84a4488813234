// Integration: a small model that uses every op core had to supply or fix for training —
// embedding lookup (gather → UnsortedSegmentSum), conv / depthwise / transposed conv (filter
// and input gradients), gatherND, stridedSlice, cropAndResize, cumsum on a middle axis, the
// plain-2-D matMul and smoothL1 — has the same loss and parameter gradients on wasm as on cpu.
import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { initBackend, tf, withBackend } from '../backend/index.js';
import { linear, matMul, smoothL1 } from '../ops/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function values(shape: number[], seed: number, scale = 0.5): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => next() * scale);
}

const PARAM_SHAPES: Record<string, number[]> = {
  embed: [10, 16], // vocab 10, 16 = 4×4 image, 1 channel
  conv: [3, 3, 1, 4],
  depthwise: [3, 3, 4, 2],
  deconv: [2, 2, 3, 8], // [h, w, out, in]
  head: [5, 3],
};

let run = 0; // tfjs variable names are global: one fresh set per call

function lossAndGrads(): { loss: number; grads: Record<string, number[]> } {
  run++;
  return tf.tidy(() => {
    const params = Object.fromEntries(Object.entries(PARAM_SHAPES).map(([k, s], i) => [k, tf.variable(tf.tensor(values(s, 100 + i), s), true, `run${run}/${k}`)]));
    const tokens = tf.tensor2d([[1, 4], [7, 1]], [2, 2], 'int32');
    const boxes = tf.tensor2d([[0.1, 0.1, 0.9, 0.8], [0.3, 0.2, 0.7, 0.95]]);
    const f = () => {
      const emb = tf.gather(params.embed, tokens).sum(1); // [2, 16]
      const img = emb.reshape([2, 4, 4, 1]) as Tensor4D;
      const c = tf.relu(tf.conv2d(img, params.conv as Tensor4D, 1, 'same')); // [2, 4, 4, 4]
      const d = tf.depthwiseConv2d(c, params.depthwise as Tensor4D, 2, 'same'); // [2, 2, 2, 8]
      const u = tf.conv2dTranspose(d, params.deconv as Tensor4D, [2, 4, 4, 3], 2, 'same'); // [2, 4, 4, 3]
      const roi = tf.image.cropAndResize(u, boxes as Tensor2D, tf.tensor1d([0, 1], 'int32'), [2, 2]); // [2, 2, 2, 3]
      const picked = tf.gatherND(u, tf.tensor2d([[0, 1, 2], [1, 3, 0]], [2, 3], 'int32')); // [2, 3]
      const strip = tf.stridedSlice(u, [0, 0, 0, 0], [2, 4, 4, 3], [1, 2, 1, 1]).reshape([2, -1]); // [2, 24]
      const scan = tf.cumsum(roi, 1).reshape([2, 12]);
      const feats = tf.concat([picked, strip.slice([0, 0], [2, 4]), scan.slice([0, 0], [2, 5])], 1); // [2, 12]
      const attn = matMul(feats.reshape([2, 3, 4]), feats.reshape([2, 3, 4]), false, true); // [2, 3, 3]
      const out = linear(attn.reshape([2, 9]).slice([0, 0], [2, 3]), params.head); // [2, 5]
      return smoothL1(out.sub(0.1), 0.5).mean() as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(f);
    const named = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(grads[v.name].dataSync())]));
    const loss = value.dataSync()[0];
    Object.values(params).forEach((v) => v.dispose());
    return { loss, grads: named };
  });
}

afterAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('training ops core supplies: wasm equals cpu on one model', () => {
  it('loss and every parameter gradient agree', async () => {
    const cpu = await withBackend('cpu', lossAndGrads);
    const wasm = await withBackend('wasm', lossAndGrads);
    expect(wasm.loss).toBeCloseTo(cpu.loss, 5);
    for (const name of Object.keys(PARAM_SHAPES)) {
      const a = wasm.grads[name];
      const b = cpu.grads[name];
      expect(a.length).toBe(b.length);
      expect(b.some((v) => v !== 0)).toBe(true); // every parameter receives gradient
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-4 * (1 + Math.abs(b[i]))));
    }
  });
});
