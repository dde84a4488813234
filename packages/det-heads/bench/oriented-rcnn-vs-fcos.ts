// Two-stage vs one-stage oriented detection on the same tiny task: OrientedRcnnHead and
// RotatedFcosHead, each on its own small trainable conv stem (strides 4 and 8), trained from
// scratch with the same steps, batch, optimiser and seed on synthetic images of rotated
// rectangles (2 classes), then scored on held-out images with @babelrs/metrics-hmap
// (SOI protocol: AP50 and mAP@[.5:.95]; DOTA task-1 AP50). Also training step time and img/s.
// Run: npx tsx --conditions=@babelrs/source packages/det-heads/bench/oriented-rcnn-vs-fcos.ts
// (env STEPS, default 300). Merges its section into bench/results/det-heads.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AdamW, Module, Rng, init, initBackend } from '@babelrs/core';
import { obbToPoly } from '@babelrs/boxes';
import { createDataset, evaluateProtocol } from '@babelrs/metrics-hmap';
import { ORIENTED_RCNN_CPU_OPTIONS, OrientedRcnnHead, RotatedFcosHead, type DetectionHead, type HeadDetections, type HeadTargets } from '@babelrs/det-heads';
import { RESULTS_DIR, machineInfo, median } from '../../../bench/lib.js';

const SIZE = 128;
const CH = 32;
const BATCH = 2;
const STEPS = Number(process.env.STEPS ?? 300);
const NUM_TRAIN = 16;
const NUM_TEST = 8;

interface Sample {
  image: Float32Array; // [SIZE, SIZE, 3]
  target: HeadTargets;
}

/** 2–4 non-overlapping filled rotated rectangles; class 0 bright in channel 0, class 1 in 1. */
function synthetic(rng: Rng): Sample {
  const px = new Float32Array(SIZE * SIZE * 3);
  for (let i = 0; i < px.length; i++) px[i] = 0.1 * rng.normal();
  const boxes: number[] = [];
  const labels: number[] = [];
  const n = 2 + Math.floor(rng.uniform() * 3);
  for (let tries = 0; labels.length < n && tries < 100; tries++) {
    const w = 16 + 24 * rng.uniform();
    const h = 8 + (w - 8) * 0.7 * rng.uniform();
    const cx = 20 + (SIZE - 40) * rng.uniform();
    const cy = 20 + (SIZE - 40) * rng.uniform();
    if (labels.some((_, j) => Math.hypot(boxes[j * 5] - cx, boxes[j * 5 + 1] - cy) < 0.5 * (w + boxes[j * 5 + 2]) + 2)) continue;
    boxes.push(cx, cy, w, h, -Math.PI / 2 + Math.PI * rng.uniform());
    labels.push(rng.uniform() < 0.5 ? 0 : 1);
  }
  labels.forEach((label, b) => {
    const [cx, cy, w, h, t] = boxes.slice(b * 5, b * 5 + 5);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        if (Math.abs(dx * Math.cos(t) + dy * Math.sin(t)) <= w / 2 && Math.abs(-dx * Math.sin(t) + dy * Math.cos(t)) <= h / 2) px[(y * SIZE + x) * 3 + label] += 1;
      }
    }
  });
  return { image: px, target: { boxes: Float64Array.from(boxes), labels: Int32Array.from(labels) } };
}

/** Patchify 4×4 → 3×3 conv (stride 4 level) → 3×3 stride-2 conv (stride 8 level), ReLU. */
class Stem extends Module {
  constructor(rng: Rng) {
    super();
    this.registerParameter('patch', init.kaimingUniform([4, 4, 3, CH], { rng }));
    this.registerParameter('conv', init.kaimingUniform([3, 3, CH, CH], { rng }));
    this.registerParameter('down', init.kaimingUniform([3, 3, CH, CH], { rng }));
  }

  forward(img: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => {
      const p = tf.relu(tf.conv2d(img, this.getParameter('patch') as tf.Tensor4D, 4, 'valid')) as tf.Tensor4D;
      const l0 = tf.relu(tf.conv2d(p, this.getParameter('conv') as tf.Tensor4D, 1, 'same')) as tf.Tensor4D; // [B, 32, 32, C]
      const l1 = tf.relu(tf.conv2d(l0, this.getParameter('down') as tf.Tensor4D, 2, 'same')) as tf.Tensor4D; // [B, 16, 16, C]
      return [l0, l1];
    });
  }
}

function batchImages(samples: Sample[]): tf.Tensor4D {
  const data = new Float32Array(samples.length * SIZE * SIZE * 3);
  samples.forEach((s, i) => data.set(s.image, i * SIZE * SIZE * 3));
  return tf.tensor4d(data, [samples.length, SIZE, SIZE, 3]);
}

function score(samples: Sample[], dets: HeadDetections[]) {
  const row = (b: ArrayLike<number>, i: number) => Array.from(obbToPoly(Array.from({ length: 5 }, (_, k) => b[i * 5 + k])));
  const ds = createDataset({
    geometry: 'poly',
    classes: ['c0', 'c1'],
    images: samples.map((_, i) => ({ name: `test${i}` })),
    gts: samples.flatMap((s, img) => Array.from(s.target.labels, (label, i) => ({ image: img, label, box: row(s.target.boxes, i) }))),
    dets: dets.flatMap((d, img) => Array.from(d.labels, (label, i) => ({ image: img, label, box: row(d.boxes, i), score: d.scores[i] }))),
  });
  const soi = evaluateProtocol(ds, 'soi');
  return { soiAP50: soi.AP50, soiMAP: soi.mAP, dotaAP50: evaluateProtocol(ds, 'dota').mAP };
}

async function run(name: string, makeHead: () => DetectionHead, train: Sample[], test: Sample[]) {
  const model = new Module();
  const stem = model.registerModule('stem', new Stem(new Rng(7)));
  const head = model.registerModule('head', makeHead());
  const params = model.trainableParameters();
  const opt = new AdamW(model, { lr: 2e-3, weightDecay: 1e-4 });
  const rng = new Rng(99);
  const stepMs: number[] = [];
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < STEPS; step++) {
    const batch = Array.from({ length: BATCH }, () => train[Math.floor(rng.uniform() * train.length)]);
    const images = batchImages(batch);
    const ts = performance.now();
    const { value, grads } = tf.variableGrads(() => {
      const feats = stem.forward(images);
      const raw = head.forward(feats.map((features, l) => ({ features, stride: [4, 8][l] })));
      const l = head.loss(raw, batch.map((s) => s.target), [SIZE, SIZE]);
      head.disposeRaw(raw);
      return tf.addN(Object.values(l)) as tf.Scalar;
    }, params);
    opt.step(grads);
    losses.push(value.dataSync()[0]);
    stepMs.push(performance.now() - ts);
    tf.dispose([value, images, ...Object.values(grads)]);
    if (step % 50 === 0) console.log(`${name} step ${step}: loss ${losses.at(-1)!.toFixed(4)} (${stepMs.at(-1)!.toFixed(0)} ms)`);
  }
  const trainS = (performance.now() - t0) / 1000;
  model.eval();
  const dets: HeadDetections[] = [];
  const ti = performance.now();
  for (const s of test) {
    const images = batchImages([s]);
    const raw = head.forward(stem.forward(images).map((features, l) => ({ features, stride: [4, 8][l] })));
    dets.push(...head.decode(raw, [SIZE, SIZE]));
    head.disposeRaw(raw);
    images.dispose();
  }
  const inferMsPerImg = (performance.now() - ti) / test.length;
  const m = score(test, dets);
  const stepMedian = median(stepMs.slice(5));
  const numParams = head.numParameters();
  opt.dispose();
  model.dispose();
  console.log(`${name}: ${JSON.stringify(m)}, step ${stepMedian.toFixed(0)} ms`);
  return {
    ...m,
    trainStepMs: stepMedian,
    trainImgPerS: (BATCH * 1000) / stepMedian,
    inferMsPerImg,
    trainWallS: trainS,
    firstLoss: losses[0],
    lastLoss: median(losses.slice(-10)),
    params: numParams,
  };
}

const report = await initBackend({ prefer: 'wasm' });
const dataRng = new Rng(2026);
const train = Array.from({ length: NUM_TRAIN }, () => synthetic(dataRng));
const test = Array.from({ length: NUM_TEST }, () => synthetic(dataRng));
const loadBefore = os.loadavg();
const rcnn = await run('oriented-rcnn', () => new OrientedRcnnHead({
  ...ORIENTED_RCNN_CPU_OPTIONS, numClasses: 2, inChannels: CH, strides: [4, 8], anchors: { scales: [6] }, seed: 1,
}), train, test);
const fcos = await run('rotated-fcos', () => new RotatedFcosHead({
  numClasses: 2, inChannels: CH, strides: [4, 8], featChannels: CH, stackedConvs: 2, seed: 1,
}), train, test);

const section = {
  what: 'OrientedRcnnHead vs RotatedFcosHead, each on its own tiny conv stem (strides 4, 8), trained from scratch on 16 synthetic 128×128 images (2–4 rotated rectangles, 2 classes), scored on 8 held-out images',
  backend: report.backend,
  steps: STEPS,
  batch: BATCH,
  optimizer: 'AdamW lr 2e-3, wd 1e-4',
  configs: {
    'oriented-rcnn': 'ORIENTED_RCNN_CPU_OPTIONS + anchor scale 6, ratios 0.5/1/2; RPN 256 samples, proposals train 500→256 / test 500→300 (rotated NMS 0.8); RoIAlign 7×7 ratio 2 (host impl); 2×FC 256; 128 RoIs/img',
    'rotated-fcos': 'featChannels 32, 2 stacked convs, GroupNorm, KLD loss, centre sampling',
  },
  loadavg: { before: loadBefore, after: os.loadavg() },
  machine: machineInfo(),
  results: { 'oriented-rcnn': rcnn, 'rotated-fcos': fcos },
};
// Merge into the package's result file (bench/index.ts writes the other sections).
const file = path.join(RESULTS_DIR, 'det-heads.json');
const body = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { name: 'det-heads' };
body.orientedRcnnVsRotatedFcos = section;
const tmp = `${file}.${process.pid}.tmp`;
fs.writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n');
fs.renameSync(tmp, file);
console.log(`bench: merged orientedRcnnVsRotatedFcos into ${path.relative(process.cwd(), file)}`);
