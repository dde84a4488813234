/**
 * `babelrs run` and its parts: data → stage 1 (CSIA + LVSA pretraining, exported ViT) → stage 2
 * (joint fine-tuning from that ViT) → evaluation → [the same fine-tuning without pretraining,
 * for the comparison] → metrics.json + report.html. Each stage is resumable: finished stages are
 * recorded in run.json and skipped by --resume; an unfinished one continues from its newest
 * checkpoint.
 */
import fs from 'node:fs';
import type { DetectionSample, Modality } from '@babelrs/datasets';
import type { RunConfig } from '../config/schema.js';
import { InputError, InterruptedError, TrainingStoppedError } from '../errors.js';
import type { RunData } from '../data/run-data.js';
import { writeJsonAtomic } from '../run/atomic-text.js';
import { CheckpointStore } from '../run/checkpoint-store.js';
import type { ProgressOptions } from '../run/progress.js';
import type { RunDir } from '../run/run-dir.js';
import { runStage } from '../run/stage-runner.js';
import type { StageName, StageSession } from '../run/stage-session.js';
import type { StopSignal } from '../run/stop-signal.js';
import {
  FineTuneSession,
  createDetector,
  createPretrainSession,
  detectSamples,
  evaluateDetector,
  loadDetectorWeights,
  saveDetector,
  type Detector,
  type DrawnDetections,
  type EvalSummary,
  type RetrievalSummary,
} from './stage-adapter.js';

export interface PipelineOptions {
  config: RunConfig;
  data: RunData;
  runDir: RunDir;
  /** Which stages to run (default: all the config enables). */
  stages?: { pretrain?: boolean; finetune?: boolean; baseline?: boolean };
  /** A ViT to start fine-tuning from instead of stage 1's (`finetune --init`), or null for none. */
  init?: string | null;
  resume?: boolean;
  stop?: StopSignal;
  progress?: ProgressOptions;
  log?: (line: string) => void;
}

export interface StageSummary {
  steps: number;
  seconds: number;
  firstLoss: number | null;
  finalLoss: number | null;
}

export interface RunMetrics {
  format: 'babelrs-metrics';
  version: 1;
  name: string;
  config: RunConfig;
  pretrain: (StageSummary & { vit: string; retrieval: { before: RetrievalSummary; after: RetrievalSummary } }) | null;
  finetune: StageSummary & { model: string; init: string | null };
  evaluation: EvalSummary;
  baseline: (StageSummary & { evaluation: EvalSummary }) | null;
  retrieval: { before: RetrievalSummary | null; after: RetrievalSummary | null };
  seconds: number;
}

export interface PipelineResult {
  /** Null when only stage 1 ran (`babelrs pretrain`). */
  metrics: RunMetrics | null;
  pretrain: RunMetrics['pretrain'];
  samples: DrawnDetections[];
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const t0 = performance.now();
  const { config, runDir, data } = o;
  const log = o.log ?? (() => {});
  const want = { pretrain: config.pretrain.enabled, finetune: true, baseline: config.run.compareBaseline && config.pretrain.enabled, ...o.stages };
  try {
    let vitFile: string | null = null;
    let pretrainSummary: RunMetrics['pretrain'] = null;
    if (o.init !== undefined) vitFile = o.init;
    else if (want.pretrain) {
      const done = runDir.stageResult<NonNullable<RunMetrics['pretrain']>>('pretrain');
      if (done) pretrainSummary = done;
      else {
        const session = createPretrainSession(config);
        try {
          const summary = await trainStage(session, 'pretrain', o);
          const vit = runDir.path('pretrain', 'vit.safetensors');
          session.exportVit(vit);
          pretrainSummary = { ...summary, vit, retrieval: session.retrieval() };
        } finally {
          await session.close();
        }
        runDir.finishStage('pretrain', { ...pretrainSummary });
      }
      vitFile = pretrainSummary.vit;
      log(`pretrain: ${pretrainSummary.steps} steps in ${pretrainSummary.seconds.toFixed(1)} s, aligned ViT ${vitFile}`);
    }
    if (!want.finetune) {
      runDir.setStatus('done');
      return { metrics: null, pretrain: pretrainSummary, samples: [] };
    }

    const ft = await fineTuneAndEvaluate('finetune', vitFile, o);
    let baseline: RunMetrics['baseline'] = null;
    if (want.baseline) {
      const b = await fineTuneAndEvaluate('baseline', null, o);
      baseline = { ...b.summary, evaluation: b.evaluation };
      b.detector.dispose();
    }
    const samples = await detectSamples(ft.detector, pickSamples(data.eval, config.run.reportSamples), config);
    ft.detector.dispose();
    const metrics: RunMetrics = {
      format: 'babelrs-metrics',
      version: 1,
      name: config.name,
      config,
      pretrain: pretrainSummary,
      finetune: { ...ft.summary, model: ft.model, init: vitFile },
      evaluation: ft.evaluation,
      baseline,
      retrieval: { before: pretrainSummary?.retrieval.before ?? null, after: pretrainSummary?.retrieval.after ?? null },
      seconds: (performance.now() - t0) / 1000,
    };
    writeJsonAtomic(runDir.path('metrics.json'), metrics);
    runDir.setStatus('done');
    return { metrics, pretrain: pretrainSummary, samples };
  } catch (err) {
    if (err instanceof InterruptedError) runDir.setStatus('interrupted', err.message);
    else if (err instanceof TrainingStoppedError) runDir.setStatus('stopped', err.message);
    else runDir.setStatus('failed', (err as Error).message?.split('\n')[0]);
    throw err;
  }
}

async function fineTuneAndEvaluate(stage: 'finetune' | 'baseline', init: string | null, o: PipelineOptions): Promise<{ detector: Detector; summary: StageSummary; evaluation: EvalSummary; model: string }> {
  const { config, runDir, data } = o;
  const log = o.log ?? (() => {});
  const detector = createDetector(config);
  try {
    const model = runDir.path(stage, 'model.safetensors');
    const done = runDir.stageResult<{ summary: StageSummary; evaluation: EvalSummary }>(stage);
    if (done && fs.existsSync(model)) {
      loadDetectorWeights(detector, model);
      return { detector, summary: done.summary, evaluation: done.evaluation, model };
    }
    if (init && !fs.existsSync(init)) throw new InputError(`--init ${init}: no such file`);
    const session = new FineTuneSession({ stage, config, detector, train: data.train, ...(init ? { init } : {}) });
    let summary: StageSummary;
    try {
      summary = await trainStage(session, stage, o);
    } finally {
      await session.close();
    }
    saveDetector(detector, model);
    log(`${stage}: ${summary.steps} steps in ${summary.seconds.toFixed(1)} s${init ? ` from ${init}` : ' from scratch'}; evaluating ${data.eval.length} images`);
    const evaluation = await evaluateDetector(detector, data.eval, config, runDir.path('eval', stage));
    runDir.events.write({ type: 'eval', stage, metrics: evaluation });
    runDir.finishStage(stage, { summary, evaluation });
    return { detector, summary, evaluation, model };
  } catch (err) {
    detector.dispose();
    throw err;
  }
}

async function trainStage(session: StageSession, stage: StageName, o: PipelineOptions): Promise<StageSummary> {
  const { config, runDir } = o;
  const store = new CheckpointStore(runDir.path(stage, 'checkpoints'), stage, config.run.keepCheckpoints);
  const r = await runStage(session, {
    store,
    events: runDir.events,
    checkpointEvery: config.run.checkpointEvery,
    nanPatience: config.run.nanPatience,
    resume: o.resume ?? false,
    ...(o.stop ? { stop: o.stop } : {}),
    ...(o.progress ? { progress: o.progress } : {}),
  });
  const losses = r.history.map((h) => h.loss).filter(Number.isFinite);
  const k = Math.min(10, losses.length);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return { steps: r.steps, seconds: r.seconds, firstLoss: mean(losses.slice(0, k)), finalLoss: mean(losses.slice(-k)) };
}

/** The first `n` evaluation images of each modality. */
function pickSamples(samples: readonly DetectionSample[], n: number): DetectionSample[] {
  const count: Partial<Record<Modality, number>> = {};
  return samples.filter((s) => (count[s.modality] = (count[s.modality] ?? 0) + 1) <= n);
}
