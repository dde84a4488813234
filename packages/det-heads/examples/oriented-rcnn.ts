// Run from the repo root: npx tsx --conditions=@babelrs/source packages/det-heads/examples/oriented-rcnn.ts
// Oriented R-CNN (two-stage, oriented boxes) on a fixed random 2-level pyramid standing in for
// a backbone's features of one 64×64 image: 60 AdamW steps, then decode.
import * as tf from '@tensorflow/tfjs';
import { AdamW, Rng, initBackend } from '@babelrs/core';
import { OrientedRcnnHead, type FeatureLevel, type HeadTargets } from '@babelrs/det-heads';

await initBackend({ prefer: 'wasm' });
const rng = new Rng(1);
const strides = [4, 8];
const levels: FeatureLevel[] = strides.map((stride) => {
  const n = 64 / stride;
  return { stride, features: tf.tensor4d(rng.fillNormal(n * n * 16), [1, n, n, 16]) }; // [B, H, W, C]
});
// Ground truth: (cx, cy, w, h, θ) le90 in pixels, labels 0..K-1.
const target: HeadTargets = { boxes: Float64Array.from([20, 18, 26, 12, 0.5, 44, 44, 30, 12, -1.4]), labels: Int32Array.from([0, 1]) };

const head = new OrientedRcnnHead({
  numClasses: 2,
  inChannels: 16,
  strides,
  anchors: { scales: [6] }, // anchors of 6·stride px (24 px at stride 4) for this small image
  fcChannels: 64, // mmrotate: 1024
  rpnTrainProposals: { nmsPre: 200, maxPerImg: 64 },
  rpnTestProposals: { nmsPre: 200, maxPerImg: 64 },
  rcnnSampleNum: 32, // mmrotate: 512
  seed: 0,
});
const opt = new AdamW(head, { lr: 1e-2, weightDecay: 0 });
for (let step = 0; step < 60; step++) {
  let parts: Record<string, number> = {};
  const { value, grads } = tf.variableGrads(() => {
    const raw = head.forward(levels); // RPN maps + features
    const losses = head.loss(raw, [target], [64, 64]); // loss_rpn_cls, loss_rpn_bbox, loss_cls, loss_bbox
    parts = Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, v.dataSync()[0]]));
    head.disposeRaw(raw);
    return tf.addN(Object.values(losses)) as tf.Scalar;
  }, head.trainableParameters());
  opt.step(grads);
  tf.dispose([value, ...Object.values(grads)]);
  if (step % 10 === 0 || step === 59) {
    console.log(`step ${String(step).padStart(2)}: ${Object.entries(parts).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
  }
}
const raw = head.forward(levels);
const [det] = head.decode(raw, [64, 64], { maxDetections: 3 });
head.disposeRaw(raw);
for (let i = 0; i < det.labels.length; i++) {
  const box = Array.from(det.boxes.subarray(i * 5, i * 5 + 5), (v) => v.toFixed(1)).join(', ');
  console.log(`detection: class ${det.labels[i]}, score ${det.scores[i].toFixed(2)}, box [${box}]`);
}
console.log(`parameters: ${head.numParameters()}`);
