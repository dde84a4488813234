/**
 * The demo's training loop, written the way the real stage-2 loop will be: modality-balanced
 * batches (SAR:RGB:IR = 2:1:1), AdamW with no-decay parameter groups, linear warm-up + cosine
 * lr, gradient clipping by global norm, the mixed-precision policy (fp16 / bf16 EMULATED: tfjs
 * has no half-precision dtype; see @babelrs/core) with PyTorch-GradScaler-style dynamic loss
 * scaling under fp16, and one telemetry `step` event per step (loss, per-modality losses,
 * gradient norm, loss scale, overflow / skipped).
 */
import {
  AdamW,
  DynamicLossScaler,
  autocast,
  clipGradNorm,
  paramGroups,
  schedules,
  tf,
  type Precision,
  type StepEvent,
  type Telemetry,
} from '@babelrs/core';
import { MODALITIES, ModalityBalancedSampler, SOI_DET_MODALITY_RATIOS, type Modality } from '@babelrs/datasets';
import type { ConceptClassifier } from './concept-classifier.js';
import type { CropDataset } from './crop-dataset.js';

export interface TrainOptions {
  steps: number;
  /** Crops per batch; a multiple of 4 (2 SAR, 1 RGB, 1 IR per 4). */
  batch: number;
  lr?: number;
  weightDecay?: number;
  /** Warm-up steps (default: 10% of `steps`). */
  warmupSteps?: number;
  /** Clip gradients to this global L2 norm (default 1). */
  maxGradNorm?: number;
  precision?: Precision;
  /** Seed of the batch order. */
  seed?: number;
  telemetry?: Telemetry;
  /** Called after every step (progress line). */
  onStep?: (event: StepEvent) => void;
}

export interface TrainResult {
  steps: number;
  /** Mean loss of the first and of the last min(10, steps) steps. */
  firstLoss: number;
  finalLoss: number;
  finalGradNorm: number | null;
  overflowSteps: number;
  skippedSteps: number;
  finalLossScale: number;
  /** Parameter groups as the optimizer ran them (decay vs no-decay). */
  paramGroups: Array<{ name: string; weightDecay: number; params: string[] }>;
  /** `tf.memory().numTensors` after each step: constant from step 1 on when nothing leaks. */
  liveTensors: number[];
  seconds: number;
}

const RATIO_SUM = SOI_DET_MODALITY_RATIOS.sar + SOI_DET_MODALITY_RATIOS.rgb + SOI_DET_MODALITY_RATIOS.ir;

export function trainConceptClassifier(model: ConceptClassifier, data: CropDataset, opts: TrainOptions): TrainResult {
  const t0 = performance.now();
  const { steps, batch, lr = 2e-3, weightDecay = 0.05, maxGradNorm = 1, precision = 'fp32', seed = 0 } = opts;
  if (!(Number.isInteger(steps) && steps > 0)) throw new RangeError(`train: steps must be a positive integer, got ${steps}`);
  if (!(Number.isInteger(batch) && batch > 0 && batch % RATIO_SUM === 0)) throw new RangeError(`train: batch must be a positive multiple of ${RATIO_SUM} (SAR:RGB:IR = 2:1:1), got ${batch}`);
  const warmupSteps = opts.warmupSteps ?? Math.floor(steps / 10);
  const sampler = new ModalityBalancedSampler({ modalities: data.items.map((it) => it.modality), batchSize: batch, seed });
  const groups = paramGroups(model, { weightDecay });
  const optimizer = new AdamW(groups, { lr, weightDecay });
  // GradScaler is only needed for fp16: bf16 has fp32's exponent range.
  const scaler = new DynamicLossScaler({ enabled: precision === 'fp16' });
  const lrFactor = schedules.withWarmup(schedules.cosine(Math.max(steps - warmupSteps, 1)), warmupSteps);
  const variables = model.trainableParameters();
  const losses: number[] = [];
  const liveTensors: number[] = [];
  let overflowSteps = 0;
  let skippedSteps = 0;
  let lastNorm: number | null = null;
  model.train();
  try {
    for (let step = 0; step < steps; step++) {
      const stepStart = performance.now();
      optimizer.setLrFactor(lrFactor(step));
      const indices = sampler.batchAt(step);
      const { perSample, overflow, skipped, norm } = trainStep(model, data, indices, variables, optimizer, scaler, precision, maxGradNorm);
      const modalities = indices.map((i) => data.items[i].modality);
      const loss = mean(perSample);
      losses.push(loss);
      lastNorm = norm;
      if (overflow) overflowSteps++;
      if (skipped) skippedSteps++;
      const event: StepEvent = {
        type: 'step',
        step,
        loss,
        losses: lossesByModality(perSample, modalities),
        gradNorm: norm,
        lossScale: scaler.scale,
        overflow,
        skipped,
        lr: optimizer.groups[0].lr,
        stepMs: performance.now() - stepStart,
        samples: indices.length,
      };
      scaler.update();
      liveTensors.push(tf.memory().numTensors);
      opts.telemetry?.emit(event);
      opts.onStep?.(event);
    }
  } finally {
    optimizer.dispose();
  }
  model.eval();
  const k = Math.min(10, steps);
  return {
    steps,
    firstLoss: mean(losses.slice(0, k)),
    finalLoss: mean(losses.slice(-k)),
    finalGradNorm: lastNorm,
    overflowSteps,
    skippedSteps,
    finalLossScale: scaler.scale,
    paramGroups: optimizer.groups.map((g) => ({ name: g.name, weightDecay: g.weightDecay, params: g.params.map((p) => p.name) })),
    liveTensors,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Forward + backward under the precision policy, unscale, clip, (maybe) step. Every tensor it
 * creates is disposed before it returns. `norm` is null when the gradients overflowed (the
 * norm of Inf/NaN gradients means nothing; the step is skipped).
 */
function trainStep(
  model: ConceptClassifier,
  data: CropDataset,
  indices: readonly number[],
  variables: tf.Variable[],
  optimizer: AdamW,
  scaler: DynamicLossScaler,
  precision: Precision,
  maxGradNorm: number,
): { perSample: Float32Array; overflow: boolean; skipped: boolean; norm: number | null } {
  const { x, y } = makeBatch(data, indices, model.numConcepts);
  // The per-crop losses are kept out of variableGrads' tidy for the per-modality telemetry.
  const kept: { ce?: tf.Tensor1D } = {};
  const { value, grads } = autocast(precision, () =>
    tf.variableGrads(() => {
      const ce = softmaxCrossEntropy(model.forward(x), y); // [B], float32
      kept.ce = tf.keep(ce);
      return scaler.scaleLoss(tf.mean(ce)) as tf.Scalar;
    }, variables),
  );
  const perSample = Float32Array.from(kept.ce!.dataSync());
  const unscaled = scaler.unscale(grads);
  let norm: number | null = null;
  let skipped: boolean;
  if (unscaled.foundInf) {
    skipped = scaler.step(optimizer, unscaled.grads).skipped;
  } else {
    const clipped = clipGradNorm(unscaled.grads, maxGradNorm);
    norm = clipped.norm;
    skipped = scaler.step(optimizer, clipped.grads).skipped;
    tf.dispose(clipped.grads);
  }
  tf.dispose([x, y, value, kept.ce!]);
  tf.dispose(grads);
  tf.dispose(unscaled.grads);
  return { perSample, overflow: unscaled.foundInf, skipped, norm };
}

/** Gathers crops `indices` into x [B, C·S·S] and one-hot concept targets y [B, V]. */
export function makeBatch(data: CropDataset, indices: readonly number[], numConcepts: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const stride = data.channels * data.size * data.size;
  const xs = new Float32Array(indices.length * stride);
  const concepts = new Int32Array(indices.length);
  indices.forEach((idx, r) => {
    xs.set(data.pixels.subarray(idx * stride, (idx + 1) * stride), r * stride);
    concepts[r] = data.items[idx].concept;
  });
  return tf.tidy(() => ({ x: tf.tensor2d(xs, [indices.length, stride]), y: tf.oneHot(tf.tensor1d(concepts, 'int32'), numConcepts).toFloat() as tf.Tensor2D }));
}

/** −Σ y·log softmax(logits), per row: [B, V] × [B, V] → [B]. Always float32. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1)) as tf.Tensor1D);
}

function lossesByModality(perSample: Float32Array, modalities: readonly Modality[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of MODALITIES) {
    const vals = Array.from(perSample).filter((_, i) => modalities[i] === m);
    if (vals.length > 0) out[m] = mean(vals);
  }
  return out;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : Number.NaN;
}
