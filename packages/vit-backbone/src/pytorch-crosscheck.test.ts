// Cross-check against PyTorch: fixtures/gen_vit_reference.py builds a small random ViT and a
// ViTDet simple feature pyramid in plain PyTorch, writes their weights under timm, InternVL
// (InternViT + `vision_model.` prefix) and detectron2 keys, and the outputs for one input.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, readSafetensors } from '@babelrs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVitSafetensors, loadVitWeights } from './load-weights.js';
import { SimpleFeaturePyramid } from './simple-feature-pyramid.js';
import { tokensToNhwc } from './tokens.js';
import { ViT } from './vit.js';
import type { VitConfig } from './vit-config.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const config: VitConfig = {
  embedDim: 32,
  depth: 2,
  numHeads: 2,
  mlpHiddenDim: 64,
  patchSize: 4,
  imgSize: 16,
  inChannels: 3,
  qkvBias: true,
  numPrefixTokens: 1,
  layerNormEps: 1e-6,
  layerScaleInit: 1,
};

let ref: Record<string, tf.Tensor>;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [a.dataSync(), b.dataSync()];
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`PyTorch cross-check (${backend} backend)`, () => {
    beforeAll(async () => {
      expect((await initBackend({ prefer: backend })).backend).toBe(backend);
      ref = readSafetensors(path.join(fixtures, 'vit_reference.safetensors')).tensors;
    });
    afterAll(() => tf.dispose(Object.values(ref)));

    it("timm keys: taps (plain and antialiased pos_embed resampling) and forward_features within 1e-4", () => {
      const { tensors } = readSafetensors(path.join(fixtures, 'vit_timm.safetensors'));
      for (const antialias of [false, true]) {
        const vit = new ViT({ ...config, posEmbedAntialias: antialias }, { seed: 9 }).eval();
        const report = loadVitWeights(vit, tensors, { style: 'timm' });
        expect(report.loaded).toHaveLength(vit.namedParameters().length);
        expect(report.skipped.sort()).toEqual(['head.bias', 'head.weight']);
        const { taps, grid } = vit.forwardTaps(ref.images as tf.Tensor4D, [0, 1]);
        expect(grid).toEqual([6, 5]);
        const suffix = antialias ? 'aa' : 'plain';
        expect(maxAbsDiff(taps[0], ref[`tap0_${suffix}`])).toBeLessThan(1e-4);
        expect(maxAbsDiff(taps[1], ref[`tap1_${suffix}`])).toBeLessThan(1e-4);
        if (!antialias) {
          const feats = vit.forwardFeatures(ref.images as tf.Tensor4D);
          expect(maxAbsDiff(feats, ref.features_plain)).toBeLessThan(1e-4);
          feats.dispose();
        }
        tf.dispose(taps);
        vit.dispose();
      }
      tf.dispose(Object.values(tensors));
    });

    it('InternVL checkpoint (vision_model. prefix, InternViT keys) streamed from the file: taps within 1e-4', () => {
      const vit = new ViT({ ...config, finalNorm: false }, { seed: 9 }).eval();
      const report = loadVitSafetensors(vit, path.join(fixtures, 'vit_internvl.safetensors'), { style: 'internvit' });
      expect(report.loaded).toHaveLength(vit.namedParameters().length);
      expect(report.skipped.sort()).toEqual(['language_model.model.norm.weight', 'mlp1.0.weight']);
      const { taps } = vit.forwardTaps(ref.images as tf.Tensor4D, [1, 0]);
      expect(maxAbsDiff(taps[0], ref.tap1_plain)).toBeLessThan(1e-4);
      expect(maxAbsDiff(taps[1], ref.tap0_plain)).toBeLessThan(1e-4);
      tf.dispose(taps);
      vit.dispose();
      // With a final norm, the norm is reported as not in the checkpoint and left alone.
      const withNorm = new ViT(config);
      const r2 = loadVitSafetensors(withNorm, path.join(fixtures, 'vit_internvl.safetensors'), { style: 'internvit' });
      expect(r2.notInCheckpoint).toEqual(['norm.weight', 'norm.bias']);
      withNorm.dispose();
    });

    it('SimpleFeaturePyramid with detectron2 keys equals PyTorch on the block-1 map within 1e-4', () => {
      const { tensors } = readSafetensors(path.join(fixtures, 'fpn.safetensors'));
      const fpn = new SimpleFeaturePyramid({ inChannels: 32, outChannels: 16, scaleFactors: [4, 2, 1, 0.5], patchSize: 4 });
      expect(fpn.strides).toEqual([1, 2, 4, 8]);
      fpn.loadStateDict(tensors); // strict: every key must match by name and shape
      const map = tokensToNhwc(ref.tap1_plain as tf.Tensor3D, [6, 5]);
      const levels = fpn.forward(map);
      levels.forEach((level, i) => expect(maxAbsDiff(level, ref[`fpn_p${i}`])).toBeLessThan(1e-4));
      tf.dispose([...levels, map, ...Object.values(tensors)]);
      fpn.dispose();
    });
  });
}
