// Benchmark of @babelrs/csia pieces on the cpu and wasm backends: InternVL pixel shuffle at
// InternViT-300M size, and the response-only LM loss forward + backward.
// Run: npm run bench -w @babelrs/csia → bench/results/csia.json (repo root).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { buildLossMask, pixelShuffle, responseOnlyCrossEntropy } from '@babelrs/csia';
import { median, timeRuns, writeBenchResult } from '../../../bench/lib.js';


async function onBackend(backend: 'cpu' | 'wasm'): Promise<Record<string, unknown>> {
  await initBackend({ prefer: backend });
  // 2 images of InternViT-300M at 448 px: 32×32 tokens of width 1024 → 256 tokens of 4096.
  const tokens = tf.randomNormal([2, 1024, 1024]) as tf.Tensor3D;
  // `void`: a tidy that returns a TypedArray walks every element of it (seconds at this size).
  const shuffleMs = await timeRuns(() => tf.tidy(() => void pixelShuffle(tokens, 32, 32).dataSync()), { runs: 5 });
  // Loss: B = 2 sequences of T = 256 over a V = 8192 vocabulary, half of each is response.
  const [b, t, v] = [2, 256, 8192];
  const logits = tf.randomNormal([b, t, v]) as tf.Tensor3D;
  const targets = tf.randomUniform([b, t], 0, v, 'int32') as tf.Tensor2D;
  const mask = buildLossMask([128, 128], [256, 256], t);
  const lossGrad = tf.grad((z: tf.Tensor) => responseOnlyCrossEntropy(z as tf.Tensor3D, targets, mask));
  const lossMs = await timeRuns(() => tf.tidy(() => void lossGrad(logits).dataSync()), { runs: 5 });
  tf.dispose([tokens, logits, targets, mask]);
  return {
    pixelShuffle_2x1024x1024_ms: median(shuffleMs),
    responseLossFwdBwd_2x256x8192_ms: median(lossMs),
    runs: { pixelShuffle: shuffleMs, responseLoss: lossMs },
  };
}

const results = { cpu: await onBackend('cpu'), wasm: await onBackend('wasm') };
console.log(JSON.stringify({ cpu: { ...results.cpu, runs: undefined }, wasm: { ...results.wasm, runs: undefined } }, null, 2));
writeBenchResult('csia', { tfjs: tf.version.tfjs, results });
