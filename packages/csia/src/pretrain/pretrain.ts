// CSIA stage-1 pretraining loop (library function; the trainer app calls it):
// ViT → taps → LVSA fusion (α(t) from the step) → projector → LM → response-only loss, AdamW with
// warm-up + cosine, global-norm clipping, precision policy (emulated fp16/bf16 via core's
// autocast) with dynamic loss scaling, per-step telemetry, and resumable state.
import * as tf from '@tensorflow/tfjs';
import {
  AdamW,
  DynamicLossScaler,
  Rng,
  autocast,
  clipGradNorm,
  schedules,
  type LossScalerOptions,
  type LossScalerState,
  type OptimizerState,
  type Precision,
  type RngState,
} from '@babelrs/core';
import { alphaAt } from '@babelrs/lvsa';
import type { Modality } from '@babelrs/datasets';
import type { CsiaExample, CsiaImage } from '../data/mini-soi-examples.js';
import { CsiaInputError } from '../errors.js';
import { buildLossMask } from '../loss-mask.js';
import { responseOnlyCrossEntropy } from '../response-only-loss.js';
import type { TextTokenizer } from '../tokenizer/text-tokenizer.js';
import type { VisionLanguageModel } from '../vlm/vlm.js';
import { packBatch, stackImages, tokenizeExamples } from './batching.js';

/** Which parts are trained (default: all, as the paper: nothing frozen). */
export interface FreezeOptions {
  vision?: boolean;
  projector?: boolean;
  language?: boolean;
}

export interface PretrainOptions {
  vlm: VisionLanguageModel;
  tokenizer: TextTokenizer;
  /** Images and instruction examples (e.g. from `miniSoiExamples`). */
  images: readonly CsiaImage[];
  examples: readonly CsiaExample[];
  /** Total optimizer steps of the run (the schedule's length; a resumed run continues to it). */
  steps: number;
  /** Sequences per step; examples are drawn round-robin over modalities (default 12). */
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  warmupSteps?: number;
  /** Cosine floor as a fraction of lr (default 0.1). */
  minLrFactor?: number;
  /** Global gradient-norm clip (default 1.0; 0 disables). */
  clipNorm?: number;
  /** 'fp32' (default), 'fp16' (emulated, with loss scaling) or 'bf16'. */
  precision?: Precision;
  lossScaler?: LossScalerOptions;
  freeze?: FreezeOptions;
  /** Sequences are cut to this many tokens (default 256). */
  maxLength?: number;
  seed?: number;
  /** Resume from `getState()` of an earlier run (the model's weights are the vlm's own). */
  initialState?: PretrainState;
  /** Called after every step (also skipped ones); may be async (checkpointing). */
  onStep?: (event: PretrainStepEvent, ctx: PretrainContext) => void | Promise<void>;
  /** Checked before every step; true ends the run early (state stays resumable). */
  shouldStop?: () => boolean;
}

export interface PretrainStepEvent {
  /** 1-based: the number of steps done after this one. */
  step: number;
  loss: number;
  /** LVSA α(t) used in this step. */
  alpha: number;
  /** Global gradient norm before clipping (NaN/Inf on overflow). */
  gradNorm: number;
  lossScale: number;
  skipped: boolean;
  lr: number;
  /** Sequence tokens (prompt + response, no padding) per second of this step. */
  tokensPerSec: number;
  responseTokens: number;
  stepMs: number;
  modalities: Record<Modality, number>;
}

/** Everything besides the model weights that a resumed run needs. */
export interface PretrainState {
  step: number;
  optimizer: OptimizerState;
  scaler: LossScalerState;
  rng: RngState;
}

export interface PretrainContext {
  vlm: VisionLanguageModel;
  /** Copies of the optimizer tensors: the caller disposes `optimizer.tensors` when done. */
  getState(): PretrainState;
}

export interface PretrainResult {
  vlm: VisionLanguageModel;
  /** The pretrained vision encoder (`vlm.vit`), e.g. for `exportVit`. */
  vit: VisionLanguageModel['vit'];
  /** Steps done in total (including those of `initialState`). */
  steps: number;
  history: PretrainStepEvent[];
  stopped: boolean;
  getState(): PretrainState;
  /** Frees the optimizer state (the model stays); getState() is unusable afterwards. */
  dispose(): void;
}

/** Runs (or resumes) CSIA pretraining. */
export async function pretrain(opts: PretrainOptions): Promise<PretrainResult> {
  const { vlm, tokenizer } = opts;
  const batchSize = opts.batchSize ?? 12;
  const lr = opts.lr ?? 1e-3;
  const warmup = opts.warmupSteps ?? Math.min(50, Math.floor(opts.steps / 10));
  const precision = opts.precision ?? 'fp32';
  const clipNorm = opts.clipNorm ?? 1.0;
  if (!(Number.isInteger(opts.steps) && opts.steps > 0)) throw new CsiaInputError(`pretrain: steps must be a positive integer, got ${opts.steps}`);
  if (opts.examples.length === 0) throw new CsiaInputError('pretrain: no examples');
  opts.examples.forEach((e, i) => {
    if (!opts.images[e.image]) throw new CsiaInputError(`pretrain: example ${i} refers to image ${e.image}, there are ${opts.images.length}`);
  });
  applyFreeze(vlm, opts.freeze ?? {});
  const trainable = vlm.trainableParameters();
  if (trainable.length === 0) throw new CsiaInputError('pretrain: every part is frozen, nothing to train');

  const encoded = tokenizeExamples(tokenizer, opts.examples, vlm.numImageTokens);
  const padId = tokenizer.tokenId('<|endoftext|>');
  const byModality = groupByModality(opts.examples);
  const optimizer = new AdamW(vlm, { lr, weightDecay: opts.weightDecay ?? 0.05 });
  const scaler = new DynamicLossScaler({ enabled: precision === 'fp16', ...opts.lossScaler });
  const rng = new Rng(opts.seed ?? 0);
  const schedule = schedules.withWarmup(schedules.cosine(Math.max(1, opts.steps - warmup), { min: opts.minLrFactor ?? 0.1 }), warmup);
  let step = 0;
  if (opts.initialState) {
    step = opts.initialState.step;
    optimizer.loadStateDict(opts.initialState.optimizer);
    scaler.loadStateDict(opts.initialState.scaler);
    rng.setState(opts.initialState.rng);
  }
  const getState = (): PretrainState => ({ step, optimizer: optimizer.stateDict(), scaler: scaler.stateDict(), rng: rng.getState() });
  const history: PretrainStepEvent[] = [];
  let stopped = false;
  vlm.train();
  try {
    while (step < opts.steps) {
      if (opts.shouldStop?.()) {
        stopped = true;
        break;
      }
      const t0 = performance.now();
      const picks = drawBatch(byModality, batchSize, rng);
      const batch = packBatch(picks.map((i) => encoded[i]), padId, opts.maxLength ?? 256);
      const imageIdx = picks.map((i) => opts.examples[i].image);
      const alpha = alphaOf(vlm, step);
      optimizer.setLrFactor(schedule(step));
      const { loss, gradNorm, skipped, scale } = trainStep(vlm, batch, stackImages(opts.images, imageIdx), step, { precision, scaler, optimizer, clipNorm, trainable });
      step++;
      const { packed } = batch;
      const tokens = packed.totalLengths.reduce((a, n) => a + n, 0);
      const stepMs = performance.now() - t0;
      const modalities = { sar: 0, rgb: 0, ir: 0 } as Record<Modality, number>;
      for (const i of picks) modalities[opts.examples[i].modality]++;
      const event: PretrainStepEvent = {
        step,
        loss,
        alpha,
        gradNorm,
        lossScale: scale,
        skipped,
        lr: optimizer.groups[0].lr,
        tokensPerSec: tokens / (stepMs / 1000),
        responseTokens: packed.totalLengths.reduce((a, n, i) => a + n - packed.promptLengths[i], 0),
        stepMs,
        modalities,
      };
      history.push(event);
      await opts.onStep?.(event, { vlm, getState });
    }
  } finally {
    vlm.eval();
  }
  return { vlm, vit: vlm.vit, steps: step, history, stopped, getState, dispose: () => optimizer.dispose() };
}

function alphaOf(vlm: VisionLanguageModel, step: number): number {
  const f = vlm.config.fusion;
  return f.name === 'lvsa' ? alphaAt({ ramp: f.ramp ?? 'linear', tau: f.tau ?? 6000 }, step) : Number.NaN;
}

interface StepParts {
  precision: Precision;
  scaler: DynamicLossScaler;
  optimizer: AdamW;
  clipNorm: number;
  trainable: tf.Variable[];
}

/** One forward + backward + update; all tensors are released before it returns. */
function trainStep(vlm: VisionLanguageModel, batch: ReturnType<typeof packBatch>, images: tf.Tensor4D, step: number, p: StepParts): { loss: number; gradNorm: number; skipped: boolean; scale: number } {
  const { packed, attentionMask } = batch;
  const targets = tf.tensor2d(packed.inputIds, [packed.batchSize, packed.seqLen], 'int32');
  const mask = buildLossMask(packed.promptLengths, packed.totalLengths, packed.seqLen);
  const scale = p.scaler.scale;
  try {
    const { value, grads } = tf.variableGrads(() =>
      autocast(p.precision, () => {
        const logits = vlm.forward({ images, inputIds: packed.inputIds, batchSize: packed.batchSize, seqLen: packed.seqLen, attentionMask, step }); // [B, T, V]
        return p.scaler.scaleLoss(responseOnlyCrossEntropy(logits, targets, mask)) as tf.Scalar;
      }),
      p.trainable,
    );
    const loss = value.dataSync()[0] / scale;
    value.dispose();
    const unscaled = p.scaler.unscale(grads);
    tf.dispose(Object.values(grads));
    let gradNorm: number;
    let finalGrads = unscaled.grads;
    if (p.clipNorm > 0) {
      const clipped = clipGradNorm(unscaled.grads, p.clipNorm);
      tf.dispose(Object.values(unscaled.grads));
      finalGrads = clipped.grads;
      gradNorm = clipped.norm;
    } else {
      gradNorm = Math.sqrt(tf.tidy(() => tf.addN(Object.values(finalGrads).map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
    }
    const { skipped } = p.scaler.step(p.optimizer, finalGrads);
    p.scaler.update();
    tf.dispose(Object.values(finalGrads));
    return { loss, gradNorm, skipped, scale };
  } finally {
    tf.dispose([targets, mask, images]);
  }
}

function applyFreeze(vlm: VisionLanguageModel, freeze: FreezeOptions): void {
  const parts: [keyof FreezeOptions, string][] = [['vision', 'vision_model'], ['projector', 'mlp1'], ['language', 'language_model']];
  for (const [key, prefix] of parts) (freeze[key] ? vlm.freeze(prefix) : vlm.unfreeze(prefix));
}

function groupByModality(examples: readonly CsiaExample[]): number[][] {
  const groups = new Map<Modality, number[]>();
  examples.forEach((e, i) => {
    const g = groups.get(e.modality) ?? [];
    g.push(i);
    groups.set(e.modality, g);
  });
  return [...groups.values()];
}

/** Round-robin over modalities (batches mix them evenly), a random example of each. */
function drawBatch(groups: readonly number[][], batchSize: number, rng: Rng): number[] {
  const out: number[] = [];
  const start = Math.floor(rng.uniform() * groups.length);
  for (let i = 0; i < batchSize; i++) {
    const g = groups[(start + i) % groups.length];
    out.push(g[Math.min(g.length - 1, Math.floor(rng.uniform() * g.length))]);
  }
  return out;
}
