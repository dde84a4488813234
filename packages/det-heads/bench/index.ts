// Benchmark of the GFL losses of @babelrs/det-heads on the cpu and wasm backends, at the size
// of one 800×800 SAR image with strides 8–64 (≈ 13 300 anchor points), K = 6 classes,
// regMax = 16 and 300 positives: QFL over all points, DFL + GIoU over the positives.
// Run: npm run bench -w @babelrs/det-heads → bench/results/det-heads.json (repo root).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { atssAssign, distanceToBox, distributionFocalLoss, giouLoss, integralDistribution, qualityFocalLoss } from '@babelrs/det-heads';
import { median, timeRuns, writeBenchResult } from '../../../bench/lib.js';


const NUM_POINTS = 100 * 100 + 50 * 50 + 25 * 25 + 13 * 13;
const K = 6;
const REG_MAX = 16;
const NUM_POS = 300;

async function onBackend(backend: 'cpu' | 'wasm'): Promise<Record<string, unknown>> {
  await initBackend({ prefer: backend });
  const cls = tf.randomNormal([NUM_POINTS, K], 0, 1, 'float32', 1);
  const reg = tf.randomNormal([NUM_POS, 4 * (REG_MAX + 1)], 0, 1, 'float32', 2);
  const labels = Int32Array.from({ length: NUM_POINTS }, (_, i) => (i < NUM_POS ? i % K : K));
  const scores = Float32Array.from({ length: NUM_POINTS }, (_, i) => (i < NUM_POS ? 0.5 : 0));
  const points = tf.randomUniform([NUM_POS, 2], 20, 80, 'float32', 3) as tf.Tensor2D;
  const gt = tf.tidy(() => tf.concat([tf.sub(points, 5), tf.add(points, 7)], 1)) as tf.Tensor2D;
  const distTargets = Float32Array.from({ length: NUM_POS * 4 }, (_, i) => (i % 7) + 0.5);
  const step = tf.grads((c: tf.Tensor, r: tf.Tensor) => {
    const qfl = qualityFocalLoss(c as tf.Tensor2D, labels, scores, { avgFactor: NUM_POS });
    const boxes = distanceToBox(points, integralDistribution(r as tf.Tensor2D, REG_MAX));
    const dfl = distributionFocalLoss(tf.reshape(r, [-1, REG_MAX + 1]) as tf.Tensor2D, distTargets);
    return tf.addN([qfl, giouLoss(boxes, gt), tf.mul(dfl, 0.25)]);
  });
  const ms = await timeRuns(() => tf.tidy(() => step([cls, reg]).forEach((g) => g.dataSync())), { runs: 5 });
  tf.dispose([cls, reg, points, gt]);
  return { gflLossesFwdBwd_ms: median(ms), runs: ms };
}

/** GFL anchors of an 800×800 image (strides 8–128, square anchors of 8·stride), 50 GTs. */
function atssBench(): Promise<number[]> {
  const strides = [8, 16, 32, 64, 128];
  const perLevel: number[] = [];
  const anchors: number[] = [];
  for (const s of strides) {
    const n = Math.ceil(800 / s);
    perLevel.push(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) anchors.push(x * s - 4 * s, y * s - 4 * s, x * s + 4 * s, y * s + 4 * s);
  }
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const gts: number[] = [];
  for (let g = 0; g < 50; g++) {
    const [x, y] = [rand() * 700, rand() * 700];
    gts.push(x, y, x + 10 + rand() * 90, y + 10 + rand() * 90);
  }
  console.log(`atss: ${anchors.length / 4} anchors, 50 GTs`);
  return timeRuns(() => atssAssign(anchors, perLevel, gts), { runs: 5 });
}

const atssMs = await atssBench();
const results = { cpu: await onBackend('cpu'), wasm: await onBackend('wasm') };
console.log(JSON.stringify({ cpuMs: results.cpu.gflLossesFwdBwd_ms, wasmMs: results.wasm.gflLossesFwdBwd_ms, atssMs: median(atssMs) }));
writeBenchResult('det-heads', {
  tfjs: tf.version.tfjs,
  sizes: { points: NUM_POINTS, classes: K, regMax: REG_MAX, positives: NUM_POS },
  results,
  atss: { anchors: 'GFL 800×800, strides 8–128', gts: 50, median_ms: median(atssMs), runs: atssMs },
});
