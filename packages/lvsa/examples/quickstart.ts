// Run from the repo root: npx tsx --conditions=@babelrs/source packages/lvsa/examples/quickstart.ts
import * as tf from '@tensorflow/tfjs';
import { createFusion, lvsaAlpha, selectLayers } from '@babelrs/lvsa';

await tf.setBackend('cpu');

// Which blocks of a 12-block ViT-Tiny to tap (the paper's 3/9/18/24-of-24, scaled).
const layers = selectLayers(12, 'paper');
console.log('layers (0-based):', layers);

// Stand-ins for the tapped block outputs, each [B=1, N=4 tokens, C=2]; F_L last.
const features = layers.map((l) => tf.fill([1, 4, 2], l + 1));

const lvsa = createFusion({ name: 'lvsa', tau: 6000 });
for (const step of [0, 3000, 6000]) {
  const fused = lvsa.fuse(features, step); // [1, 4, 2]
  console.log(`step ${step}: alpha = ${lvsaAlpha(step)}, fused[0,0,:] =`, Array.from(fused.dataSync().slice(0, 2)));
  fused.dispose();
}
const concat = createFusion('concat').fuse(features, 0);
console.log('concat shape:', concat.shape);
tf.dispose([concat, ...features]);
