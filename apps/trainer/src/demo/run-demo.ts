/**
 * `runDemo`: the whole demo job, programmatic (the CLI's `demo` command is a thin wrapper).
 * files (mini-SOI) → samples (loadSoiDet) → crops → shared encoder + concept head (trained)
 * → test-split accuracy and oracle-box mAP / H-mAP → report.json, model.safetensors, train.jsonl.
 */
import path from 'node:path';
import {
  Telemetry,
  initBackend,
  jsonlSink,
  saveModuleSafetensors,
  type BackendPreference,
  type Precision,
} from '@babelrs/core';
import { SOI_DET_MODALITY_RATIOS, loadSoiDet, type Modality } from '@babelrs/datasets';
import { ConceptClassifier } from './concept-classifier.js';
import { buildConceptVocabulary } from './concept-vocabulary.js';
import { CROP_CHANNELS, buildCropDataset, type CropDataset } from './crop-dataset.js';
import { ensureMiniSoi } from './demo-data.js';
import { DEMO_NOT_RUN, DEMO_REPORT_KIND, DEMO_REPORT_VERSION, DEMO_WHAT_RAN, formatDemoSummary, writeJsonAtomic, type DemoReport } from './demo-report.js';
import { evaluatePredictions, predictProbabilities } from './evaluate.js';
import { ProgressLine } from './progress-line.js';
import { trainConceptClassifier } from './train-loop.js';

export interface DemoOptions {
  /** Output folder (default `runs/demo`); the data goes to `<out>/data`. */
  out?: string;
  seed?: number;
  /** Synthetic images per modality (default 300; at least 10 so every split gets one). */
  images?: number;
  /** Side of the synthetic images in pixels (default 128). */
  imageSize?: number;
  steps?: number;
  /** Crops per batch, a multiple of 4 (default 32). */
  batch?: number;
  /** Precision policy (default fp16, emulated). */
  precision?: Precision;
  /** tfjs backend (default: BABELRS_BACKEND, else auto). */
  backend?: BackendPreference;
  cropSize?: number;
  hidden?: number;
  embed?: number;
  lr?: number;
  weightDecay?: number;
  warmupSteps?: number;
  maxGradNorm?: number;
  /** Where the summary and messages go (default console.log); null = silent. */
  log?: ((line: string) => void) | null;
  /** Show the training progress line (default: when logging to the console). */
  progress?: boolean;
}

export const DEMO_DEFAULTS = {
  out: path.join('runs', 'demo'),
  seed: 0,
  images: 300,
  imageSize: 128,
  steps: 400,
  batch: 32,
  precision: 'fp16' as Precision,
  cropSize: 24,
  hidden: 128,
  embed: 64,
  lr: 2e-3,
  weightDecay: 0.05,
  maxGradNorm: 1,
};

export interface DemoResult {
  report: DemoReport;
  summary: string;
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const t0 = performance.now();
  const o = { ...DEMO_DEFAULTS, ...dropUndefined(opts) };
  const log = opts.log === undefined ? (line: string) => console.log(line) : opts.log;
  const say = (line: string) => log?.(line);
  if (!(Number.isInteger(o.images) && o.images >= 10)) throw new RangeError(`demo: images per modality must be an integer ≥ 10 (so train and test each get an image), got ${o.images}`);
  const out = path.resolve(o.out);
  const files = { report: path.join(out, 'report.json'), weights: path.join(out, 'model.safetensors'), telemetry: path.join(out, 'train.jsonl') };

  say('babelrs demo: the smallest real end-to-end run — NOT the BabelRS detector yet (no ViT, CSIA, LVSA or detection heads; see the summary at the end)');
  const backend = await initBackend(o.backend ? { prefer: o.backend } : {});
  say(`babelrs demo: ${backend.summary}`);

  const data = await ensureMiniSoi(path.join(out, 'data'), { seed: o.seed, imageSize: o.imageSize, images: { sar: o.images, rgb: o.images, ir: o.images } });
  say(`babelrs demo: mini-SOI data ${data.status} at ${data.root} (${data.seconds.toFixed(1)} s)`);
  const loaded = await loadSoiDet(data.root, { splits: ['train', 'test'] });
  const tData = performance.now();

  const vocab = buildConceptVocabulary();
  const split = (name: string) => loaded.samples.filter((s) => s.id.split('/')[1] === name);
  const trainSamples = split('train');
  const testSamples = split('test');
  const trainCrops = await buildCropDataset(trainSamples, { size: o.cropSize, vocabulary: vocab });
  const testCrops = await buildCropDataset(testSamples, { size: o.cropSize, vocabulary: vocab });
  const tCrops = performance.now();

  const model = new ConceptClassifier({ inFeatures: CROP_CHANNELS * o.cropSize * o.cropSize, numConcepts: vocab.concepts.length, hidden: o.hidden, embed: o.embed, seed: o.seed });
  const telemetry = new Telemetry('demo');
  telemetry.addSink(jsonlSink(files.telemetry, { append: false }));
  try {
    telemetry.emit({ type: 'log', level: 'info', message: `demo: ${trainCrops.items.length} train crops, ${testCrops.items.length} test crops, ${model.numParameters()} parameters, ${backend.summary}` });
    const progress = (opts.progress ?? opts.log === undefined) ? new ProgressLine({ total: o.steps }) : null;
    const warmupSteps = o.warmupSteps ?? Math.floor(o.steps / 10);
    const trained = trainConceptClassifier(model, trainCrops, {
      steps: o.steps,
      batch: o.batch,
      lr: o.lr,
      weightDecay: o.weightDecay,
      warmupSteps,
      maxGradNorm: o.maxGradNorm,
      precision: o.precision,
      seed: o.seed,
      telemetry,
      onStep: (ev) => progress?.update(ev),
    });
    const tTrain = performance.now();

    const probs = predictProbabilities(model, testCrops);
    const evaluation = { split: 'test', ...evaluatePredictions(testSamples, testCrops, probs, vocab) };
    telemetry.emit({ type: 'eval', step: o.steps, split: 'test', metrics: evalMetrics(evaluation) });
    const tEval = performance.now();

    saveModuleSafetensors(model, files.weights, { metadata: { format: 'babelrs-demo-concept-classifier', vocabulary: JSON.stringify(vocab.concepts), cropSize: String(o.cropSize) } });
    telemetry.emit({ type: 'checkpoint', step: o.steps, path: files.weights });

    const report: DemoReport = {
      kind: DEMO_REPORT_KIND,
      version: DEMO_REPORT_VERSION,
      whatRan: DEMO_WHAT_RAN,
      notRun: DEMO_NOT_RUN,
      options: {
        seed: o.seed,
        imagesPerModality: o.images,
        imageSize: o.imageSize,
        steps: o.steps,
        batch: o.batch,
        precision: o.precision,
        cropSize: o.cropSize,
        lr: o.lr,
        weightDecay: o.weightDecay,
        warmupSteps,
        maxGradNorm: o.maxGradNorm,
        hidden: o.hidden,
        embed: o.embed,
      },
      backend: { name: backend.backend, summary: backend.summary },
      data: { root: data.root, status: data.status, images: loaded.counts, crops: { train: cropCounts(trainCrops), test: cropCounts(testCrops) } },
      model: {
        name: 'ConceptClassifier (shared encoder + concept head)',
        parameters: model.numParameters(),
        vocabulary: vocab.concepts,
        layers: model.namedParameters().map(([n, v]) => `${n} [${v.shape.join(', ')}]`),
      },
      training: {
        steps: trained.steps,
        batch: o.batch,
        ratios: { ...SOI_DET_MODALITY_RATIOS },
        precision: o.precision,
        precisionNote: precisionNote(o.precision),
        firstLoss: trained.firstLoss,
        finalLoss: trained.finalLoss,
        finalGradNorm: trained.finalGradNorm,
        overflowSteps: trained.overflowSteps,
        skippedSteps: trained.skippedSteps,
        finalLossScale: trained.finalLossScale,
        paramGroups: trained.paramGroups,
        liveTensors: { afterFirstStep: trained.liveTensors[0], afterLastStep: trained.liveTensors.at(-1)!, max: Math.max(...trained.liveTensors) },
      },
      evaluation,
      files,
      timings: {
        dataSeconds: (tData - t0) / 1000,
        cropSeconds: (tCrops - tData) / 1000,
        trainSeconds: (tTrain - tCrops) / 1000,
        evalSeconds: (tEval - tTrain) / 1000,
        totalSeconds: (performance.now() - t0) / 1000,
      },
    };
    writeJsonAtomic(files.report, report);
    const summary = formatDemoSummary(report);
    say(summary);
    return { report, summary };
  } finally {
    telemetry.close();
    model.dispose();
  }
}

function cropCounts(c: CropDataset): Partial<Record<Modality, number>> {
  const out: Partial<Record<Modality, number>> = {};
  for (const it of c.items) out[it.modality] = (out[it.modality] ?? 0) + 1;
  return out;
}

function evalMetrics(ev: DemoReport['evaluation']): Record<string, number> {
  const m: Record<string, number> = { 'top1/hmean': ev.top1HarmonicMean, 'oracleBox/mAP': ev.oracleBox.mAP, 'oracleBox/hmap': ev.oracleBox.hmap };
  for (const [k, v] of Object.entries(ev.top1)) m[`top1/${k}`] = v;
  for (const [k, v] of Object.entries(ev.oracleBox.perModality)) m[`oracleBox/mAP/${k}`] = v.mAP;
  return m;
}

function precisionNote(p: Precision): string {
  if (p === 'fp32') return 'float32 throughout';
  return `${p} EMULATED: tfjs has no half-precision dtype, so Linear inputs, weights, outputs and gradients are rounded to ${p} (precision and range) in float32 tensors${p === 'fp16' ? ', with dynamic loss scaling (GradScaler semantics)' : ''}; norms, softmax and the loss stay float32`;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

