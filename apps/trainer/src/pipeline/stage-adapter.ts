/**
 * THE adapter between the trainer and the model packages: the only file that calls
 * @babelrs/detector (`MultiModalDetector`, `detectorPreset`, `fineTune`, `evaluate`,
 * `runInference`, `predict`) and @babelrs/csia (`pretrain`, `exportVit`, `crossModalRetrieval`).
 * Everything else in the trainer works on `StageSession`s and plain result objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadSafetensorsIntoModule, saveModuleSafetensors, StateDictError, tf } from '@babelrs/core';
import type { DetectionSample, Modality } from '@babelrs/datasets';
import {
  FineTuneDivergedError,
  MultiModalDetector,
  detectorPreset,
  evaluate,
  fineTune,
  predict as detectorPredict,
  runInference,
  type DetectorConfig,
  type FineTuneResult,
  type FineTuneState,
  type FineTuneStepInfo,
} from '@babelrs/detector';
import * as csia from '@babelrs/csia';
import type { RunConfig } from '../config/schema.js';
import { InputError, TrainingStoppedError } from '../errors.js';
import { LoopBridge } from '../run/loop-bridge.js';
import { describeMisfit, restoreModel, snapshotTensors } from '../run/module-snapshot.js';
import type { StageName, StageSession, StageSnapshot, StepRecord } from '../run/stage-session.js';

export type Detector = MultiModalDetector;

/** The detector configuration of a run config (layers 1-based in ours, 0-based in the detector's). */
export function detectorConfigOf(config: RunConfig): DetectorConfig {
  const m = config.model;
  try {
    const base = detectorPreset(m.preset);
    return detectorPreset(m.preset, {
      imageSize: config.data.imageSize,
      ...(m.neckScales ? { neck: { ...base.neck, scaleFactors: [...m.neckScales] } } : {}),
      layers: m.layers.map((l) => l - 1),
      fusion: m.fusion === 'lvsa' ? { name: 'lvsa', tau: config.pretrain.tau } : { name: m.fusion },
      heads: { sar: { type: m.heads.sar }, rgb: { type: m.heads.rgb }, ir: { type: m.heads.ir } },
      seed: config.seed,
    });
  } catch (err) {
    // DetectorConfigError names the detector's field; say which of ours sets it.
    throw new InputError(`model: ${(err as Error).message.replace(/layers(\[\d+\])?/, 'model.layers (1-based here)')}`);
  }
}

export function createDetector(config: RunConfig): Detector {
  try {
    return new MultiModalDetector(detectorConfigOf(config));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`model: ${(err as Error).message}`);
  }
}

/** Saves the detector's weights (safetensors, atomic). */
export function saveDetector(detector: Detector, file: string): void {
  saveModuleSafetensors(detector, file, { metadata: { format: 'babelrs-detector', config: JSON.stringify(detector.config) } });
}

/** Loads weights into a detector built from the config; a misfit names the key and both shapes. */
export function loadDetectorWeights(detector: Detector, file: string): void {
  try {
    loadSafetensorsIntoModule(detector, file);
  } catch (err) {
    throw new InputError(`${file}: ${describeMisfit(err, { model: "the config's model" })}`);
  }
}

export interface FineTuneSessionOptions {
  stage: StageName;
  config: RunConfig;
  detector: Detector;
  train: readonly DetectionSample[];
  /** A pretrained ViT (safetensors, timm keys) loaded into the backbone before step 1 (not on resume). */
  init?: string;
}

/** Stage 2 as a `StageSession`: the detector's own `fineTune` loop, driven step by step. */
export class FineTuneSession implements StageSession {
  readonly stage: StageName;
  readonly totalSteps: number;
  readonly precision: 'fp32' | 'fp16' | 'bf16';
  step = 0;
  private resume: FineTuneState | undefined;
  private info: FineTuneStepInfo | undefined;
  private readonly bridge: LoopBridge<FineTuneStepInfo, FineTuneResult>;

  constructor(private readonly o: FineTuneSessionOptions) {
    const f = o.config.finetune;
    this.stage = o.stage;
    this.totalSteps = f.steps;
    this.precision = f.precision;
    this.bridge = new LoopBridge((hooks) =>
      fineTune({
        detector: o.detector,
        data: o.train,
        steps: f.steps,
        batchSize: f.batch,
        ratios: f.ratios,
        optimizer: { lr: f.lr, weightDecay: f.weightDecay, layerDecay: f.layerDecay },
        schedule: { warmupSteps: f.warmupSteps, milestones: f.milestones },
        clipGradNorm: f.maxGradNorm,
        precision: f.precision,
        seed: o.config.seed,
        // worker threads (data parallel): sync their state back only when a snapshot asks for it
        workers: f.workers,
        workerSyncEvery: 0,
        ...(this.resume ? { resume: this.resume } : o.init ? { init: o.init } : {}),
        maxNonFiniteSteps: o.config.run.nanPatience,
        onStep: hooks.onStep,
        shouldStop: hooks.shouldStop,
      }),
    );
  }

  async runStep(): Promise<StepRecord> {
    let info: FineTuneStepInfo | undefined;
    try {
      info = await this.bridge.next();
    } catch (err) {
      if (err instanceof FineTuneDivergedError) throw new TrainingStoppedError(`${this.stage}: ${err.message}`);
      if (err instanceof Error && /^fineTune init /.test(err.message)) throw new InputError(err.message.replace(/^fineTune init /, '--init '));
      throw err;
    }
    if (info === undefined) throw new Error(`${this.stage}: the fine-tuning loop ended at step ${this.step} before ${this.totalSteps}`);
    this.info = info;
    this.step = info.step;
    const e = info.event;
    const losses = Object.fromEntries(Object.entries(info.losses).filter(([k]) => k !== 'total' && !k.includes('.')));
    return { step: info.step - 1, loss: e.loss, losses, gradNorm: e.gradNorm, lossScale: e.lossScale, overflow: e.overflow, skipped: e.skipped, lr: e.lr, stepMs: e.stepMs, samples: e.samples ?? 0 };
  }

  async snapshot(): Promise<StageSnapshot> {
    if (!this.info) throw new Error(`${this.stage}: no step taken yet, nothing to snapshot`);
    // with worker threads: the weights and optimizer state of this step live in the workers
    await this.info.syncState();
    const st = this.info.getState();
    return { tensors: snapshotTensors(this.o.detector, st.optimizer.tensors), state: { step: st.step, seed: st.seed, optimizer: st.optimizer.meta, scaler: st.scaler, rng: st.rng } };
  }

  restore(snap: StageSnapshot, source: string): void {
    const optim = restoreModel(this.o.detector, snap, source);
    const s = snap.state as { step: number; seed: number; optimizer: FineTuneState['optimizer']['meta']; scaler: FineTuneState['scaler']; rng: FineTuneState['rng'] };
    this.resume = { step: s.step, seed: s.seed, optimizer: { meta: s.optimizer, tensors: optim }, scaler: s.scaler, rng: s.rng };
    this.step = s.step;
  }

  async close(): Promise<void> {
    const r = await this.bridge.finish();
    if (r) tf.dispose(Object.values(r.state.optimizer.tensors));
    if (this.resume) tf.dispose(Object.values(this.resume.optimizer.tensors));
  }
}

export interface ModalityMetrics {
  protocol: string;
  AP50: number;
  mAP: number;
  images: number;
}

export interface EvalSummary {
  perModality: Partial<Record<Modality, ModalityMetrics>>;
  mAP: number;
  AP50: number;
  hmap: number | null;
  files: string[];
  images: number;
  seconds: number;
}

export async function evaluateDetector(detector: Detector, samples: readonly DetectionSample[], config: RunConfig, outDir?: string, onProgress?: (done: number, total: number) => void): Promise<EvalSummary> {
  const r = await evaluate({ detector, data: samples, ...(outDir ? { outDir } : {}), decode: decodeOf(config), onProgress });
  const perModality: EvalSummary['perModality'] = {};
  for (const [m, s] of Object.entries(r.perModality)) perModality[m as Modality] = { protocol: s!.protocol, AP50: s!.AP50, mAP: s!.mAP, images: s!.numImages };
  const mods = Object.keys(perModality);
  return { perModality, mAP: r.mAP, AP50: r.AP50, hmap: mods.length === 0 ? null : r.hmap, files: r.files, images: r.numImages, seconds: r.seconds };
}

export interface DrawnDetections {
  sample: DetectionSample;
  boxType: 'hbb' | 'obb';
  boxes: Float64Array;
  scores: ArrayLike<number>;
  /** Class name per detection. */
  names: string[];
}

/** Detections of a few samples (report pictures), with class names. */
export async function detectSamples(detector: Detector, samples: readonly DetectionSample[], config: RunConfig): Promise<DrawnDetections[]> {
  const dets = await runInference(detector, samples, { decode: decodeOf(config) });
  return samples.map((s, i) => {
    const names = detector.labelSpaces[s.modality]!.names;
    return { sample: s, boxType: s.boxType, boxes: dets[i].boxes, scores: dets[i].scores, names: Array.from(dets[i].labels, (l) => names[l]) };
  });
}

export interface PredictedImage {
  path: string;
  modality: Modality;
  width: number;
  height: number;
  boxType: 'hbb' | 'obb';
  boxes: Float64Array;
  scores: ArrayLike<number>;
  names: string[];
}

export async function predictImages(detector: Detector, inputs: ReadonlyArray<{ path: string; modality: Modality }>, config: RunConfig): Promise<PredictedImage[]> {
  try {
    const preds = await detectorPredict(detector, inputs, { decode: decodeOf(config) });
    return preds.map((p) => ({ path: p.path, modality: p.modality, width: p.width, height: p.height, boxType: p.boxType, boxes: p.boxes, scores: p.scores, names: p.classNames }));
  } catch (err) {
    throw new InputError((err as Error).message.replace(/^predict: /, ''));
  }
}

function decodeOf(config: RunConfig) {
  return { scoreThreshold: config.eval.scoreThreshold, maxDetections: config.eval.maxDetections };
}

// ---------------------------------------------------------------------------------------------
// Stage 1 (@babelrs/csia): a Qwen2-architecture LM + projector on the detector's ViT shape,
// trained with CSIA instruction pairs (response-only loss) and LVSA fusion. The instruction
// data are the mini-SOI train scenes (rendered at `pretrain.imageSize`); retrieval is measured on
// the held-out scenes.

/** Why stage 1 cannot run for this config, or undefined when it can. */
export function pretrainAvailable(config?: RunConfig): string | undefined {
  const api = csia as unknown as Record<string, unknown>;
  if (typeof api.pretrain !== 'function') return 'stage 1 (CSIA pretraining) is not available in this build: @babelrs/csia does not export `pretrain`; run with --set pretrain.enabled=false (or `babelrs finetune --init none`)';
  if (config && config.data.kind !== 'mini-soi') return `data.kind ${config.data.kind}: stage 1 in this trainer builds its instruction data from the synthetic mini-SOI scenes only; pretrain on mini-soi and fine-tune with --init <vit.safetensors>, or set pretrain.enabled=false`;
  if (config && config.pretrain.lm !== 'tiny') return lmFolderProblem(config.pretrain.lm.path);
  return undefined;
}

/**
 * What is missing from a local Hugging Face Qwen2 folder (config.json, tokenizer.json, the
 * safetensors weights), checked before any work; undefined when all are there. Relative paths
 * resolve against the working folder, as data.root does.
 */
function lmFolderProblem(given: string): string | undefined {
  const dir = path.resolve(given);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return `pretrain.lm.path: no such folder: ${dir} (expected a Hugging Face Qwen2 folder: config.json, tokenizer.json, *.safetensors)`;
  for (const f of ['config.json', 'tokenizer.json']) {
    if (!fs.existsSync(path.join(dir, f))) return `pretrain.lm.path: ${path.join(dir, f)} is missing (a Hugging Face Qwen2 folder needs config.json, tokenizer.json and model.safetensors or model.safetensors.index.json)`;
  }
  if (!fs.existsSync(path.join(dir, 'model.safetensors')) && !fs.existsSync(path.join(dir, 'model.safetensors.index.json'))) {
    return `pretrain.lm.path: ${dir} holds neither model.safetensors nor model.safetensors.index.json (the LM's weights)`;
  }
  return undefined;
}

/** A pretrained LM and its tokenizer, from a local Hugging Face Qwen2 folder. */
interface LoadedLm {
  tokenizer: csia.TextTokenizer;
  lm: csia.Qwen2ForCausalLM;
}

/**
 * Loads `pretrain.lm.path`: the tokenizer with InternVL's image tokens added (`<img>`, `</img>`,
 * `<IMG_CONTEXT>`, next free ids when absent) and the Qwen2 LM with its weights. When the
 * tokenizer now has more ids than the LM's vocab_size, the embeddings grow to fit (InternVL's
 * resize; the new rows start at the mean embedding). Every failure is one InputError naming the file.
 */
function loadLmFolder(given: string): LoadedLm {
  const why = lmFolderProblem(given);
  if (why) throw new InputError(why);
  const dir = path.resolve(given);
  let tokenizer: csia.TextTokenizer;
  let lm: csia.Qwen2ForCausalLM;
  try {
    tokenizer = csia.TextTokenizer.fromFile(dir, { extraSpecialTokens: Object.values(csia.IMAGE_TOKENS) });
    for (const t of ['<|endoftext|>', '<|im_start|>', '<|im_end|>']) tokenizer.tokenId(t); // the chat format and padding need them
  } catch (err) {
    throw new InputError(`pretrain.lm.path: ${describeLmError(err, dir)}`);
  }
  try {
    lm = csia.loadQwen2(dir);
  } catch (err) {
    throw new InputError(`pretrain.lm.path: ${describeLmError(err, dir)}`);
  }
  if (tokenizer.vocabSize > lm.config.vocab_size) lm = resizeVocab(lm, tokenizer.vocabSize);
  return { tokenizer, lm };
}

function describeLmError(err: unknown, dir: string): string {
  const what = describeMisfit(err, { model: "config.json's model" });
  return err instanceof StateDictError ? `${dir} (weights vs config.json): ${what}` : what;
}

/**
 * A copy of `lm` with `vocabSize` rows in its input (and untied output) embedding: the old rows
 * kept, the new ones set to the mean of the old (InternVL adds its image tokens this way on top
 * of Qwen's vocabulary). The old model is disposed.
 */
function resizeVocab(lm: csia.Qwen2ForCausalLM, vocabSize: number): csia.Qwen2ForCausalLM {
  const old = lm.config.vocab_size;
  const grown = new csia.Qwen2ForCausalLM({ ...lm.config, vocab_size: vocabSize });
  const dict = tf.tidy(() => {
    const out: Record<string, tf.Tensor> = {};
    const target = grown.stateDict();
    for (const [name, v] of Object.entries(lm.stateDict())) {
      const want = target[name].shape;
      const axis = v.shape.findIndex((d, i) => d !== want[i]);
      if (axis < 0) {
        out[name] = tf.clone(v);
        continue;
      }
      // embed_tokens [V, H] / lm_head: the vocabulary axis grows from `old` to `vocabSize`
      const mean = tf.mean(v, axis, true);
      const reps = v.shape.map((_, i) => (i === axis ? vocabSize - old : 1));
      out[name] = tf.concat([v, tf.tile(mean, reps)], axis);
    }
    return out;
  });
  try {
    grown.loadStateDict(dict);
  } finally {
    tf.dispose(Object.values(dict));
    lm.dispose();
  }
  return grown;
}

export interface PretrainSession extends StageSession {
  /** Writes the aligned ViT (timm keys + its config in the metadata) for fine-tuning. */
  exportVit(file: string): void;
  /** Cross-modal retrieval of the ViT's object features on the held-out scenes: at initialisation, and now. */
  retrieval(): { before: RetrievalSummary; after: RetrievalSummary };
}

export interface RetrievalSummary {
  /** Top-1 accuracy per direction, e.g. `sar→rgb`. */
  directions: Record<string, number>;
  mean: number;
  chance: number;
}

function retrievalSummary(r: csia.CrossModalRetrievalResult): RetrievalSummary {
  const directions: Record<string, number> = {};
  for (const d of r.directions) if (d.n > 0) directions[`${d.query}→${d.gallery}`] = d.top1;
  return { directions, mean: r.meanTop1, chance: r.meanChance };
}

class CsiaPretrainSession implements PretrainSession {
  readonly stage: StageName = 'pretrain';
  readonly totalSteps: number;
  readonly precision: 'fp32' | 'fp16' | 'bf16';
  step = 0;
  private readonly vlm: csia.VisionLanguageModel;
  private readonly heldOut: csia.CsiaImage[];
  private readonly before: RetrievalSummary;
  private resume: csia.PretrainState | undefined;
  private ctx: csia.PretrainContext | undefined;
  private readonly bridge: LoopBridge<{ event: csia.PretrainStepEvent; ctx: csia.PretrainContext }, csia.PretrainResult>;

  constructor(config: RunConfig) {
    const p = config.pretrain;
    const syn = config.data.synthetic!;
    this.totalSteps = p.steps;
    this.precision = p.precision;
    const scene = { difficulty: syn.difficulty, objects: syn.objects, ...(syn.objectScale !== undefined ? { objectScale: syn.objectScale } : {}) };
    const perModality = Math.min(syn.images.sar, syn.images.rgb, syn.images.ir);
    const nTrain = Math.max(1, Math.floor(0.8 * perModality));
    const train = csia.miniSoiExamples({ range: [0, nTrain], imageSize: p.imageSize, seed: config.seed, scene });
    this.heldOut = csia.miniSoiExamples({ range: [nTrain, perModality], imageSize: p.imageSize, seed: config.seed, scene, tasks: ['counting'] }).images;
    // lm: tiny → a BPE tokenizer learnt from the instructions and a small Qwen2 trained from
    // scratch; lm: { path } → a pretrained Qwen2 folder (its tokenizer + InternVL's image tokens).
    const lmDir = p.lm === 'tiny' ? undefined : path.resolve(p.lm.path);
    const loaded = lmDir === undefined ? undefined : loadLmFolder(lmDir);
    const tokenizer = loaded?.tokenizer ?? csia.trainBpeTokenizer(train.examples.flatMap((e) => [e.instruction, e.response]), { maxMerges: 400 });
    const base = csia.csiaPreset('tiny');
    const det = detectorConfigOf(config);
    const preset: csia.CsiaPreset = {
      ...base,
      imageSize: p.imageSize,
      model: {
        ...base.model,
        // The detector's backbone shape, so the export initialises it.
        vit: { ...det.backbone, imgSize: p.imageSize, inChannels: 3 },
        taps: det.layers,
        fusion: config.model.fusion === 'lvsa' ? { name: 'lvsa', tau: p.tau, ramp: 'linear' } : { name: config.model.fusion },
      },
    };
    if (loaded) {
      // The folder's LM (the same on resume: restore() then loads the checkpoint's weights into it).
      const vlmConfig: csia.VlmConfig = { ...preset.model, lm: loaded.lm.config, imageTokenId: tokenizer.tokenId(csia.IMAGE_TOKENS.context) };
      try {
        this.vlm = new csia.VisionLanguageModel(vlmConfig, { seed: config.seed, languageModel: loaded.lm });
      } catch (err) {
        loaded.lm.dispose();
        throw new InputError(`pretrain.lm.path ${lmDir}: ${(err as Error).message}`);
      }
    } else this.vlm = new csia.VisionLanguageModel(csia.vlmConfigFor(preset, tokenizer), { seed: config.seed });
    this.before = retrievalSummary(csia.crossModalRetrieval(this.vlm.vit, this.heldOut));
    this.bridge = new LoopBridge((hooks) =>
      csia.pretrain({
        vlm: this.vlm,
        tokenizer,
        images: train.images,
        examples: train.examples,
        steps: p.steps,
        batchSize: p.batch,
        lr: p.lr,
        weightDecay: p.weightDecay,
        warmupSteps: p.warmupSteps,
        ...(p.schedule === 'constant' ? { minLrFactor: 1 } : {}),
        clipNorm: p.maxGradNorm,
        precision: p.precision,
        seed: config.seed,
        ...(this.resume ? { initialState: this.resume } : {}),
        onStep: (event, ctx) => hooks.onStep({ event, ctx }),
        shouldStop: hooks.shouldStop,
      }),
    );
  }

  async runStep(): Promise<StepRecord> {
    const next = await this.bridge.next();
    if (next === undefined) throw new Error(`pretrain: the loop ended at step ${this.step} before ${this.totalSteps}`);
    const e = next.event;
    this.ctx = next.ctx;
    this.step = e.step;
    return {
      step: e.step - 1,
      loss: e.loss,
      losses: { lm: e.loss },
      gradNorm: Number.isFinite(e.gradNorm) ? e.gradNorm : null,
      lossScale: e.lossScale,
      overflow: !Number.isFinite(e.gradNorm),
      skipped: e.skipped,
      lr: e.lr,
      stepMs: e.stepMs,
      samples: e.modalities.sar + e.modalities.rgb + e.modalities.ir,
      alpha: e.alpha,
    };
  }

  snapshot(): StageSnapshot {
    if (!this.ctx) throw new Error('pretrain: no step taken yet, nothing to snapshot');
    const st = this.ctx.getState();
    return { tensors: snapshotTensors(this.vlm, st.optimizer.tensors), state: { step: st.step, optimizer: st.optimizer.meta, scaler: st.scaler, rng: st.rng } };
  }

  restore(snap: StageSnapshot, source: string): void {
    const optim = restoreModel(this.vlm, snap, source);
    const s = snap.state as { step: number; optimizer: csia.PretrainState['optimizer']['meta']; scaler: csia.PretrainState['scaler']; rng: csia.PretrainState['rng'] };
    this.resume = { step: s.step, optimizer: { meta: s.optimizer, tensors: optim }, scaler: s.scaler, rng: s.rng };
    this.step = s.step;
  }

  exportVit(file: string): void {
    csia.exportVit(this.vlm.vit, file);
  }

  retrieval(): { before: RetrievalSummary; after: RetrievalSummary } {
    return { before: this.before, after: retrievalSummary(csia.crossModalRetrieval(this.vlm.vit, this.heldOut)) };
  }

  async close(): Promise<void> {
    const r = await this.bridge.finish();
    r?.dispose();
    if (this.resume) tf.dispose(Object.values(this.resume.optimizer.tensors));
    this.vlm.dispose();
  }
}

export function createPretrainSession(config: RunConfig): PretrainSession {
  const why = pretrainAvailable(config);
  if (why) throw new InputError(why);
  return new CsiaPretrainSession(config);
}
