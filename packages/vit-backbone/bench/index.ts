// Benchmark of @babelrs/vit-backbone pieces: patchify (+ the patch-embed matMul) forward and
// backward on the cpu and wasm backends for a ViT-Tiny batch, and position-embedding
// resampling of InternViT-300M from 448 px (32×32) to 800 px (57×57).
// Run: npm run bench -w @babelrs/vit-backbone → bench/results/vit-backbone.json (repo root).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { interpolatePosEmbed, patchify, vitPreset } from '@babelrs/vit-backbone';
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
};
console.log(JSON.stringify({ posEmbedMs: results.interpolatePosEmbed_internvit_32to57_ms, posEmbedAntialiasMs: results.interpolatePosEmbedAntialias_internvit_32to57_ms, cpu: { ...results.cpu, runs: undefined }, wasm: { ...results.wasm, runs: undefined } }, null, 2));
writeBenchResult('vit-backbone', { tfjs: tf.version.tfjs, results });
