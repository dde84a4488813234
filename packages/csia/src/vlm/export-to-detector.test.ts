// "Done when the exported ViT loads into @babelrs/vit-backbone and into the detector": the tiny
// preset's ViT, exported by exportVit, initialises @babelrs/detector's 'tiny' backbone with
// every tensor identical (the detector is a devDependency, used by this test only).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@babelrs/core';
import { MultiModalDetector, detectorPreset, loadBackboneCheckpoint } from '@babelrs/detector';
import { beforeAll, expect, it } from 'vitest';
import { csiaPreset, vlmConfigFor } from '../pretrain/presets.js';
import { trainBpeTokenizer } from '../tokenizer/train-bpe.js';
import { exportVit } from './vlm-io.js';
import { VisionLanguageModel } from './vlm.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

it("the tiny preset's exported ViT initialises the detector's tiny backbone exactly", () => {
  const tok = trainBpeTokenizer(['How many ships?', 'There are 2 ships.'], { maxMerges: 20 });
  const vlm = new VisionLanguageModel(vlmConfigFor(csiaPreset('tiny'), tok), { seed: 3 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csia-det-'));
  const file = path.join(dir, 'vit.safetensors');
  exportVit(vlm.vit, file);
  const detector = new MultiModalDetector(detectorPreset('tiny'));
  loadBackboneCheckpoint(detector, file, 'babelrs');
  const a = vlm.vit.stateDict();
  const b = detector.backbone.stateDict();
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) {
    expect(b[k].shape, k).toEqual(a[k].shape);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a[k], b[k]))).dataSync()[0]), k).toBe(0);
  }
  vlm.dispose();
  fs.rmSync(dir, { recursive: true });
});
