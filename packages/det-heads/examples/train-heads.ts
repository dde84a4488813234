// Run from the repo root: npx tsx --conditions=@babelrs/source packages/det-heads/examples/train-heads.ts
// Builds a GflHead (horizontal boxes) and a RotatedFcosHead (le90 oriented boxes), trains each
// for 20 steps on one synthetic 64×64 image (a fixed random 2-level feature pyramid standing in
// for a backbone), then decodes detections.
import * as tf from '@tensorflow/tfjs';
import { AdamW, Rng, initBackend } from '@babelrs/core';
import { GflHead, RotatedFcosHead, type DetectionHead, type FeatureLevel, type HeadTargets } from '@babelrs/det-heads';

await initBackend({ prefer: 'wasm' });
const rng = new Rng(1);
const strides = [4, 8];
const levels: FeatureLevel[] = strides.map((stride) => {
  const n = 64 / stride;
  return { stride, features: tf.tensor4d(rng.fillNormal(n * n * 16), [1, n, n, 16]) }; // [B, H, W, C]
});

function train(head: DetectionHead, target: HeadTargets): void {
  const opt = new AdamW(head, { lr: 1e-2, weightDecay: 0 });
  for (let step = 0; step < 20; step++) {
    const { value, grads } = tf.variableGrads(() => {
      const raw = head.forward(levels);
      const losses = head.loss(raw, [target], [64, 64]);
      head.disposeRaw(raw);
      if (step % 5 === 0 || step === 19) {
        console.log(`  step ${String(step).padStart(2)}: ` + Object.entries(losses).map(([k, v]) => `${k} ${v.dataSync()[0].toFixed(3)}`).join(', '));
      }
      return tf.addN(Object.values(losses)) as tf.Scalar;
    }, head.trainableParameters());
    opt.step(grads);
    tf.dispose([value, ...Object.values(grads)]);
  }
  opt.dispose();
  const raw = head.forward(levels);
  const [det] = head.decode(raw, [64, 64], { maxDetections: 3 });
  head.disposeRaw(raw);
  const dim = head.boxType === 'hbb' ? 4 : 5;
  det.labels.forEach((label, i) => {
    const box = Array.from(det.boxes.subarray(i * dim, (i + 1) * dim), (v) => v.toFixed(1));
    console.log(`  detection: class ${label}, score ${det.scores[i].toFixed(2)}, box [${box.join(', ')}]`);
  });
}

console.log('GflHead (GT boxes x1,y1,x2,y2: [8,10,30,24] c0, [36,30,56,58] c1)');
const gfl = new GflHead({ numClasses: 2, inChannels: 16, strides, stackedConvs: 2, normGroups: 4, regMax: 8, anchorScale: 4 });
train(gfl, { boxes: Float32Array.from([8, 10, 30, 24, 36, 30, 56, 58]), labels: Int32Array.from([0, 1]) });

console.log('RotatedFcosHead (GT boxes cx,cy,w,h,θ: [20,18,26,12,0.5] c0, [44,44,30,12,-1.4] c1)');
const fcos = new RotatedFcosHead({ numClasses: 2, inChannels: 16, strides, stackedConvs: 2, normGroups: 4 });
train(fcos, { boxes: Float32Array.from([20, 18, 26, 12, 0.5, 44, 44, 30, 12, -1.4]), labels: Int32Array.from([0, 1]) });
console.log(`parameters: GflHead ${gfl.numParameters()}, RotatedFcosHead ${fcos.numParameters()}`);
