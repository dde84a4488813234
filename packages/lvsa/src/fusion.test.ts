import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { concatFusion, createFusion, lastLayerFusion, lvsaFusion, meanFusion, sumFusion } from './fusion.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Three layer features [B=1, N=2, C=2]; the last one is F_L.
const values = [
  [1, 2, 3, 4],
  [10, 20, 30, 40],
  [-2, 0, 6, 8],
];
const makeFeatures = () => values.map((v) => tf.tensor3d(v, [1, 2, 2]));

/** Runs `fn` on fresh features, returns the output values and checks nothing leaked. */
function run(fn: (features: tf.Tensor[]) => tf.Tensor): { data: number[]; shape: number[] } {
  const features = makeFeatures();
  const before = tf.memory().numTensors;
  const out = fn(features);
  const data = Array.from(out.dataSync());
  const shape = out.shape;
  out.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(features);
  return { data, shape };
}

describe('fusion strategies', () => {
  it('last returns F_L', () => {
    expect(run((f) => lastLayerFusion.fuse(f, 0)).data).toEqual([-2, 0, 6, 8]);
  });

  it('concat concatenates channels in layer order → [B, N, |S|·C]', () => {
    const { data, shape } = run((f) => concatFusion.fuse(f, 0));
    expect(shape).toEqual([1, 2, 6]);
    expect(data).toEqual([1, 2, 10, 20, -2, 0, 3, 4, 30, 40, 6, 8]);
    expect(concatFusion.outChannels(2, 3)).toBe(6);
  });

  it('concat gradient routes each channel block back to its layer', () => {
    const features = makeFeatures();
    // weights w[n, k] = 10·n + k over the 6 output channels of each of the 2 tokens
    const w = tf.tensor3d([0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15], [1, 2, 6]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(concatFusion.fuse([a, b, c], 0), w)))(features);
    expect(grads.map((g) => Array.from(g.dataSync()))).toEqual([
      [0, 1, 10, 11],
      [2, 3, 12, 13],
      [4, 5, 14, 15],
    ]);
    tf.dispose([...grads, w, ...features]);
  });

  it('sum and mean', () => {
    expect(run((f) => sumFusion.fuse(f, 0)).data).toEqual([9, 22, 39, 52]);
    const mean = run((f) => meanFusion.fuse(f, 0)).data;
    [3, 22 / 3, 13, 52 / 3].forEach((v, i) => expect(mean[i]).toBeCloseTo(v, 5));
  });

  it('lvsa equals last at α = 0 and mean at α = 1, and blends in between', () => {
    const lvsa = lvsaFusion({ ramp: 'linear', tau: 100 });
    expect(run((f) => lvsa.fuse(f, 0)).data).toEqual([-2, 0, 6, 8]);
    const atTau = run((f) => lvsa.fuse(f, 100)).data;
    const mean = run((f) => meanFusion.fuse(f, 0)).data;
    atTau.forEach((v, i) => expect(v).toBeCloseTo(mean[i], 5));
    // α = 0.25: 0.75·F_L + 0.25·mean; first element 0.75·(−2) + 0.25·3 = −0.75
    const quarter = run((f) => lvsa.fuse(f, 25)).data;
    [-0.75, 0.25 * (22 / 3), 0.75 * 6 + 0.25 * 13, 0.75 * 8 + 0.25 * (52 / 3)].forEach((v, i) =>
      expect(quarter[i]).toBeCloseTo(v, 5),
    );
  });

  it('lvsa gradient wrt each layer is α/|S|, plus (1 − α) for F_L', () => {
    const lvsa = lvsaFusion({ ramp: 'linear', tau: 100 });
    const features = makeFeatures();
    const before = tf.memory().numTensors;
    // α = 0.4, |S| = 3: shallow layers 0.4/3, last layer 0.6 + 0.4/3.
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => lvsa.fuse([a, b, c], 40).sum())(features);
    const expected = [0.4 / 3, 0.4 / 3, 0.6 + 0.4 / 3];
    grads.forEach((g, l) => g.dataSync().forEach((v) => expect(v).toBeCloseTo(expected[l], 6)));
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(features);
  });

  it('rejects empty lists and mismatched shapes with the feature index', () => {
    expect(() => meanFusion.fuse([], 0)).toThrow(/no layer features/);
    const a = tf.zeros([1, 2, 2]);
    const b = tf.zeros([1, 3, 2]);
    expect(() => concatFusion.fuse([a, b], 0)).toThrow(/feature 1 has shape \[1, 3, 2\], expected \[1, 2, 2\]/);
    tf.dispose([a, b]);
  });
});

describe('createFusion', () => {
  it('builds each strategy by name and passes LVSA options', () => {
    for (const name of ['last', 'concat', 'sum', 'mean', 'lvsa'] as const) {
      expect(createFusion(name).name).toBe(name);
    }
    const cosine = createFusion({ name: 'lvsa', tau: 10, ramp: 'cosine' });
    // cosine ramp at t = τ/2 gives α = 0.5 → halfway between F_L and the mean
    const out = run((f) => cosine.fuse(f, 5)).data;
    expect(out[0]).toBeCloseTo(0.5 * -2 + 0.5 * 3, 5);
  });

  it('names the unknown fusion and the known ones', () => {
    expect(() => createFusion('per-layer' as 'last')).toThrow(/unknown fusion 'per-layer' \(known: last, concat, sum, mean, lvsa/);
    expect(() => createFusion({ name: 'lvsa', tau: -1 })).toThrow(/tau/);
  });
});
