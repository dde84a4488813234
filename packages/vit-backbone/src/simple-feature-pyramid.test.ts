import * as tf from '@tensorflow/tfjs';
import { assertGradCheckVariables, initBackend } from '@babelrs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvNorm, ConvTranspose2x2, maxPool2x2 } from './conv-layers.js';
import { SimpleFeaturePyramid } from './simple-feature-pyramid.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [a.dataSync(), b.dataSync()];
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(tol);
}

describe('ConvTranspose2x2', () => {
  it('equals tf.conv2dTranspose with the PyTorch weight [in, out, 2, 2] (and a hand case)', () => {
    const up = new ConvTranspose2x2(3, 2, undefined);
    const x = tf.randomNormal([2, 3, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const ours = up.forward(x);
    const ref = tf.tidy(() => {
      // tfjs conv2dTranspose filter: [kh, kw, outChannels, inChannels]
      const filter = tf.transpose(up.getParameter('weight'), [2, 3, 1, 0]) as tf.Tensor4D;
      return tf.add(tf.conv2dTranspose(x, filter, [2, 6, 8, 2], 2, 'valid'), up.getParameter('bias'));
    });
    expectClose(ours, ref);
    // Hand case: 1 input channel, 1 output channel, weight [[1, 2], [3, 4]], bias 0.5, x = [[1, 10]]
    const hand = new ConvTranspose2x2(1, 1);
    hand.getParameter('weight').assign(tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]));
    hand.getParameter('bias').assign(tf.tensor1d([0.5]));
    const y = hand.forward(tf.tensor4d([1, 10], [1, 1, 2, 1]));
    expect(Array.from(y.dataSync())).toEqual([1.5, 2.5, 10.5, 20.5, 3.5, 4.5, 30.5, 40.5]);
    tf.dispose([x, ours, ref, y]);
    up.dispose();
    hand.dispose();
  });
});

describe('ConvNorm and maxPool2x2', () => {
  it('3×3 conv uses padding 1 (hand case: a centred 1 picks the flipped-free kernel)', () => {
    const conv = new ConvNorm(1, 1, 3);
    conv.getParameter('weight').assign(tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]));
    // An impulse at (1, 1) of a 3×3 map: cross-correlation output at (y, x) is w[1 − y + 1, 1 − x + 1]
    const x = tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 3, 3, 1]);
    const raw = tf.tidy(() => tf.conv2d(x, tf.transpose(conv.getParameter('weight'), [2, 3, 1, 0]) as tf.Tensor4D, 1, 'same'));
    expect(Array.from(raw.dataSync())).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // With one channel, LayerNorm over C=1 maps everything to its bias (0).
    const y = conv.forward(x);
    expect(Array.from(y.dataSync())).toEqual(new Array(9).fill(0));
    tf.dispose([x, raw, y]);
    conv.dispose();
  });

  it('max-pools 2×2 and drops an odd last row/column as torch (floor)', () => {
    const x = tf.tensor4d(Array.from({ length: 15 }, (_, i) => i), [1, 3, 5, 1]);
    const y = maxPool2x2(x);
    expect(y.shape).toEqual([1, 1, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([6, 8]);
    tf.dispose([x, y]);
  });
});

describe('SimpleFeaturePyramid', () => {
  it('gives one NHWC map per scale, finest first, with detectron2 parameter names', () => {
    const fpn = new SimpleFeaturePyramid({ inChannels: 8, outChannels: 6, scaleFactors: [1, 4, 0.5, 2], patchSize: 16 });
    expect(fpn.strides).toEqual([4, 8, 16, 32]);
    const names = Object.fromEntries(fpn.namedParameters().map(([k, v]) => [k, v.shape]));
    expect(names).toEqual({
      'simfp_2.0.weight': [8, 4, 2, 2],
      'simfp_2.0.bias': [4],
      'simfp_2.1.weight': [4],
      'simfp_2.1.bias': [4],
      'simfp_2.3.weight': [4, 2, 2, 2],
      'simfp_2.3.bias': [2],
      'simfp_2.4.weight': [6, 2, 1, 1],
      'simfp_2.4.norm.weight': [6],
      'simfp_2.4.norm.bias': [6],
      'simfp_2.5.weight': [6, 6, 3, 3],
      'simfp_2.5.norm.weight': [6],
      'simfp_2.5.norm.bias': [6],
      'simfp_3.0.weight': [8, 4, 2, 2],
      'simfp_3.0.bias': [4],
      'simfp_3.1.weight': [6, 4, 1, 1],
      'simfp_3.1.norm.weight': [6],
      'simfp_3.1.norm.bias': [6],
      'simfp_3.2.weight': [6, 6, 3, 3],
      'simfp_3.2.norm.weight': [6],
      'simfp_3.2.norm.bias': [6],
      'simfp_4.0.weight': [6, 8, 1, 1],
      'simfp_4.0.norm.weight': [6],
      'simfp_4.0.norm.bias': [6],
      'simfp_4.1.weight': [6, 6, 3, 3],
      'simfp_4.1.norm.weight': [6],
      'simfp_4.1.norm.bias': [6],
      'simfp_5.1.weight': [6, 8, 1, 1],
      'simfp_5.1.norm.weight': [6],
      'simfp_5.1.norm.bias': [6],
      'simfp_5.2.weight': [6, 6, 3, 3],
      'simfp_5.2.norm.weight': [6],
      'simfp_5.2.norm.bias': [6],
    });
    const map = tf.randomNormal([2, 4, 6, 8], 0, 1, 'float32', 2) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const levels = fpn.forward(map);
    expect(levels.map((l) => l.shape)).toEqual([[2, 16, 24, 6], [2, 8, 12, 6], [2, 4, 6, 6], [2, 2, 3, 6]]);
    tf.dispose(levels);
    expect(tf.memory().numTensors).toBe(before);
    map.dispose();
    fpn.dispose();
  });

  it('rejects unsupported scales, channel counts and input maps', () => {
    expect(() => new SimpleFeaturePyramid({ inChannels: 8, outChannels: 4, scaleFactors: [3], patchSize: 16 })).toThrow(/scale factor 3 is not supported/);
    expect(() => new SimpleFeaturePyramid({ inChannels: 6, outChannels: 4, scaleFactors: [4], patchSize: 16 })).toThrow(/divisible by 4, got 6/);
    expect(() => new SimpleFeaturePyramid({ inChannels: 8, outChannels: 4, scaleFactors: [1, 1], patchSize: 16 })).toThrow(/duplicates/);
    const fpn = new SimpleFeaturePyramid({ inChannels: 8, outChannels: 4, scaleFactors: [1], patchSize: 16 });
    const bad = tf.zeros([1, 8, 4, 4]) as tf.Tensor4D; // NCHW by mistake
    expect(() => fpn.forward(bad)).toThrow(/expected an NHWC map \[B, gh, gw, 8\], got \[1, 8, 4, 4\]/);
    bad.dispose();
    fpn.dispose();
  });

  it('parameter gradients match finite differences (cpu, all four level types)', () => {
    const fpn = new SimpleFeaturePyramid({ inChannels: 4, outChannels: 3, scaleFactors: [4, 2, 1, 0.5], patchSize: 4, seed: 3 });
    const map = tf.randomNormal([1, 2, 2, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
    const fn = () => tf.tidy(() => tf.concat(fpn.forward(map).map((l) => tf.reshape(l, [-1]))));
    assertGradCheckVariables(fn, fpn.trainableParameters(), { eps: 1e-3, rtol: 2e-2, atol: 2e-3 });
    map.dispose();
    fpn.dispose();
  });
});

describe('SimpleFeaturePyramid on the wasm backend', () => {
  afterAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });

  it('forward and every gradient equal the cpu backend (Conv2DBackpropFilter, MaxPoolGrad, deconv)', async () => {
    const run = async (backend: 'cpu' | 'wasm') => {
      expect((await initBackend({ prefer: backend })).backend).toBe(backend);
      const fpn = new SimpleFeaturePyramid({ inChannels: 8, outChannels: 4, scaleFactors: [4, 2, 1, 0.5], patchSize: 16, seed: 5 });
      const map = tf.randomNormal([2, 3, 4, 8], 0, 1, 'float32', 6) as tf.Tensor4D;
      const weights = [0.5, -1, 2, 1.5];
      const { value, grads } = tf.variableGrads(
        () => tf.addN(fpn.forward(map).map((l, i) => tf.mul(weights[i], tf.sum(tf.square(tf.sin(l)))))) as tf.Scalar,
        fpn.trainableParameters(),
      );
      const out = {
        loss: value.dataSync()[0],
        grads: fpn.namedParameters().map(([name, v]) => [name, Array.from(grads[v.name].dataSync())] as const),
      };
      tf.dispose([value, ...Object.values(grads), map]);
      fpn.dispose();
      return out;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.loss).toBeCloseTo(cpu.loss, 3);
    expect(wasm.grads.length).toBe(32);
    wasm.grads.forEach(([name, g], k) => {
      const ref = cpu.grads[k][1];
      const scale = Math.max(1e-3, ...ref.map(Math.abs));
      g.forEach((v, i) => expect(Math.abs(v - ref[i]) / scale, `${name}[${i}]`).toBeLessThan(1e-3));
    });
  });
});
