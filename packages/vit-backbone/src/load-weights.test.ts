import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { VitWeightError } from './errors.js';
import { loadVitWeights, vitParamName } from './load-weights.js';
import { interpolatePosEmbed } from './pos-embed.js';
import { ViT } from './vit.js';
import type { VitConfig } from './vit-config.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cfg: VitConfig = {
  embedDim: 8,
  depth: 2,
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

/** A checkpoint with the ViT's own (timm) keys and fresh values from another seed. */
function timmCheckpoint(seed = 7): Map<string, tf.Tensor> {
  const src = new ViT(cfg, { seed });
  const out = new Map(src.namedParameters().map(([k, v]) => [k, tf.clone(v)] as const));
  src.dispose();
  return out;
}

describe('vitParamName (key map)', () => {
  it('maps InternViT keys to timm names', () => {
    expect(vitParamName('embeddings.class_embedding', 'internvit')).toBe('cls_token');
    expect(vitParamName('embeddings.position_embedding', 'internvit')).toBe('pos_embed');
    expect(vitParamName('embeddings.patch_embedding.weight', 'internvit')).toBe('patch_embed.proj.weight');
    expect(vitParamName('encoder.layers.11.ls2', 'internvit')).toBe('blocks.11.ls2.gamma');
    expect(vitParamName('encoder.layers.3.attn.qkv.bias', 'internvit')).toBe('blocks.3.attn.qkv.bias');
    expect(vitParamName('encoder.layers.0.mlp.fc2.weight', 'internvit')).toBe('blocks.0.mlp.fc2.weight');
    expect(vitParamName('encoder.layer.0.mlp.fc2.weight', 'internvit')).toBeNull();
    expect(vitParamName('blocks.0.attn.qkv.weight', 'timm')).toBe('blocks.0.attn.qkv.weight');
  });
});

describe('loadVitWeights', () => {
  it('copies every value (timm / babelrs keys) and leaves the caller owning the tensors', () => {
    const ckpt = timmCheckpoint();
    const vit = new ViT(cfg, { seed: 1 });
    const report = loadVitWeights(vit, ckpt, { style: 'babelrs' });
    expect(report.loaded).toHaveLength(ckpt.size);
    for (const [k, v] of vit.namedParameters()) expect(Array.from(v.dataSync())).toEqual(Array.from((ckpt.get(k) as tf.Tensor).dataSync()));
    ckpt.forEach((t) => expect(t.isDisposed).toBe(false));
    tf.dispose([...ckpt.values()]);
    vit.dispose();
  });

  it('one error lists every wrong shape (key, expected, found), missing key and unknown key; nothing is loaded', () => {
    const ckpt = timmCheckpoint();
    (ckpt.get('blocks.0.attn.qkv.weight') as tf.Tensor).dispose();
    ckpt.set('blocks.0.attn.qkv.weight', tf.zeros([24, 9]));
    (ckpt.get('blocks.1.mlp.fc1.bias') as tf.Tensor).dispose();
    ckpt.delete('blocks.1.mlp.fc1.bias');
    ckpt.set('blocks.0.attn.q_norm.weight', tf.zeros([8]));
    const vit = new ViT(cfg, { seed: 1 });
    const before = Array.from(vit.getParameter('pos_embed').dataSync());
    let err: unknown;
    try {
      loadVitWeights(vit, ckpt, { style: 'timm' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VitWeightError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/3 problem\(s\), nothing was loaded/);
    expect(msg).toMatch(/key "blocks\.0\.attn\.qkv\.weight" \(→ "blocks\.0\.attn\.qkv\.weight"\): expected shape \[24, 8\], found \[24, 9\]/);
    expect(msg).toMatch(/missing key for "blocks\.1\.mlp\.fc1\.bias" \(expected shape \[16\]\)/);
    expect(msg).toMatch(/unknown key "blocks\.0\.attn\.q_norm\.weight" with shape \[8\]/);
    expect(Array.from(vit.getParameter('pos_embed').dataSync())).toEqual(before);
    tf.dispose([...ckpt.values()]);
    vit.dispose();
  });

  it('InternViT keys under vision_model.: names the InternViT key and the mapped name in errors', () => {
    const vit = new ViT({ ...cfg, finalNorm: false });
    const ckpt = new Map<string, tf.Tensor>([['vision_model.encoder.layers.0.ls1', tf.zeros([7])]]);
    expect(() => loadVitWeights(vit, ckpt, { style: 'internvit' })).toThrow(
      /key "vision_model\.encoder\.layers\.0\.ls1" \(→ "blocks\.0\.ls1\.gamma"\): expected shape \[8\], found \[7\]/,
    );
    expect(() => loadVitWeights(vit, ckpt, { style: 'internvit' })).toThrow(/missing key for "cls_token" \(expected shape \[1, 1, 8\]\) under prefix "vision_model\."/);
    expect(() => loadVitWeights(vit, ckpt, { style: 'vit' as 'timm' })).toThrow(/unknown style 'vit'/);
    tf.dispose([...ckpt.values()]);
    vit.dispose();
  });

  it('resamples a pos_embed of another square grid (as interpolatePosEmbed), or refuses when asked', () => {
    const ckpt = timmCheckpoint();
    const big = tf.randomNormal([1, 1 + 36, 8], 0, 1, 'float32', 3) as tf.Tensor3D; // 6×6 grid
    (ckpt.get('pos_embed') as tf.Tensor).dispose();
    ckpt.set('pos_embed', big);
    const vit = new ViT(cfg);
    const report = loadVitWeights(vit, ckpt, { style: 'timm' });
    expect(report.posEmbedResized).toEqual([[6, 6], [4, 4]]);
    const expected = interpolatePosEmbed(big, [6, 6], [4, 4], 1);
    expect(Array.from(vit.getParameter('pos_embed').dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(() => loadVitWeights(vit, ckpt, { style: 'timm', resizePosEmbed: false })).toThrow(/key "pos_embed" \(→ "pos_embed"\): expected shape \[1, 17, 8\], found \[1, 37, 8\]/);
    tf.dispose([...ckpt.values(), expected]);
    vit.dispose();
  });
});
