// Benchmark of the LVSA fusion variants (forward + backward) on the cpu and wasm backends, at
// InternViT-300M's token count and width with the paper's 4 tapped layers.
// Run: npm run bench -w @babelrs/lvsa → bench/results/lvsa.json (repo root).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { createFusion, type FusionName } from '@babelrs/lvsa';
import { median, timeRuns, writeBenchResult } from '../../../bench/lib.js';


const SHAPE = [2, 1024, 1024]; // [B, N, C]: 2 images, 32×32 tokens, width 1024
const NAMES: FusionName[] = ['last', 'concat', 'sum', 'mean', 'lvsa'];

async function onBackend(backend: 'cpu' | 'wasm'): Promise<Record<string, number>> {
  await initBackend({ prefer: backend });
  // Variables, as in training: variableGrads tolerates layers a variant ignores ('last').
  const features = Array.from({ length: 4 }, (_, i) => tf.variable(tf.randomNormal(SHAPE, 0, 1, 'float32', i)));
  const out: Record<string, number> = {};
  for (const name of NAMES) {
    const fusion = createFusion(name);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(fusion.fuse(features, 3000)), features);
      Object.values(grads).forEach((g) => g.dataSync());
      tf.dispose([value, ...Object.values(grads)]);
    };
    const ms = await timeRuns(step, { runs: 5 });
    out[`${name}_fwdBwd_ms`] = median(ms);
  }
  tf.dispose(features);
  return out;
}

const results = { cpu: await onBackend('cpu'), wasm: await onBackend('wasm') };
console.log(JSON.stringify(results, null, 2));
writeBenchResult('lvsa', { tfjs: tf.version.tfjs, shape: SHAPE, layers: 4, results });
