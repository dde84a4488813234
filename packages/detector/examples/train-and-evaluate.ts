// Build a detector, fine-tune it 20 steps on a small generated mini-SOI set, evaluate it.
//   npx tsx --conditions=@babelrs/source examples/train-and-evaluate.ts
// The data set and the result files go to a fresh temporary folder, removed at the end: every
// run starts from the same bytes, so it prints the same numbers (the README shows them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { generateMiniSoi } from '@babelrs/datasets';
import { detectorPreset, evaluate, fineTune, MultiModalDetector } from '@babelrs/detector';

await initBackend({ prefer: 'wasm' });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-detector-example-'));
const root = path.join(work, 'mini-soi');
await generateMiniSoi(root, { imageSize: 64, objectScale: 4, difficulty: 0, objects: [2, 4], images: { sar: 40, rgb: 40, ir: 40 } });

// The tiny preset at 64 px: ViT (dim 96, 4 blocks, patch 8) → LVSA fusion of blocks 2 and 4 →
// pyramid at strides 4/8/16 → GFL head for SAR, rotated FCOS heads for RGB and IR.
const detector = new MultiModalDetector(detectorPreset('tiny', { imageSize: 64 }));
console.log(`parameters: ${detector.numParameters()}`);

const run = await fineTune({
  detector,
  data: { root, split: 'train' },
  steps: 20,
  batchSize: 8, // 4 SAR + 2 RGB + 2 IR per step
  optimizer: { lr: 2e-3 },
  onStep: ({ step, event }) => {
    if (step % 5 === 0) console.log(`step ${step}: loss ${event.loss.toFixed(3)} (sar ${event.losses!.sar.toFixed(3)}, rgb ${event.losses!.rgb.toFixed(3)}, ir ${event.losses!.ir.toFixed(3)}), |g| ${event.gradNorm!.toFixed(2)}`);
  },
});
tf.dispose(Object.values(run.state.optimizer.tensors));

const out = path.join(work, 'results');
const ev = await evaluate({ detector, data: { root, split: 'val' }, outDir: out });
for (const [m, r] of Object.entries(ev.perModality)) console.log(`${m.padEnd(4)} ${r.protocol.padEnd(5)} AP50 ${r.AP50.toFixed(3)}  mAP ${r.mAP.toFixed(3)}  (${r.numImages} images)`);
console.log(`global mAP ${ev.mAP.toFixed(3)}  H-mAP ${ev.hmap.toFixed(3)}`);
const written = ev.files.map((f) => path.relative(out, f)).sort();
console.log(`result files: ${written.length} (${written[0]} … ${written[written.length - 1]})`);
fs.rmSync(work, { recursive: true, force: true });
