/**
 * Built-in presets, as data (mmrotate-style: a config file `extends: mini-soi` and changes a few
 * keys). `mini-soi` is the default: synthetic data, tiny models, CPU minutes.
 * `soi-det-paper` carries the paper's settings (BabelRS §4 / DESIGN.md §1).
 */
import type { RunConfig } from './schema.js';

const COMMON_RUN: RunConfig['run'] = { checkpointEvery: 100, keepCheckpoints: 2, nanPatience: 3, compareBaseline: false, reportSamples: 2 };

// mini-soi follows @babelrs/detector's tiny-preset recipe on the synthetic set (bench/mini-soi-train.ts):
// 64-px scenes with large objects (objectScale 3.5: at 4, 4 of the 1200 scenes cannot place a
// bridge), lr 2e-3, clip 10, SAR:RGB:IR 1:1:1 (the OBB
// heads of RGB / IR have the harder task; the paper's 2:1:1 is in the soi-det presets).
const MINI_SOI: RunConfig = {
  name: 'mini-soi',
  seed: 0,
  backend: 'auto',
  data: {
    kind: 'mini-soi',
    root: 'runs/data/mini-soi',
    synthetic: { images: { sar: 400, rgb: 400, ir: 400 }, imageSize: 64, objects: [2, 4], difficulty: 0, objectScale: 3.5 },
    trainSplit: 'train',
    evalSplit: 'test',
    imageSize: 64,
  },
  // 4 ViT blocks: the 2nd and the last are fused (the detector's tiny preset).
  // Pyramid strides 4/8/16, not the tiny preset's 2/4/8/16: a stride-2 level costs ≈ 2× per step
  // (it is what lets the detector bench pass in 10 minutes; here two fine-tunings share 15).
  model: { preset: 'tiny', layers: [2, 4], fusion: 'lvsa', heads: { sar: 'gfl', rgb: 'rotated-fcos', ir: 'rotated-fcos' }, neckScales: [2, 1, 0.5] },
  pretrain: {
    enabled: true,
    steps: 150,
    batch: 12,
    lr: 2e-3,
    schedule: 'cosine',
    warmupSteps: 10,
    tau: 50,
    weightDecay: 0.05,
    maxGradNorm: 1,
    precision: 'fp32',
    imageSize: 64,
    lm: 'tiny',
  },
  // 800 steps: measured from the same pretrained ViT, 600 leave RGB / IR under AP50 0.5, 800 and
  // 900 pass in every modality (bench/results/trainer.json); 800 keeps npm start near 13 CPU-minutes.
  finetune: {
    steps: 800,
    batch: 6,
    lr: 2e-3,
    weightDecay: 0.05,
    layerDecay: 0.95,
    warmupSteps: 40,
    milestones: [8 / 12, 11 / 12],
    maxGradNorm: 10,
    ratios: { sar: 1, rgb: 1, ir: 1 },
    precision: 'fp32',
    // both cores: two data-parallel replicas, the batch of 6 split by image within each modality
    workers: 2,
  },
  eval: { scoreThreshold: 0.05, maxDetections: 100 },
  run: { ...COMMON_RUN, compareBaseline: true },
};

const SOI_DET_PAPER: RunConfig = {
  name: 'soi-det-paper',
  seed: 0,
  backend: 'auto',
  data: { kind: 'soi-det', root: 'data/SOI-Det', trainSplit: 'train', evalSplit: 'test', imageSize: 800 },
  // InternViT-300M shape (24 blocks) + Qwen2.5-0.5B-shaped LM; taps at the 3rd, 9th, 18th and last block.
  model: { preset: 'paper', layers: [3, 9, 18, 24], fusion: 'lvsa', heads: { sar: 'gfl', rgb: 'oriented-rcnn', ir: 'oriented-rcnn' } },
  pretrain: {
    enabled: true,
    steps: 20_000,
    batch: 128,
    lr: 2e-5,
    schedule: 'cosine',
    warmupSteps: 600,
    tau: 6000,
    weightDecay: 0.05,
    maxGradNorm: 1,
    precision: 'bf16',
    imageSize: 448,
    lm: { path: 'models/Qwen2.5-0.5B-Instruct' },
  },
  finetune: {
    steps: 36_000,
    batch: 8,
    lr: 5e-5,
    weightDecay: 0.05,
    layerDecay: 0.95,
    warmupSteps: 500,
    milestones: [8 / 12, 11 / 12],
    maxGradNorm: 35,
    ratios: { sar: 2, rgb: 1, ir: 1 },
    precision: 'fp16',
    workers: 1,
  },
  eval: { scoreThreshold: 0.05, maxDetections: 2000 },
  run: { ...COMMON_RUN, checkpointEvery: 1000, reportSamples: 3 },
};

const SOI_DET_SMALL: RunConfig = {
  ...SOI_DET_PAPER,
  name: 'soi-det-small',
  // A small ViT (12 blocks): taps at the 3rd, 6th, 9th and last block; one-stage heads.
  model: { preset: 'small', layers: [3, 6, 9, 12], fusion: 'lvsa', heads: { sar: 'gfl', rgb: 'rotated-fcos', ir: 'rotated-fcos' } },
  pretrain: { ...SOI_DET_PAPER.pretrain, steps: 4000, batch: 16, tau: 1200, lr: 1e-4, imageSize: 224, lm: 'tiny' },
  finetune: { ...SOI_DET_PAPER.finetune, steps: 12_000, lr: 1e-4 },
};

export const PRESETS: Readonly<Record<string, RunConfig>> = {
  'mini-soi': MINI_SOI,
  'soi-det-small': SOI_DET_SMALL,
  'soi-det-paper': SOI_DET_PAPER,
};

export const DEFAULT_PRESET = 'mini-soi';
export const PRESET_NAMES = Object.keys(PRESETS);
