import * as tf from '@tensorflow/tfjs';
import { assertGradCheckVariables, autocast, initBackend, roundToF16 } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv2d.js';
import { ConvNormAct } from './conv-tower.js';
import { GroupNorm } from './group-norm.js';
import { priorPoints, squareAnchors } from './prior-points.js';
import { Scale } from './scale.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('Conv2d (torch weight layout, NHWC data)', () => {
  it('matches a hand-computed 3×3 convolution with zero padding', () => {
    const conv = new Conv2d(2, 1, { std: 1 });
    // weight [out=1, in=2, 3, 3]: channel 0 = centre tap 1, channel 1 = top-left tap 2; bias 0.5
    const w = new Float32Array(18);
    w[4] = 1;
    w[9] = 2;
    conv.getParameter('weight').assign(tf.tensor4d(w, [1, 2, 3, 3]));
    conv.getParameter('bias').assign(tf.tensor1d([0.5]));
    // x[y][x][c]: c0 = 1..9 row-major, c1 = 10·(1..9)
    const x = tf.tensor4d(Array.from({ length: 9 }, (_, i) => [i + 1, 10 * (i + 1)]).flat(), [1, 3, 3, 2]);
    const y = conv.forward(x).dataSync();
    // out(y, x) = c0(y, x) + 2·c1(y − 1, x − 1) + 0.5
    const want = Array.from({ length: 9 }, (_, i) => {
      const [r, c] = [Math.floor(i / 3), i % 3];
      const tl = r > 0 && c > 0 ? 10 * ((r - 1) * 3 + c) : 0;
      return i + 1 + 2 * tl + 0.5;
    });
    expect(Array.from(y)).toEqual(want);
    tf.dispose(x);
    conv.dispose();
  });

  it('equals tf.conv2d (same padding) for kernel sizes 1, 3 and 5', () => {
    for (const k of [1, 3, 5]) {
      const conv = new Conv2d(3, 4, { kernelSize: k, std: 0.3 });
      const x = tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', k) as tf.Tensor4D;
      const ours = conv.forward(x).dataSync();
      const ref = tf.tidy(() => tf.add(tf.conv2d(x, tf.transpose(conv.getParameter('weight'), [2, 3, 1, 0]) as tf.Tensor4D, 1, 'same'), conv.getParameter('bias')).dataSync());
      ref.forEach((v, i) => expect(ours[i]).toBeCloseTo(v, 4));
      x.dispose();
      conv.dispose();
    }
  });

  it("follows core's autocast: fp16 outputs are fp16 values close to the fp32 ones", () => {
    const conv = new Conv2d(3, 4, { std: 0.3 });
    const x = tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const full = conv.forward(x).dataSync();
    const half = autocast('fp16', () => conv.forward(x)).dataSync();
    expect(Array.from(roundToF16(half))).toEqual(Array.from(half));
    half.forEach((v, i) => expect(Math.abs(v - full[i])).toBeLessThan(2e-3 * Math.max(1, Math.abs(full[i]))));
    expect(Array.from(half)).not.toEqual(Array.from(full));
    x.dispose();
    conv.dispose();
  });

  it('gradients w.r.t. weight and bias match finite differences', () => {
    const conv = new Conv2d(2, 3);
    tf.tidy(() => conv.getParameter('weight').assign(tf.randomNormal([3, 2, 3, 3], 0, 0.5, 'float32', 4)));
    const x = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    assertGradCheckVariables(() => conv.forward(x), conv.parameters(), { eps: 1e-2 });
    x.dispose();
    conv.dispose();
  });
});

describe('GroupNorm', () => {
  it('normalises per sample and group over H, W and the group channels (biased variance)', () => {
    const gn = new GroupNorm(2, 4);
    const vals = Array.from({ length: 2 * 2 * 4 }, (_, i) => (i * 37) % 11);
    const x = tf.tensor4d(vals, [1, 2, 2, 4]);
    const y = gn.forward(x).dataSync();
    for (const g of [0, 1]) {
      const idx = [0, 1, 2, 3].flatMap((p) => [p * 4 + 2 * g, p * 4 + 2 * g + 1]);
      const mean = idx.reduce((a, i) => a + vals[i], 0) / 8;
      const variance = idx.reduce((a, i) => a + (vals[i] - mean) ** 2, 0) / 8;
      idx.forEach((i) => expect(y[i]).toBeCloseTo((vals[i] - mean) / Math.sqrt(variance + 1e-5), 4));
    }
    x.dispose();
    gn.dispose();
  });

  it('gradients (affine and through a conv) match finite differences', () => {
    const block = new ConvNormAct(2, 4, 2);
    tf.tidy(() => block.getModule('conv').getParameter('weight').assign(tf.randomNormal([4, 2, 3, 3], 0, 0.5, 'float32', 6)));
    tf.tidy(() => block.getModule('gn').getParameter('weight').assign(tf.tensor1d([1, 0.5, 2, 1.5])));
    const x = tf.randomNormal([2, 3, 3, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
    assertGradCheckVariables(() => block.forward(x), block.parameters(), { eps: 1e-2, rtol: 3e-2, atol: 2e-3 });
    x.dispose();
    block.dispose();
  });

  it('Scale multiplies by its learnable scalar', () => {
    const s = new Scale(2.5);
    expect(Array.from(s.forward(tf.tensor1d([1, -2])).dataSync())).toEqual([2.5, -5]);
    s.dispose();
  });
});

describe('priorPoints / squareAnchors', () => {
  it('enumerates levels row-major with the given offset', () => {
    const p = priorPoints([{ height: 2, width: 3, stride: 4 }, { height: 1, width: 2, stride: 8 }], 0.5);
    expect(p.perLevel).toEqual([6, 2]);
    expect(Array.from(p.points)).toEqual([2, 2, 6, 2, 10, 2, 2, 6, 6, 6, 10, 6, 4, 4, 12, 4]);
    expect(Array.from(p.levels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    const q = priorPoints([{ height: 1, width: 2, stride: 8 }], 0);
    expect(Array.from(squareAnchors(q, 2))).toEqual([-8, -8, 8, 8, 0, -8, 16, 8]);
    expect(() => priorPoints([{ height: 0, width: 2, stride: 8 }], 0)).toThrow(/level 0: bad shape 0×2/);
  });
});
