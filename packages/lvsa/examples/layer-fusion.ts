// Run from the repo root: npx tsx --conditions=@babelrs/source packages/lvsa/examples/layer-fusion.ts
// Every fusion variant of the ablation as a Module chosen by config, and one SGD step of the
// per-layer projectors.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { createLayerFusion, selectLayers, type LayerFusionName } from '@babelrs/lvsa';

await initBackend({ prefer: 'wasm' });
const layers = selectLayers(12, 'paper'); // [1, 4, 8, 11]
// Stand-ins for the tapped block outputs [B=1, N=4, C=8], F_L last.
const features = layers.map((l, i) => tf.randomNormal([1, 4, 8], 0, 1, 'float32', i + 1)); // seed 0 would mean "unseeded" to tfjs

for (const name of ['last', 'concat', 'sum', 'mean', 'lvsa', 'per-layer-projectors'] as LayerFusionName[]) {
  const fusion = createLayerFusion(name, { channels: 8, numLayers: layers.length });
  const out = fusion.fuse(features, 3000); // lvsa: α = 3000 / 6000 = 0.5
  console.log(`${name.padEnd(20)} out ${JSON.stringify(out.shape)} params ${fusion.numParameters()}`);
  out.dispose();
  fusion.dispose();
}

// Per-layer projectors to a 16-wide output: one projector per tapped layer, outputs averaged.
const plp = createLayerFusion('per-layer-projectors', { channels: 8, numLayers: layers.length, outChannels: 16, seed: 0 });
const target = tf.randomNormal([1, 4, 16], 0, 1, 'float32', 9);
for (let step = 0; step < 3; step++) {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(target, plp.fuse(features, step)) as tf.Scalar, plp.trainableParameters());
    for (const v of plp.trainableParameters()) v.assign(tf.sub(v, tf.mul(1, grads[v.name])));
    return value.dataSync()[0];
  });
  console.log(`step ${step}: loss ${loss.toFixed(4)}`);
}
tf.dispose([...features, target]);
plp.dispose();
