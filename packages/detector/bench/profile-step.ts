// Where a tiny-preset training step spends its time (trunk vs each head, forward vs backward),
// measured on the wasm backend. Diagnostic only: prints, writes nothing.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { buildPipeline, loadSoiDet } from '@babelrs/datasets';
import { collateBatch, detectorPreset, MultiModalDetector, testPipeline } from '../src/index.js';
import { loadItems } from '../src/detection-data.js';
import { miniSoiFixture } from '../src/testing/mini-soi-fixture.js';

await initBackend({ prefer: 'wasm' });
const root = await miniSoiFixture({ imageSize: 64, objectScale: 3, difficulty: 0, objects: [2, 4] });
const samples = (await loadSoiDet(root, { splits: ['train'] })).samples;
const d = new MultiModalDetector(detectorPreset('tiny', JSON.parse(process.env.OVERRIDES ?? '{}')));
const ids = [0, 1, 2, 3, 8, 9, 16, 17].map((k) => k % samples.length);
const items = await loadItems(samples, ids, buildPipeline(testPipeline(d.config)), ids.map(() => 0));
const b = collateBatch(items, d.config.imageSize, { spaces: d.labelSpaces, boxTypes: d.boxTypes });
const s = d.config.imageSize;
const images = tf.tensor4d(b.images, [ids.length, 3, s, s]);
const vars = d.trainableParameters();
const time = (name: string, f: () => void, n = 3) => {
  f();
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(name.padEnd(28), ((performance.now() - t) / n).toFixed(1), 'ms');
};
time('trunk forward', () => tf.dispose(d.features(images).map((l) => l.features)));
time('trunk fwd+bwd', () => {
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.addN(d.features(images).map((l) => tf.mean(l.features))) as tf.Scalar), vars);
  tf.dispose([value, ...Object.values(grads)]);
});
time('full losses forward', () => {
  const { total, parts } = d.losses(images, b.groups, b.targets!);
  tf.dispose([total, ...Object.values(parts)]);
});
time('full fwd+bwd', () => {
  const { value, grads } = tf.variableGrads(() => d.losses(images, b.groups, b.targets!).total, vars);
  tf.dispose([value, ...Object.values(grads)]);
});
console.log('groups', JSON.stringify(b.groups), 'params', d.numParameters());
