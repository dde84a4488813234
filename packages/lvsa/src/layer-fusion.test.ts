import * as tf from '@tensorflow/tfjs';
import { assertGradCheck, assertGradCheckVariables, initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLayerFusion, type LayerFusionName } from './layer-fusion.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const NAMES: LayerFusionName[] = ['last', 'concat', 'sum', 'mean', 'lvsa', 'per-layer-projectors'];
// Three tapped layers of [B=1, N=2, C=3], F_L last.
const makeFeatures = () => [0, 1, 2].map((l) => tf.randomNormal([1, 2, 3], 0, 1, 'float32', 10 + l));

describe('createLayerFusion', () => {
  it('builds every variant as a Module with its output width', () => {
    const widths = NAMES.map((n) => createLayerFusion(n, { channels: 3, numLayers: 3 }).outChannels);
    expect(widths).toEqual([3, 9, 3, 3, 3, 3]);
    const plp = createLayerFusion('per-layer-projectors', { channels: 3, numLayers: 3, outChannels: 5 });
    expect(plp.name).toBe('per-layer-projectors');
    expect(plp.namedParameters().map(([k, v]) => `${k}:${v.shape}`)).toEqual([
      'projectors.0.weight:5,3', 'projectors.0.bias:5', 'projectors.1.weight:5,3', 'projectors.1.bias:5', 'projectors.2.weight:5,3', 'projectors.2.bias:5',
    ]);
    // Parameter-free variants have no parameters unless an output projection is requested.
    expect(createLayerFusion('lvsa', { channels: 3, numLayers: 3 }).numParameters()).toBe(0);
    const projected = createLayerFusion('concat', { channels: 3, numLayers: 3, outChannels: 4 });
    expect(projected.namedParameters().map(([k, v]) => `${k}:${v.shape}`)).toEqual(['proj.weight:4,9', 'proj.bias:4']);
    expect(createLayerFusion('mean', { channels: 3, numLayers: 3, outChannels: 3 }).numParameters()).toBe(0);
    expect(createLayerFusion({ name: 'lvsa', tau: 10, ramp: 'cosine' }, { channels: 3, numLayers: 3 }).name).toBe('lvsa');
  });

  it('per-layer-projectors = mean_i (F_i·W_iᵀ + b_i) (hand-computed)', () => {
    const fusion = createLayerFusion('per-layer-projectors', { channels: 2, numLayers: 2, outChannels: 1 });
    const p = Object.fromEntries(fusion.namedParameters());
    p['projectors.0.weight'].assign(tf.tensor2d([[1, 2]]));
    p['projectors.0.bias'].assign(tf.tensor1d([0.5]));
    p['projectors.1.weight'].assign(tf.tensor2d([[-1, 3]]));
    p['projectors.1.bias'].assign(tf.tensor1d([1]));
    const f0 = tf.tensor3d([1, 1, 2, 0], [1, 2, 2]);
    const f1 = tf.tensor3d([0, 1, 4, -1], [1, 2, 2]);
    const out = fusion.fuse([f0, f1], 0);
    // token 0: ((1 + 2 + 0.5) + (0 + 3 + 1)) / 2 = 3.75; token 1: ((2 + 0 + 0.5) + (−4 − 3 + 1)) / 2 = −1.75
    expect(out.shape).toEqual([1, 2, 1]);
    expect(Array.from(out.dataSync())).toEqual([3.75, -1.75]);
    tf.dispose([f0, f1, out]);
    fusion.dispose();
  });

  it.each(NAMES)('%s: gradient w.r.t. every feature matches finite differences', (name) => {
    const fusion = createLayerFusion(name === 'lvsa' ? { name: 'lvsa', tau: 10 } : name, { channels: 3, numLayers: 3, outChannels: name === 'per-layer-projectors' ? 4 : undefined, seed: 1 });
    const features = makeFeatures();
    // lvsa at step 4 of τ = 10: α = 0.4, every layer contributes.
    // 'last' ignores the shallow layers (tfjs cannot differentiate w.r.t. an unused input):
    // check F_L, and that the output does not depend on the others at all.
    const wrt = name === 'last' ? [2] : [0, 1, 2];
    const report = assertGradCheck((a, b, c) => fusion.fuse([a, b, c], 4), features, { wrt });
    expect(report.checked).toBe(6 * wrt.length);
    if (name === 'last') {
      const other = [tf.onesLike(features[0]), tf.onesLike(features[1]), features[2]];
      const [y0, y1] = [fusion.fuse(features, 4), fusion.fuse(other, 4)];
      expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
      tf.dispose([other[0], other[1], y0, y1]);
    }
    tf.dispose(features);
    fusion.dispose();
  });

  it('per-layer-projectors and a concat output projection: parameter gradients match finite differences', () => {
    const features = makeFeatures();
    for (const [name, out] of [['per-layer-projectors', 4], ['concat', 2]] as const) {
      const fusion = createLayerFusion(name, { channels: 3, numLayers: 3, outChannels: out, seed: 2 });
      const report = assertGradCheckVariables(() => fusion.fuse(features, 0), fusion.trainableParameters());
      expect(report.checked).toBe(fusion.numParameters());
      fusion.dispose();
    }
    tf.dispose(features);
  });

  it('does not leak tensors over repeated training steps', () => {
    const fusion = createLayerFusion('per-layer-projectors', { channels: 3, numLayers: 3 });
    const features = makeFeatures();
    const step = (t: number) =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(fusion.fuse(features, t))) as tf.Scalar, fusion.trainableParameters());
        for (const v of fusion.trainableParameters()) v.assign(tf.sub(v, tf.mul(0.1, grads[v.name])));
        return value.dataSync()[0];
      });
    const first = step(0);
    const baseline = tf.memory().numTensors;
    let last = first;
    for (let t = 1; t < 20; t++) last = step(t);
    expect(tf.memory().numTensors).toBe(baseline);
    expect(last).toBeLessThan(first);
    tf.dispose(features);
    fusion.dispose();
  });

  it('rejects wrong layer counts, widths, shapes and bad sizes', () => {
    const fusion = createLayerFusion('sum', { channels: 3, numLayers: 3 });
    const features = makeFeatures();
    expect(() => fusion.fuse(features.slice(1), 0)).toThrow(/got 2 layer features, built for 3/);
    const wide = [0, 1, 2].map(() => tf.zeros([1, 2, 4]));
    expect(() => fusion.fuse(wide, 0)).toThrow(/features have 4 channels \(\[1, 2, 4\]\), built for 3/);
    const mixed = [features[0], features[1], tf.zeros([1, 3, 3])];
    expect(() => fusion.fuse(mixed, 0)).toThrow(/feature 2 has shape \[1, 3, 3\], expected \[1, 2, 3\]/);
    expect(() => createLayerFusion('mean', { channels: 0, numLayers: 3 })).toThrow(/channels must be a positive integer, got 0/);
    expect(() => createLayerFusion('mean', { channels: 3, numLayers: 3, outChannels: 1.5 })).toThrow(/outChannels must be a positive integer/);
    expect(() => createLayerFusion('cat' as 'concat', { channels: 3, numLayers: 3 })).toThrow(/unknown fusion 'cat'/);
    tf.dispose([...features, ...wide, mixed[2]]);
  });
});
