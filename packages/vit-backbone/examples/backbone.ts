// Run from the repo root: npx tsx --conditions=@babelrs/source packages/vit-backbone/examples/backbone.ts
// A ViT backbone + ViTDet pyramid: load timm-keyed weights, tap blocks, build the pyramid,
// train a few steps on the wasm backend.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { loadVitSafetensors, SimpleFeaturePyramid, tokensToNhwc, ViT } from '@babelrs/vit-backbone';

await initBackend({ prefer: 'wasm' });
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

// The small ViT of the PyTorch cross-check: D = 32, 2 blocks, patch 4, pos_embed for 16 px.
const vit = new ViT({
  embedDim: 32, depth: 2, numHeads: 2, mlpHiddenDim: 64, patchSize: 4, imgSize: 16, inChannels: 3,
  qkvBias: true, numPrefixTokens: 1, layerNormEps: 1e-6, layerScaleInit: 1,
});
const report = loadVitSafetensors(vit, path.join(fixtures, 'vit_timm.safetensors'), { style: 'timm' });
console.log(`loaded ${report.loaded.length} tensors, skipped [${report.skipped.join(', ')}]`);

// Any image size that the patch divides: the position embedding is resampled to the grid.
const images = tf.randomNormal([2, 3, 32, 24], 0, 1, 'float32', 7) as tf.Tensor4D; // [B, C, H, W] (tfjs treats seed 0 as unseeded)
const { taps, grid } = vit.forwardTaps(images, [0, 1]);
console.log('grid', grid, 'taps', taps.map((t) => t.shape));

const fpn = new SimpleFeaturePyramid({ inChannels: 32, outChannels: 16, scaleFactors: [4, 2, 1, 0.5], patchSize: 4 });
const map = tokensToNhwc(taps[1], grid); // [B, gh, gw, D]
const levels = fpn.forward(map);
console.log('strides', fpn.strides, 'levels', levels.map((l) => l.shape));
tf.dispose([...taps, map, ...levels]);

// Train ViT + pyramid a few SGD steps towards a fixed random target on every level.
const targets = fpn.strides.map((s) => tf.randomNormal([2, 32 / s, 24 / s, 16], 0, 1, 'float32', s)); // one per level
const params = [...vit.namedParameters().filter(([k]) => !k.startsWith('norm.')).map(([, v]) => v), ...fpn.trainableParameters()];
for (let step = 0; step < 5; step++) {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const { taps: [last], grid: g } = vit.forwardTaps(images, [-1]);
      const outs = fpn.forward(tokensToNhwc(last, g));
      return tf.addN(outs.map((o, i) => tf.losses.meanSquaredError(targets[i], o))) as tf.Scalar;
    }, params);
    for (const v of params) v.assign(tf.sub(v, tf.mul(0.1, grads[v.name])));
    return value.dataSync()[0];
  });
  console.log(`step ${step}: loss ${loss.toFixed(4)}, tensors ${tf.memory().numTensors}`);
}
tf.dispose([images, ...targets]);
vit.dispose();
fpn.dispose();
