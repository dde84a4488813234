// The wasm backend is the project's CPU default: every fusion must run there forward and
// backward and give the same numbers as the hand-checked cpu tests.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFusion } from './fusion.js';

beforeAll(async () => {
  expect((await initBackend({ prefer: 'wasm' })).backend).toBe('wasm');
});

describe('fusions on the wasm backend', () => {
  it('values and gradients (hand-computed) for concat and lvsa', () => {
    expect(tf.getBackend()).toBe('wasm');
    const features = [tf.tensor3d([1, 2, 3, 4], [1, 2, 2]), tf.tensor3d([-2, 0, 6, 8], [1, 2, 2])];
    const concat = createFusion('concat').fuse(features, 0);
    expect(Array.from(concat.dataSync())).toEqual([1, 2, -2, 0, 3, 4, 6, 8]);
    const lvsa = createFusion({ name: 'lvsa', tau: 10 });
    const fused = lvsa.fuse(features, 5); // α = 0.5: 0.5·F_L + 0.5·mean
    [0.5 * -2 + 0.5 * -0.5, 0.5 * 0 + 0.5 * 1, 0.5 * 6 + 0.5 * 4.5, 0.5 * 8 + 0.5 * 6].forEach((v, i) =>
      expect(fused.dataSync()[i]).toBeCloseTo(v, 6),
    );
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(lvsa.fuse([a, b], 5)))(features);
    // α/|S| = 0.25 for the shallow layer, (1 − α) + α/|S| = 0.75 for F_L
    expect(grads.map((g) => Array.from(g.dataSync()))).toEqual([[0.25, 0.25, 0.25, 0.25], [0.75, 0.75, 0.75, 0.75]]);
    tf.dispose([...features, concat, fused, ...grads]);
  });
});

describe('LayerFusion on the wasm backend', () => {
  it('per-layer-projectors: gradients of features and projectors match finite differences', async () => {
    const { assertGradCheck, assertGradCheckVariables } = await import('@babelrs/core');
    const { createLayerFusion } = await import('./layer-fusion.js');
    expect(tf.getBackend()).toBe('wasm');
    const fusion = createLayerFusion('per-layer-projectors', { channels: 3, numLayers: 2, outChannels: 2, seed: 3 });
    const features = [tf.randomNormal([1, 2, 3], 0, 1, 'float32', 1), tf.randomNormal([1, 2, 3], 0, 1, 'float32', 2)];
    assertGradCheck((a, b) => fusion.fuse([a, b], 0), features);
    assertGradCheckVariables(() => fusion.fuse(features, 0), fusion.trainableParameters());
    tf.dispose(features);
    fusion.dispose();
  });
});
