// Benchmark of @babelrs/vit-backbone pieces: patchify (+ the patch-embed matMul) forward and
// backward on the cpu and wasm backends for a ViT-Tiny batch, and position-embedding
// resampling of InternViT-300M from 448 px (32×32) to 800 px (57×57); and on wasm one training
// step (forward + backward, all parameters) of ViT-Tiny (224 px, batch 2, 4 taps) and of the
// simple feature pyramid on its 14×14 map.
// Run: npm run bench -w @babelrs/vit-backbone → bench/results/vit-backbone.json (repo root).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import os from 'node:os';
import { interpolatePosEmbed, patchify, SimpleFeaturePyramid, ViT, vitPreset } from '@babelrs/vit-backbone';
import { median, timeRuns, writeBenchResult } from '../../../bench/lib.js';


async function patchEmbed(backend: 'cpu' | 'wasm'): Promise<Record<string, unknown>> {
  await initBackend({ prefer: backend });
  const cfg = vitPreset('vit-tiny');
  const images = tf.randomNormal([8, 3, 224, 224]) as tf.Tensor4D;
  const weight = tf.randomNormal([3 * 16 * 16, cfg.embedDim], 0, 0.02);
  // Block bodies: a tidy that returns a TypedArray walks every element of it (seconds here).
  const fwdMs = await timeRuns(() => tf.tidy(() => void patchify(images, 16).dataSync()), { runs: 5 });
  // The layout part alone (no matMul): its gradient is the inverse permutation.
  const outWeight = tf.randomNormal([8, 196, 768]);
  const layoutGrad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(patchify(x as tf.Tensor4D, 16), outWeight)));
  const layoutMs = await timeRuns(() => tf.tidy(() => void layoutGrad(images).dataSync()), { runs: 5 });
  // With the patch-embed matMul (its backward is @babelrs/core's fast-matmul territory).
  const embedGrad = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
    tf.sum(tf.matMul(tf.reshape(patchify(x as tf.Tensor4D, 16), [-1, 768]), w)),
  );
  const bwdMs = await timeRuns(() => tf.tidy(() => embedGrad([images, weight]).forEach((g) => g.dataSync())), { runs: 5 });
  tf.dispose([images, weight, outWeight]);
  return {
    patchify_8x3x224_ms: median(fwdMs),
    patchifyFwdBwd_8x3x224_ms: median(layoutMs),
    patchEmbedFwdBwd_8x3x224_ms: median(bwdMs),
    runs: { fwdMs, layoutMs, bwdMs },
  };
}

/** One training step's forward + backward (gradients of every parameter, read back). */
async function vitStep(): Promise<Record<string, unknown>> {
  await initBackend({ prefer: 'wasm' });
  const vit = new ViT(vitPreset('vit-tiny'), { seed: 0 });
  const fpn = new SimpleFeaturePyramid({ inChannels: 192, outChannels: 64, scaleFactors: [4, 2, 1, 0.5], patchSize: 16 });
  const images = tf.randomNormal([2, 3, 224, 224], 0, 1, 'float32', 1) as tf.Tensor4D;
  const taps = [2, 5, 8, 11];
  const vitParams = vit.namedParameters().filter(([k]) => !k.startsWith('norm.')).map(([, v]) => v);
  const vitMs = await timeRuns(() => tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const out = vit.forwardTaps(images, taps).taps;
      return tf.addN(out.map((t) => tf.mean(tf.square(t)))) as tf.Scalar;
    }, vitParams);
    Object.values(grads).forEach((g) => g.dataSync());
  }), { runs: 3 });
  const map = tf.randomNormal([2, 14, 14, 192], 0, 1, 'float32', 2) as tf.Tensor4D;
  const fpnMs = await timeRuns(() => tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.addN(fpn.forward(map).map((l) => tf.mean(tf.square(l)))) as tf.Scalar, fpn.trainableParameters());
    Object.values(grads).forEach((g) => g.dataSync());
  }), { runs: 3 });
  tf.dispose([images, map]);
  vit.dispose();
  fpn.dispose();
  return {
    vitTinyFwdBwd_b2_224_4taps_ms: median(vitMs),
    vitTinyImgPerS: 2 / (median(vitMs) / 1000),
    simpleFeaturePyramidFwdBwd_b2_14x14x192_ms: median(fpnMs),
    runs: { vitMs, fpnMs },
  };
}

await tf.setBackend('cpu');
const posEmbed = tf.randomNormal([1, 1 + 32 * 32, 1024]) as tf.Tensor3D;
const posMs = await timeRuns(() => interpolatePosEmbed(posEmbed, [32, 32], [57, 57], 1).dispose(), { runs: 5 });
const posAaMs = await timeRuns(() => interpolatePosEmbed(posEmbed, [32, 32], [57, 57], 1, { antialias: true }).dispose(), { runs: 5 });
posEmbed.dispose();

const results = {
  interpolatePosEmbed_internvit_32to57_ms: median(posMs),
  interpolatePosEmbedAntialias_internvit_32to57_ms: median(posAaMs),
  posEmbedRuns: { plain: posMs, antialias: posAaMs },
  cpu: await patchEmbed('cpu'),
  wasm: await patchEmbed('wasm'),
  wasmTrainingStep: await vitStep(),
  // The machine is shared: 1/5/15-minute load averages when the run ended.
  loadavg: os.loadavg(),
};
console.log(JSON.stringify({ posEmbedMs: results.interpolatePosEmbed_internvit_32to57_ms, posEmbedAntialiasMs: results.interpolatePosEmbedAntialias_internvit_32to57_ms, cpu: { ...results.cpu, runs: undefined }, wasm: { ...results.wasm, runs: undefined }, wasmTrainingStep: { ...results.wasmTrainingStep, runs: undefined }, loadavg: results.loadavg }, null, 2));
writeBenchResult('vit-backbone', { tfjs: tf.version.tfjs, results });
