// Benchmark of the LVSA fusion variants (forward + backward) on the cpu and wasm backends, at
// InternViT-300M's token count and width with the paper's 4 tapped layers.
// Run: npm run bench -w @babelrs/lvsa → bench/results/lvsa.json (repo root).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import os from 'node:os';
import { createFusion, createLayerFusion, type FusionName } from '@babelrs/lvsa';
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

/**
 * The per-layer projectors (4 × Linear 1024 → 1024 on 2048 tokens, ≈ 52 GFLOP forward +
 * backward), wasm only: the cpu backend's JS matmul would take minutes. Gradients of the
 * features and the projector weights, as in training.
 */
async function perLayerProjectorsWasm(): Promise<number> {
  await initBackend({ prefer: 'wasm' });
  const features = Array.from({ length: 4 }, (_, i) => tf.variable(tf.randomNormal(SHAPE, 0, 1, 'float32', i)));
  const fusion = createLayerFusion('per-layer-projectors', { channels: SHAPE[2], numLayers: 4 });
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(fusion.fuse(features, 3000)) as tf.Scalar, [...features, ...fusion.trainableParameters()]);
    Object.values(grads).forEach((g) => g.dataSync());
    tf.dispose([value, ...Object.values(grads)]);
  };
  const ms = await timeRuns(step, { runs: 3 });
  tf.dispose(features);
  fusion.dispose();
  return median(ms);
}

const results = {
  cpu: await onBackend('cpu'),
  wasm: { ...(await onBackend('wasm')), 'per-layer-projectors_fwdBwd_ms': await perLayerProjectorsWasm() },
  // The machine is shared: 1/5/15-minute load averages when the run ended.
  loadavg: os.loadavg(),
};
console.log(JSON.stringify(results, null, 2));
writeBenchResult('lvsa', { tfjs: tf.version.tfjs, shape: SHAPE, layers: 4, results });
