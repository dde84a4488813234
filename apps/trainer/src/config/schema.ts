/**
 * The run configuration: one zod schema, strict at every level, so a misspelt key is an error
 * that names its path (`finetune.lrr: unknown key`) instead of a silently ignored setting.
 * Layers are counted from 1 as the paper does ("3rd, 9th, 18th and last of 24 blocks").
 */
import { z } from 'zod';

export const MODALITY_NAMES = ['sar', 'rgb', 'ir'] as const;
export const FUSIONS = ['last', 'concat', 'sum', 'mean', 'per-layer-projectors', 'lvsa'] as const;
export const HEAD_TYPES = ['gfl', 'rotated-fcos', 'oriented-rcnn'] as const;
export const PRECISION_NAMES = ['fp32', 'fp16', 'bf16'] as const;
export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

const positiveInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();
const rate = z.number().nonnegative().finite();

const perModality = <T extends z.ZodType>(t: T) => z.strictObject({ sar: t, rgb: t, ir: t });

const syntheticSchema = z.strictObject({
  images: perModality(positiveInt),
  imageSize: z.number().int().min(48),
  objects: z.tuple([positiveInt, positiveInt]),
  difficulty: z.number().min(0).max(1),
  objectScale: z.number().positive().optional(),
});

const dataSchema = z.strictObject({
  /** `mini-soi`: the built-in synthetic set, generated under `root` when absent. `soi-det`: a real SOI-Det layout. */
  kind: z.enum(['mini-soi', 'soi-det']),
  /** Dataset folder; relative paths are resolved against the working folder. */
  root: z.string().min(1),
  /** Options of the synthetic set (mini-soi only). */
  synthetic: syntheticSchema.optional(),
  trainSplit: z.string().min(1),
  evalSplit: z.string().min(1),
  /** Network input side in pixels (images are resized keeping aspect ratio and padded). */
  imageSize: positiveInt,
});

const modelSchema = z.strictObject({
  /** `detectorPreset` name of @babelrs/detector. */
  preset: z.enum(['tiny', 'small', 'paper']),
  /** ViT blocks whose outputs are fused (1-based; the last block must be included). */
  layers: z.array(positiveInt).min(1),
  fusion: z.enum(FUSIONS),
  heads: perModality(z.enum(HEAD_TYPES)),
  /**
   * Scale factors of the simple feature pyramid (4, 2, 1, 0.5: strides patch/4 … patch·2); absent:
   * the preset's. mini-soi uses [2, 1, 0.5] (strides 4/8/16): cheaper steps than the tiny preset's
   * stride-2 level, so that `npm start` stays under 15 minutes.
   */
  neckScales: z.array(z.number().refine((v) => [4, 2, 1, 0.5].includes(v), { message: 'expected one of 4, 2, 1, 0.5' })).min(1).optional(),
});

const pretrainSchema = z.strictObject({
  enabled: z.boolean(),
  steps: positiveInt,
  batch: positiveInt,
  lr: rate,
  schedule: z.enum(['cosine', 'constant']),
  warmupSteps: nonNegInt,
  /** LVSA annealing horizon τ: α(t) = min(t/τ, 1). */
  tau: positiveInt,
  weightDecay: rate,
  maxGradNorm: z.number().positive(),
  precision: z.enum(PRECISION_NAMES),
  /** Image side of the instruction images (stage 1 runs at a lower resolution than detection). */
  imageSize: positiveInt,
  /** Language model: `tiny` (built in, trained from scratch) or a local HF folder (Qwen2 architecture). */
  lm: z.union([z.literal('tiny'), z.strictObject({ path: z.string().min(1) })]),
});

const finetuneSchema = z.strictObject({
  steps: positiveInt,
  batch: positiveInt,
  lr: rate,
  weightDecay: rate,
  layerDecay: z.number().gt(0).max(1),
  warmupSteps: nonNegInt,
  /** Step decay ×0.1 at these fractions of `steps` (the reference: 8/12 and 11/12). */
  milestones: z.array(z.number().gt(0).lt(1)),
  maxGradNorm: z.number().positive(),
  /** Samples per modality in every batch, SAR:RGB:IR (the reference: 2:1:1). */
  ratios: perModality(nonNegInt),
  precision: z.enum(PRECISION_NAMES),
  /** Worker threads, data parallel (one wasm backend per core; 1 = this thread only). */
  workers: positiveInt.max(64),
});

const evalSchema = z.strictObject({
  scoreThreshold: z.number().min(0).max(1),
  maxDetections: positiveInt,
});

const runSchema = z.strictObject({
  /** Save a checkpoint every this many steps (and at the end of a stage). */
  checkpointEvery: positiveInt,
  /** Checkpoints kept per stage (oldest removed first). */
  keepCheckpoints: positiveInt,
  /** Consecutive non-finite losses in fp32 before the run stops. */
  nanPatience: positiveInt,
  /** Also fine-tune WITHOUT pretraining and report both H-mAPs. */
  compareBaseline: z.boolean(),
  /** Sample images per modality drawn with their detections in the report. */
  reportSamples: nonNegInt,
});

export const runConfigSchema = z.strictObject({
  name: z.string().min(1),
  seed: nonNegInt,
  backend: z.enum(BACKEND_NAMES),
  data: dataSchema,
  model: modelSchema,
  pretrain: pretrainSchema,
  finetune: finetuneSchema,
  eval: evalSchema,
  run: runSchema,
});

export type RunConfig = z.infer<typeof runConfigSchema>;
export type Fusion = (typeof FUSIONS)[number];
export type HeadType = (typeof HEAD_TYPES)[number];
