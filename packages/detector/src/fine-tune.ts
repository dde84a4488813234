// Stage 2 of BabelRS: joint multi-modal fine-tuning of the detector. One step = one
// modality-balanced batch (SOI-Det: SAR:RGB:IR = 2:1:1), total loss = plain sum of the heads'
// losses, AdamW with layer-wise lr decay and no-decay groups, warm-up + multi-step lr,
// gradient clipping, emulated mixed precision with dynamic loss scaling, one telemetry event
// per step. Everything a step depends on is a function of (seed, step) or of the saved state,
// so a run resumed from `getState()` continues exactly.
import * as tf from '@tensorflow/tfjs';
import {
  AdamW,
  DynamicLossScaler,
  autocast,
  clipGradNorm,
  defaultRng,
  globalGradNorm,
  layerDecayScale,
  paramGroups,
  readSafetensors,
  schedules,
  type LossScalerOptions,
  type LossScalerState,
  type OptimizerState,
  type Precision,
  type RngState,
  type StepEvent,
  type Telemetry,
} from '@babelrs/core';
import { buildPipeline, hashSeed, ModalityBalancedSampler, SOI_DET_MODALITY_RATIOS, type ModalityRatios } from '@babelrs/datasets';
import { loadVitWeights } from '@babelrs/vit-backbone';
import { collateBatch, type DetectorBatch } from './batch.js';
import { loadItems, resolveSamples, type DetectionData } from './detection-data.js';
import type { MultiModalDetector } from './multi-modal-detector.js';
import { trainPipeline } from './pipelines.js';
import { hostWeights, makeShard, planShards, pullState, pullWeights, startWorkers, stepEvent } from './fine-tune-parallel.js';
import { toHostTensor } from './fine-tune-replica.js';

export interface FineTuneOptimizerOptions {
  /** Base lr (heads and neck; the ViT's blocks get lr × layerDecay^(depth + 1 − layer)). Default 1e-4. */
  lr?: number;
  /** Default 0.05 (biases, norms, embeddings of rank ≤ 1 get 0). */
  weightDecay?: number;
  /** Layer-wise lr decay of the ViT (default 0.95; 1 = none). */
  layerDecay?: number;
  betas?: [number, number];
  eps?: number;
}

export interface FineTuneScheduleOptions {
  /** Linear warm-up steps (default min(500, ⌊steps / 10⌋)). */
  warmupSteps?: number;
  /** Warm-up starts at lr × this (default 0.001, mmdet's `warmup_ratio`). */
  warmupStartFactor?: number;
  /** Fractions of `steps` where lr is multiplied by `gamma` (default [8/12, 11/12]). */
  milestones?: number[];
  gamma?: number;
}

/** Everything needed to continue a run exactly (weights are saved separately). */
export interface FineTuneState {
  /** Completed steps; also the next batch number of the sampler. */
  step: number;
  /** The data seed of the run (batches and augmentation derive from it). */
  seed: number;
  /** AdamW state: JSON meta + moment tensors (owned by whoever holds the state: dispose them). */
  optimizer: OptimizerState;
  scaler: LossScalerState;
  /** `@babelrs/core`'s default generator (layers without their own Rng draw from it). */
  rng: RngState;
}

export interface FineTuneStepInfo {
  /** Completed steps after this one. */
  step: number;
  event: StepEvent;
  /** Per-loss values of this step (`total`, `sar`, `sar.loss_qfl`, …). */
  losses: Record<string, number>;
  /** A snapshot of the state after this step (tensors are copies: the caller disposes them). Valid during `onStep` only. */
  getState(): FineTuneState;
  /**
   * With workers > 1 on a step that `workerSyncEvery` skipped: copies the workers' weights into
   * `detector` and their state back, so that `getState()` is valid (a trainer's Ctrl-C checkpoint).
   * Already synced, or 1 worker: resolves at once. During `onStep` only.
   */
  syncState(): Promise<void>;
}

export interface FineTuneOptions {
  detector: MultiModalDetector;
  /** Training samples, or `{ root, split }` of an SOI-Det-layout folder (mini-SOI included). */
  data: DetectionData;
  /** Length of the schedule: the run ends after this many steps (counted from 0, resumes included). */
  steps: number;
  /** Images per step, a multiple of the ratio sum (default: the ratio sum, 4 for 2:1:1). */
  batchSize?: number;
  /** Share of each modality per batch (default 2:1:1, restricted to the detector's heads). */
  ratios?: ModalityRatios;
  optimizer?: FineTuneOptimizerOptions;
  schedule?: FineTuneScheduleOptions;
  /** Max global gradient norm (default 35, mmdet's GFL/FCOS setting); null = no clipping. */
  clipGradNorm?: number | null;
  /** Emulated compute precision of matmul-like layers (default fp32). */
  precision?: Precision;
  /** Dynamic loss scaling (default: enabled exactly when precision is fp16). */
  lossScaler?: LossScalerOptions;
  /** Seed of batch order and augmentation (default 0). */
  seed?: number;
  /** Random flips (default true). */
  augment?: boolean;
  /** A ViT safetensors checkpoint (e.g. CSIA stage 1's export) loaded into the backbone first (not when resuming). */
  init?: string;
  /** Key style of `init` (default 'babelrs': the detector's own timm-style names). */
  initStyle?: 'babelrs' | 'timm' | 'internvit';
  /** State from `getState()` of an earlier run: continues at its step. */
  resume?: FineTuneState;
  telemetry?: Telemetry;
  /** Called after every step (awaited: a trainer may checkpoint here). */
  onStep?: (info: FineTuneStepInfo) => void | Promise<void>;
  /** Asked before every step; true ends the run cleanly (e.g. after Ctrl-C). */
  shouldStop?: (step: number) => boolean;
  /** Consecutive steps with non-finite gradients in fp32 (no scaler) before giving up (default 5). */
  maxNonFiniteSteps?: number;
  /**
   * Worker threads (default 1: this thread, the exact single-core path). With n > 1 the global
   * batch is split over n replicas (core's `DataParallel`, one wasm backend per thread) and their
   * gradients summed every step: by modality when the groups split evenly (SOI-Det's 2:1:1 over 2
   * workers: the same gradient as 1 worker), else by image within every modality (per-shard loss
   * normalisation, as in data-parallel mmdet). Batches are still loaded here.
   */
  workers?: number;
  /**
   * With workers > 1: copy the workers' weights (into `detector`) and optimizer state (for
   * `getState()`) back before `onStep` every this many steps (default 1; 0 = only at the end).
   * On other steps `getState()` throws and `detector` holds older weights.
   */
  workerSyncEvery?: number;
}

export interface FineTuneResult {
  /** Completed steps. */
  step: number;
  /** Ended by `shouldStop` before `steps`. */
  stopped: boolean;
  history: StepEvent[];
  seconds: number;
  imagesPerSecond: number;
  /** Final state (tensors owned by the caller: dispose `state.optimizer.tensors`). */
  state: FineTuneState;
}

/** The run diverged: gradients stayed non-finite in fp32 for `maxNonFiniteSteps` steps. */
export class FineTuneDivergedError extends Error {
  override readonly name = 'FineTuneDivergedError';
  constructor(
    readonly step: number,
    steps: number,
  ) {
    super(`fine-tuning diverged: non-finite loss or gradients for ${steps} consecutive steps (last at step ${step}); parameters were not updated by those steps`);
  }
}

/** The ratios restricted to the detector's heads (a modality without a head gets 0). */
function effectiveRatios(detector: MultiModalDetector, ratios: ModalityRatios | undefined): ModalityRatios {
  const base = ratios ?? SOI_DET_MODALITY_RATIOS;
  const out: ModalityRatios = {};
  for (const m of detector.modalities) out[m] = base[m] ?? 0;
  for (const [m, r] of Object.entries(base)) {
    if ((r ?? 0) > 0 && !detector.modalities.includes(m as never)) throw new Error(`fineTune: ratios ask for ${m} samples but the detector has no ${m} head`);
  }
  return out;
}

/** AdamW over the detector with the ViT's layer-wise lr decay and the no-decay groups. */
export function buildOptimizer(detector: MultiModalDetector, o: FineTuneOptimizerOptions = {}): AdamW {
  const depth = detector.config.backbone.depth;
  const decay = o.layerDecay ?? 0.95;
  const groups = paramGroups(detector, {
    weightDecay: o.weightDecay ?? 0.05,
    lrScale: (name) => (name.startsWith('backbone.') ? layerDecayScale(name.slice('backbone.'.length), depth, decay) : 1),
  });
  return new AdamW(groups, { lr: o.lr ?? 1e-4, weightDecay: o.weightDecay ?? 0.05, betas: o.betas, eps: o.eps });
}

/** The run's lr factor as a pure function of the step. */
export function buildSchedule(steps: number, s: FineTuneScheduleOptions = {}): schedules.Schedule {
  const warmup = s.warmupSteps ?? Math.min(500, Math.floor(steps / 10));
  return schedules.warmupMultiStep(steps, warmup, { fractions: s.milestones, gamma: s.gamma, startFactor: s.warmupStartFactor });
}

/** Loads a ViT checkpoint into the detector's backbone. */
export function loadBackboneCheckpoint(detector: MultiModalDetector, file: string, style: 'babelrs' | 'timm' | 'internvit' = 'babelrs'): void {
  const { tensors } = readSafetensors(file);
  try {
    loadVitWeights(detector.backbone, new Map(Object.entries(tensors)), { style });
  } catch (err) {
    throw new Error(`fineTune init ${file}: ${(err as Error).message}`);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

export async function fineTune(opts: FineTuneOptions): Promise<FineTuneResult> {
  const { detector, steps } = opts;
  if (!(Number.isInteger(steps) && steps > 0)) throw new RangeError(`fineTune: steps must be a positive integer, got ${steps}`);
  const seed = opts.resume?.seed ?? opts.seed ?? 0;
  const precision = opts.precision ?? 'fp32';
  // A resumed run's weights come from its checkpoint, not from the stage-1 ViT.
  if (opts.init && !opts.resume) loadBackboneCheckpoint(detector, opts.init, opts.initStyle);
  const samples = await resolveSamples(opts.data, detector.modalities, 'fineTune');
  const sampler = new ModalityBalancedSampler({ modalities: samples.map((s) => s.modality), ratios: effectiveRatios(detector, opts.ratios), batchSize: opts.batchSize, seed });
  const pipeline = buildPipeline(trainPipeline(detector.config, { augment: opts.augment }));
  const heads = { spaces: detector.labelSpaces, boxTypes: detector.boxTypes };
  const size = detector.config.imageSize;
  const loadBatch = async (b: number): Promise<DetectorBatch> => {
    const indices = sampler.batchAt(b);
    const items = await loadItems(samples, indices, pipeline, indices.map((_, slot) => hashSeed(seed, b, slot)));
    return collateBatch(items, size, heads);
  };

  const workers = opts.workers ?? 1;
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`fineTune: workers must be an integer ≥ 1, got ${opts.workers}`);
  if (workers > 1) return fineTuneWorkers(opts, { seed, precision, workers, loadBatch });
  const optimizer = buildOptimizer(detector, opts.optimizer);
  const scaler = new DynamicLossScaler({ enabled: precision === 'fp16', ...opts.lossScaler });
  const schedule = buildSchedule(steps, opts.schedule);
  let step = 0;
  if (opts.resume) {
    optimizer.loadStateDict(opts.resume.optimizer);
    scaler.loadStateDict(opts.resume.scaler);
    defaultRng().setState(opts.resume.rng);
    step = opts.resume.step;
  }
  const getState = (): FineTuneState => ({ step, seed, optimizer: optimizer.stateDict(), scaler: scaler.stateDict(), rng: defaultRng().getState() });
  const vars = detector.trainableParameters();
  const clip = opts.clipGradNorm === undefined ? 35 : opts.clipGradNorm;
  const maxNonFinite = opts.maxNonFiniteSteps ?? 5;
  const history: StepEvent[] = [];
  const t0 = performance.now();
  let images = 0;
  let nonFinite = 0;
  let stopped = false;
  detector.train();
  let next = step < steps ? loadBatch(step) : null;
  try {
    while (step < steps) {
      if (opts.shouldStop?.(step)) {
        stopped = true;
        break;
      }
      const batch = await next!;
      // Decode the next batch while this one computes.
      next = step + 1 < steps ? loadBatch(step + 1) : null;
      next?.catch(() => undefined);
      const ts = performance.now();
      optimizer.setLrFactor(schedule(step));
      detector.fusionStep = step;
      const r = trainStep(detector, batch, vars, precision, scaler, clip);
      let skipped: boolean;
      if (r.foundInf && !scaler.enabled) {
        // fp32 without scaling: never apply a NaN update; give up when it persists.
        skipped = true;
        if (++nonFinite >= maxNonFinite) {
          tf.dispose(Object.values(r.grads));
          scaler.update();
          throw new FineTuneDivergedError(step, nonFinite);
        }
        scaler.update();
      } else {
        skipped = scaler.step(optimizer, r.grads).skipped;
        scaler.update();
        if (!r.foundInf) nonFinite = 0;
      }
      const lossScale = r.lossScale;
      tf.dispose(Object.values(r.grads));
      step++;
      const n = batch.samples.length;
      images += n;
      const stepMs = performance.now() - ts;
      const event: StepEvent = {
        type: 'step',
        step,
        loss: r.losses.total,
        losses: r.losses,
        gradNorm: r.gradNorm,
        lossScale,
        overflow: r.foundInf,
        skipped,
        lr: optimizer.groups.reduce((m, g) => Math.max(m, g.lr), 0),
        stepMs,
        samples: n,
      };
      history.push(event);
      opts.telemetry?.emit(event);
      const doneStep = step;
      await opts.onStep?.({ step: doneStep, event, losses: r.losses, getState, syncState: async () => undefined });
    }
  } finally {
    await next?.catch(() => undefined);
  }
  const seconds = (performance.now() - t0) / 1000;
  const state = getState();
  optimizer.dispose();
  return { step, stopped, history, seconds, imagesPerSecond: seconds > 0 ? images / seconds : 0, state };
}

/** `fineTune` over `workers` DataParallel replicas; the same loop, steps taken by the workers. */
async function fineTuneWorkers(
  opts: FineTuneOptions,
  ctx: { seed: number; precision: Precision; workers: number; loadBatch: (b: number) => Promise<DetectorBatch> },
): Promise<FineTuneResult> {
  const { detector, steps } = opts;
  const syncEvery = opts.workerSyncEvery ?? 1;
  if (!(Number.isInteger(syncEvery) && syncEvery >= 0)) throw new RangeError(`fineTune: workerSyncEvery must be an integer ≥ 0, got ${opts.workerSyncEvery}`);
  let step = opts.resume?.step ?? 0;
  const r0 = opts.resume;
  const dp = await startWorkers(
    ctx.workers,
    {
      config: detector.config,
      weights: hostWeights(detector),
      steps,
      startStep: step,
      optimizer: opts.optimizer ?? {},
      schedule: opts.schedule ?? {},
      clip: opts.clipGradNorm === undefined ? 35 : opts.clipGradNorm,
      precision: ctx.precision,
      lossScaler: { enabled: ctx.precision === 'fp16', ...opts.lossScaler },
      ...(r0 ? { resume: { optimizer: { meta: r0.optimizer.meta, tensors: Object.fromEntries(Object.entries(r0.optimizer.tensors).map(([k, t]) => [k, toHostTensor(t)])) }, scaler: r0.scaler, rng: r0.rng } } : {}),
    },
    // every replica applies the same summed gradient; a hash of their weights is compared every 10 steps
    10,
  );
  // The state as of the last sync (its tensors are ours; getState hands out copies).
  let synced = null as FineTuneState | null;
  const sync = async () => {
    await pullWeights(dp, detector);
    const st = await pullState(dp);
    if (synced) tf.dispose(Object.values(synced.optimizer.tensors));
    synced = { step, seed: ctx.seed, ...st };
  };
  const getState = (): FineTuneState => {
    if (!synced || synced.step !== step) throw new Error(`fineTune: with workers > 1 getState() is available on synced steps only (workerSyncEvery ${syncEvery}; last sync at step ${synced?.step ?? 'none'}, now ${step})`);
    return { ...synced, optimizer: { meta: structuredClone(synced.optimizer.meta), tensors: Object.fromEntries(Object.entries(synced.optimizer.tensors).map(([k, t]) => [k, t.clone()])) } };
  };
  const maxNonFinite = opts.maxNonFiniteSteps ?? 5;
  const scalerEnabled = opts.lossScaler?.enabled ?? ctx.precision === 'fp16';
  const history: StepEvent[] = [];
  const t0 = performance.now();
  let images = 0;
  let nonFinite = 0;
  let stopped = false;
  let next = step < steps ? ctx.loadBatch(step) : null;
  try {
    while (step < steps) {
      if (opts.shouldStop?.(step)) {
        stopped = true;
        break;
      }
      const batch = await next!;
      next = step + 1 < steps ? ctx.loadBatch(step + 1) : null;
      next?.catch(() => undefined);
      const ts = performance.now();
      const { plan } = planShards(batch.groups, ctx.workers);
      const r = await dp.stepShards(plan.map((p) => makeShard(batch, p, step)));
      step++;
      const n = batch.samples.length;
      images += n;
      const { event, losses, foundInf } = stepEvent(step, r, n, performance.now() - ts);
      // as the single-thread loop: fp32 without scaling gives up when non-finite gradients persist
      if (foundInf && !scalerEnabled) {
        if (++nonFinite >= maxNonFinite) throw new FineTuneDivergedError(step - 1, nonFinite);
      } else if (!foundInf) nonFinite = 0;
      history.push(event);
      opts.telemetry?.emit(event);
      detector.fusionStep = step - 1;
      if (opts.onStep && syncEvery > 0 && step % syncEvery === 0) await sync();
      const syncState = async () => {
        if (synced?.step !== step) await sync();
      };
      await opts.onStep?.({ step, event, losses, getState, syncState });
    }
    if (synced?.step !== step) await sync();
  } catch (err) {
    if (synced) tf.dispose(Object.values(synced.optimizer.tensors));
    throw err;
  } finally {
    await next?.catch(() => undefined);
    await dp.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const state = getState();
  tf.dispose(Object.values(synced!.optimizer.tensors));
  return { step, stopped, history, seconds, imagesPerSecond: seconds > 0 ? images / seconds : 0, state };
}

interface StepResult {
  /** Unscaled (and clipped) gradients by variable name; the caller disposes them. */
  grads: tf.NamedTensorMap;
  foundInf: boolean;
  gradNorm: number | null;
  lossScale: number;
  losses: Record<string, number>;
}

/** Forward + backward + unscale + clip of one batch; the optimizer step is the caller's. */
function trainStep(detector: MultiModalDetector, batch: DetectorBatch, vars: tf.Variable[], precision: Precision, scaler: DynamicLossScaler, clip: number | null): StepResult {
  const lossScale = scaler.scale;
  let losses: Record<string, number> = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = scaledBatchLoss(detector, batch, precision, scaler);
    losses = r.losses;
    return r.loss;
  }, vars);
  value.dispose();
  return { ...unscaleAndClip(grads, scaler, clip), lossScale, losses };
}

/**
 * The loss of one batch × the loss scale, to differentiate (call inside `tf.variableGrads`), and
 * the unscaled loss values by name (`total`, `sar`, `sar.loss_qfl`, …). `modalityWeights`
 * multiplies each head's losses (data-parallel image shards; default 1).
 */
export function scaledBatchLoss(
  detector: MultiModalDetector,
  batch: Pick<DetectorBatch, 'images' | 'imageSize' | 'groups' | 'targets'>,
  precision: Precision,
  scaler: DynamicLossScaler,
  modalityWeights: Partial<Record<string, number>> = {},
): { loss: tf.Scalar; losses: Record<string, number> } {
  const s = batch.imageSize;
  const n = batch.groups.reduce((a, g) => a + g.count, 0);
  const images = tf.tensor4d(batch.images, [n, 3, s, s]); // [B, 3, S, S]
  let names: string[] = [];
  let values: tf.Tensor | null = null;
  try {
    const loss = autocast(precision, () => {
      const { total, parts } = detector.losses(images, batch.groups, batch.targets ?? {});
      const weighted = Object.entries(parts).map(([name, v]) => {
        const w = modalityWeights[name.slice(0, name.indexOf('.'))] ?? 1;
        return w === 1 ? v : (tf.mul(v, w) as tf.Scalar);
      });
      const sum = Object.values(modalityWeights).every((w) => w === undefined || w === 1) ? total : (tf.addN(weighted) as tf.Scalar);
      names = Object.keys(parts);
      values = tf.keep(tf.stack([sum, ...weighted])); // [1 + parts]
      return scaler.scaleLoss(sum) as tf.Scalar;
    });
    const v = (values as tf.Tensor | null)!.dataSync();
    const losses: Record<string, number> = { total: v[0] };
    names.forEach((name, i) => {
      losses[name] = v[i + 1];
      const m = name.slice(0, name.indexOf('.'));
      losses[m] = (losses[m] ?? 0) + v[i + 1];
    });
    return { loss, losses };
  } finally {
    images.dispose();
    (values as tf.Tensor | null)?.dispose();
  }
}

/** Unscaled (then clipped) gradients; disposes `grads`. */
export function unscaleAndClip(grads: tf.NamedTensorMap, scaler: DynamicLossScaler, clip: number | null): { grads: tf.NamedTensorMap; foundInf: boolean; gradNorm: number | null } {
  const { grads: unscaled, foundInf } = scaler.unscale(grads);
  tf.dispose(Object.values(grads));
  if (foundInf || clip === null) return { grads: unscaled, foundInf, gradNorm: globalGradNorm(unscaled) };
  const c = clipGradNorm(unscaled, clip);
  tf.dispose(Object.values(unscaled));
  return { grads: c.grads, foundInf: !c.finite, gradNorm: c.norm };
}
