// Benchmark of the GFL losses of @babelrs/det-heads on the cpu and wasm backends, at the size
// of one 800×800 SAR image with strides 8–64 (≈ 13 300 anchor points), K = 6 classes,
// regMax = 16 and 300 positives: QFL over all points, DFL + GIoU over the positives.
// Plus one training step (forward + loss + backward, no optimiser) of GflHead and
// RotatedFcosHead on a tiny pyramid, and their decode, on wasm.
// Run: npm run bench -w @babelrs/det-heads → bench/results/det-heads.json (repo root).
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { Rng, initBackend } from '@babelrs/core';
import {
  GflHead,
  RotatedFcosHead,
  atssAssign,
  distanceToBox,
  distributionFocalLoss,
  giouLoss,
  integralDistribution,
  qualityFocalLoss,
  type DetectionHead,
  type FeatureLevel,
  type HeadTargets,
} from '@babelrs/det-heads';
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

/** Tiny pyramid: batch 2 of 256×256 images, strides 8/16/32, 64 channels, 2 convs per tower, 6 classes, 10 GTs each. */
const HEAD_SIZES = { batch: 2, image: 256, strides: [8, 16, 32], channels: 64, stackedConvs: 2, classes: 6, gtsPerImage: 10 };

function headInputs(obb: boolean): { levels: FeatureLevel[]; targets: HeadTargets[] } {
  const rng = new Rng(3);
  const { batch, image, strides, channels, classes, gtsPerImage } = HEAD_SIZES;
  const levels = strides.map((stride) => {
    const n = image / stride;
    return { stride, features: tf.tensor4d(rng.fillNormal(batch * n * n * channels), [batch, n, n, channels]) };
  });
  const targets = Array.from({ length: batch }, () => {
    const boxes: number[] = [];
    for (let g = 0; g < gtsPerImage; g++) {
      const [x, y, w, h] = [20 + rng.uniform() * 200, 20 + rng.uniform() * 200, 12 + rng.uniform() * 60, 8 + rng.uniform() * 30];
      if (obb) boxes.push(x, y, Math.max(w, h), Math.min(w, h), (rng.uniform() - 0.5) * Math.PI);
      else boxes.push(x - w / 2, y - h / 2, x + w / 2, y + h / 2);
    }
    return { boxes: Float32Array.from(boxes), labels: Int32Array.from({ length: gtsPerImage }, (_, i) => i % classes) };
  });
  return { levels, targets };
}

async function headBench(name: string, head: DetectionHead, obb: boolean): Promise<Record<string, unknown>> {
  const { levels, targets } = headInputs(obb);
  const size: [number, number] = [HEAD_SIZES.image, HEAD_SIZES.image];
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const raw = head.forward(levels);
      const losses = head.loss(raw, targets, size);
      head.disposeRaw(raw);
      return tf.addN(Object.values(losses)) as tf.Scalar;
    }, head.trainableParameters());
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  // Process CPU time too: on a loaded machine wall time mostly measures waiting for a core.
  const cpuMs: number[] = [];
  const stepMs = await timeRuns(() => {
    const u0 = process.cpuUsage();
    step();
    const u = process.cpuUsage(u0);
    cpuMs.push((u.user + u.system) / 1000);
  }, { runs: 5 });
  cpuMs.shift(); // the warm-up run
  const decodeMs = await timeRuns(() => {
    const raw = head.forward(levels);
    head.decode(raw, size);
    head.disposeRaw(raw);
  }, { runs: 5 });
  levels.forEach((l) => l.features.dispose());
  console.log(`${name}: step ${median(stepMs).toFixed(1)} ms (CPU ${median(cpuMs).toFixed(1)} ms), forward+decode ${median(decodeMs).toFixed(1)} ms (${head.numParameters()} params)`);
  return { params: head.numParameters(), stepFwdLossBwd_ms: median(stepMs), stepCpu_ms: median(cpuMs), stepRuns: stepMs, forwardDecode_ms: median(decodeMs), decodeRuns: decodeMs };
}

const atssMs = await atssBench();
const results = { cpu: await onBackend('cpu'), wasm: await onBackend('wasm') };
console.log(JSON.stringify({ cpuMs: results.cpu.gflLossesFwdBwd_ms, wasmMs: results.wasm.gflLossesFwdBwd_ms, atssMs: median(atssMs) }));
await initBackend({ prefer: 'wasm' });
const common = { numClasses: HEAD_SIZES.classes, inChannels: HEAD_SIZES.channels, strides: HEAD_SIZES.strides, stackedConvs: HEAD_SIZES.stackedConvs };
const heads = {
  backend: tf.getBackend(),
  sizes: HEAD_SIZES,
  gfl: await headBench('GflHead', new GflHead({ ...common, anchorScale: 4 }), false),
  rotatedFcos: await headBench('RotatedFcosHead', new RotatedFcosHead(common), true),
};
writeBenchResult('det-heads', {
  loadavg: os.loadavg(),
  note: 'shared 2-core machine; other jobs were running (see loadavg), so treat times as rough',
  heads,
  tfjs: tf.version.tfjs,
  sizes: { points: NUM_POINTS, classes: K, regMax: REG_MAX, positives: NUM_POS },
  results,
  atss: { anchors: 'GFL 800×800, strides 8–128', gts: 50, median_ms: median(atssMs), runs: atssMs },
});
