import * as tf from '@tensorflow/tfjs';
import { assertGradCheckVariables } from '@babelrs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { interpolatePosEmbed, resizeGridTokens } from './pos-embed.js';
import { tokensToNchw, tokensToNhwc } from './tokens.js';
import { ViT } from './vit.js';
import type { VitConfig } from './vit-config.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny: VitConfig = {
  embedDim: 8,
  depth: 3,
  numHeads: 2,
  mlpHiddenDim: 16,
  patchSize: 4,
  imgSize: 16,
  inChannels: 3,
  qkvBias: true,
  numPrefixTokens: 1,
  layerNormEps: 1e-6,
  layerScaleInit: 0.1,
};

describe('ViT', () => {
  it('names its parameters with timm state-dict keys and shapes', () => {
    const vit = new ViT(tiny, { seed: 1 });
    const shapes = Object.fromEntries(vit.namedParameters().map(([k, v]) => [k, v.shape]));
    expect(shapes['cls_token']).toEqual([1, 1, 8]);
    expect(shapes['pos_embed']).toEqual([1, 17, 8]);
    expect(shapes['patch_embed.proj.weight']).toEqual([8, 3, 4, 4]);
    expect(shapes['patch_embed.proj.bias']).toEqual([8]);
    expect(shapes['blocks.2.attn.qkv.weight']).toEqual([24, 8]);
    expect(shapes['blocks.2.attn.qkv.bias']).toEqual([24]);
    expect(shapes['blocks.0.attn.proj.weight']).toEqual([8, 8]);
    expect(shapes['blocks.0.ls1.gamma']).toEqual([8]);
    expect(shapes['blocks.0.ls2.gamma']).toEqual([8]);
    expect(shapes['blocks.1.mlp.fc1.weight']).toEqual([16, 8]);
    expect(shapes['blocks.1.mlp.fc2.weight']).toEqual([8, 16]);
    expect(shapes['blocks.1.norm1.weight']).toEqual([8]);
    expect(shapes['blocks.1.norm2.bias']).toEqual([8]);
    expect(shapes['norm.weight']).toEqual([8]);
    // 2 + 2 patch + 3 blocks × 14 + 2 norm
    expect(Object.keys(shapes)).toHaveLength(2 + 2 + 3 * 14 + 2);
    const plain = new ViT({ ...tiny, numPrefixTokens: 0, layerScaleInit: null, qkvBias: false, finalNorm: false });
    const names = plain.namedParameters().map(([k]) => k);
    expect(names).not.toContain('cls_token');
    expect(names).not.toContain('blocks.0.ls1.gamma');
    expect(names).not.toContain('blocks.0.attn.qkv.bias');
    expect(names).not.toContain('norm.weight');
    vit.dispose();
    plain.dispose();
  });

  it('is deterministic per seed', () => {
    const a = new ViT(tiny, { seed: 5 });
    const b = new ViT(tiny, { seed: 5 });
    const c = new ViT(tiny, { seed: 6 });
    const wa = a.stateDict()['blocks.1.attn.qkv.weight'].dataSync();
    expect(Array.from(b.stateDict()['blocks.1.attn.qkv.weight'].dataSync())).toEqual(Array.from(wa));
    expect(Array.from(c.stateDict()['blocks.1.attn.qkv.weight'].dataSync())).not.toEqual(Array.from(wa));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('taps are the grid tokens after each requested block, in the order given, without leaks', () => {
    const vit = new ViT(tiny, { seed: 2 }).eval();
    const images = tf.randomNormal([2, 3, 12, 20], 0, 1, 'float32', 3) as tf.Tensor4D; // grid 3×5 ≠ 4×4
    const before = tf.memory().numTensors;
    const { taps, grid } = vit.forwardTaps(images, [2, 0, -2]);
    expect(grid).toEqual([3, 5]);
    expect(taps.map((t) => t.shape)).toEqual([[2, 15, 8], [2, 15, 8], [2, 15, 8]]);
    // Manual: embed, then blocks one by one.
    const manual = tf.tidy(() => {
      let x = vit.embed(images).tokens;
      const outs: tf.Tensor[] = [];
      for (const block of vit.blocks) {
        x = block.forward(x);
        outs.push(tf.slice(x, [0, 1, 0], [-1, -1, -1]));
      }
      return outs;
    });
    const expectClose = (a: tf.Tensor, b: tf.Tensor) => {
      const [x, y] = [a.dataSync(), b.dataSync()];
      for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(y[i], 5);
    };
    expectClose(taps[0], manual[2]);
    expectClose(taps[1], manual[0]);
    expectClose(taps[2], manual[1]);
    tf.dispose([...taps, ...manual]);
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
    vit.dispose();
  });

  it('adds the pos_embed resampled to the input grid (same numbers as interpolatePosEmbed)', () => {
    const vit = new ViT({ ...tiny, depth: 1 }, { seed: 3 });
    const pos = vit.getParameter('pos_embed') as unknown as tf.Tensor3D;
    for (const antialias of [false, true]) {
      const viaOps = tf.tidy(() => resizeGridTokens(tf.slice(pos, [0, 1, 0], [1, -1, -1]) as tf.Tensor3D, [4, 4], [3, 7], { antialias }));
      const reference = interpolatePosEmbed(pos, [4, 4], [3, 7], 1, { antialias });
      const a = viaOps.dataSync();
      const e = reference.dataSync().subarray(8);
      expect(a.length).toBe(e.length);
      for (let i = 0; i < e.length; i++) expect(Math.abs(a[i] - e[i])).toBeLessThan(1e-6);
      tf.dispose([viaOps, reference]);
    }
    // embed = patch tokens + resampled pos; class token = cls_token + pos[0]
    const images = tf.zeros([1, 3, 12, 28]) as tf.Tensor4D;
    const { tokens } = vit.embed(images);
    const bias = vit.stateDict()['patch_embed.proj.bias'].dataSync();
    const resampled = interpolatePosEmbed(pos, [4, 4], [3, 7], 1);
    const r = resampled.dataSync();
    const cls = vit.getParameter('cls_token').dataSync();
    const t = tokens.dataSync();
    for (let d = 0; d < 8; d++) expect(t[d]).toBeCloseTo(cls[d] + r[d], 6);
    for (let i = 8; i < t.length; i++) expect(t[i]).toBeCloseTo(r[i] + bias[i % 8], 6);
    tf.dispose([images, tokens, resampled]);
    vit.dispose();
  });

  it('gradients of every parameter match finite differences (tiny ViT, input grid ≠ pos grid)', () => {
    const cfg: VitConfig = { ...tiny, embedDim: 4, depth: 1, numHeads: 2, mlpHiddenDim: 8, imgSize: 8, layerScaleInit: 0.5 };
    const vit = new ViT(cfg, { seed: 4 });
    const images = tf.randomNormal([2, 3, 12, 8], 0, 1, 'float32', 9) as tf.Tensor4D; // grid 3×2 vs pos 2×2
    const fn = () => {
      const { taps } = vit.forwardTaps(images, [0]);
      return taps[0];
    };
    // Taps are taken before the final norm, so every parameter except norm.* is checked.
    const params = vit.namedParameters().filter(([k]) => !k.startsWith('norm.'));
    expect(params).toHaveLength(2 + 2 + 14);
    const report = assertGradCheckVariables(fn, params.map(([, v]) => v), { eps: 1e-2, rtol: 2e-2, atol: 2e-3 });
    expect(report.checked).toBe(vit.numParameters() - 8);
    images.dispose();
    vit.dispose();
  });

  it('forwardFeatures applies the final norm to all tokens; forwardMaps gives NCHW', () => {
    const vit = new ViT(tiny, { seed: 6 }).eval();
    const images = tf.randomNormal([1, 3, 16, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
    const feats = vit.forwardFeatures(images);
    expect(feats.shape).toEqual([1, 1 + 8, 8]);
    // LayerNorm with weight 1, bias 0: each token has mean 0
    const f = feats.dataSync();
    for (let n = 0; n < 9; n++) expect(Array.from(f.slice(n * 8, n * 8 + 8)).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 4);
    const { maps, grid } = vit.forwardMaps(images, [-1]);
    expect(grid).toEqual([4, 2]);
    expect(maps[0].shape).toEqual([1, 8, 4, 2]);
    const { taps } = vit.forwardTaps(images, [-1]);
    const nhwc = tokensToNhwc(taps[0], grid);
    const nchw = tokensToNchw(taps[0], grid);
    // element (b=0, y=3, x=1, d=5) in both layouts
    expect(nchw.dataSync()[5 * 8 + 3 * 2 + 1]).toBeCloseTo(nhwc.dataSync()[(3 * 2 + 1) * 8 + 5], 6);
    expect(maps[0].dataSync()[5 * 8 + 3 * 2 + 1]).toBeCloseTo(nhwc.dataSync()[(3 * 2 + 1) * 8 + 5], 5);
    tf.dispose([images, feats, ...maps, ...taps, nhwc, nchw]);
    vit.dispose();
  });

  it('1-channel (SAR) input without a class token: patch embedding = stride-p conv, taps from all tokens', () => {
    const vit = new ViT({ ...tiny, inChannels: 1, numPrefixTokens: 0, depth: 1 }, { seed: 8 }).eval();
    const images = tf.randomNormal([1, 1, 8, 12], 0, 1, 'float32', 2) as tf.Tensor4D;
    const { tokens, grid } = vit.embed(images);
    expect(grid).toEqual([2, 3]);
    expect(tokens.shape).toEqual([1, 6, 8]);
    // Reference: tf.conv2d with the PyTorch weight [D, 1, 4, 4] → [4, 4, 1, D], plus bias and
    // the pos_embed resampled from 4×4 to 2×3.
    const sd = vit.stateDict();
    const expected = tf.tidy(() => {
      const conv = tf.conv2d(tf.transpose(images, [0, 2, 3, 1]) as tf.Tensor4D, tf.transpose(sd['patch_embed.proj.weight'], [2, 3, 1, 0]) as tf.Tensor4D, 4, 'valid');
      const pos = interpolatePosEmbed(sd['pos_embed'] as unknown as tf.Tensor3D, [4, 4], [2, 3], 0);
      return tf.add(tf.add(tf.reshape(conv, [1, 6, 8]), sd['patch_embed.proj.bias']), pos);
    });
    const [a, e] = [tokens.dataSync(), expected.dataSync()];
    for (let i = 0; i < e.length; i++) expect(a[i]).toBeCloseTo(e[i], 5);
    const { taps } = vit.forwardTaps(images, [0]);
    expect(taps[0].shape).toEqual([1, 6, 8]);
    tf.dispose([images, tokens, expected, ...taps]);
    vit.dispose();
  });

  it('rejects bad configs, channel counts, image sizes and tap indices', () => {
    expect(() => new ViT({ ...tiny, numHeads: 3 })).toThrow(/embedDim 8 is not divisible by numHeads 3/);
    expect(() => new ViT({ ...tiny, numPrefixTokens: 2 })).toThrow(/numPrefixTokens must be 0 or 1/);
    expect(() => new ViT({ ...tiny, imgSize: 18 })).toThrow(/imgSize 18 is not a multiple of patchSize 4/);
    const vit = new ViT(tiny);
    const one = tf.zeros([1, 1, 16, 16]) as tf.Tensor4D;
    const odd = tf.zeros([1, 3, 16, 18]) as tf.Tensor4D;
    expect(() => vit.forwardTaps(one, [0])).toThrow(/expected images \[B, 3, H, W\], got \[1, 1, 16, 16\]/);
    expect(() => vit.forwardTaps(odd, [0])).toThrow(/16×18 is not divisible by the patch size 4/);
    const ok = tf.zeros([1, 3, 16, 16]) as tf.Tensor4D;
    expect(() => vit.forwardTaps(ok, [3])).toThrow(/block index 3 is out of range for depth 3/);
    expect(() => vit.forwardTaps(ok, [])).toThrow(/no block index/);
    tf.dispose([one, odd, ok]);
    vit.dispose();
  });
});
