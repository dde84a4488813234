/**
 * `report.json` of `babelrs demo`, and the summary printed at the end. The report separates
 * what is determined by the options and seed (data, model, training, evaluation) from what is
 * not (`timings`, `backend`, `data.status`), so two runs with the same seed can be compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@babelrs/core';
import type { Modality } from '@babelrs/datasets';
import type { DemoEvaluation } from './evaluate.js';
import type { TrainResult } from './train-loop.js';

export const DEMO_REPORT_KIND = 'babelrs-demo-report';
export const DEMO_REPORT_VERSION = 1;

/** What this demo is, and what the full BabelRS pipeline does that it does not. */
export const DEMO_WHAT_RAN =
  'The smallest real end-to-end run: generate the built-in synthetic mini-SOI set (SAR, RGB, IR), load it back through the SOI-Det loader, crop every annotated object, train ONE shared encoder with ONE head over the shared concept vocabulary (language-pivot idea in miniature) with modality-balanced batches, AdamW, warm-up + cosine lr, gradient clipping and the precision policy, then evaluate per modality.';

export const DEMO_NOT_RUN: readonly string[] = [
  'ViT backbone (the encoder is a 2-layer MLP over 24×24 crops)',
  'CSIA language-pivoted pretraining (no language model; concepts are a classifier vocabulary)',
  'LVSA layer annealing',
  'detection heads and localisation (evaluation uses the ground-truth boxes: oracle-box mAP)',
  'real SOI-Det data (synthetic mini-SOI only)',
];

export interface DemoReport {
  kind: typeof DEMO_REPORT_KIND;
  version: number;
  whatRan: string;
  notRun: readonly string[];
  options: {
    seed: number;
    imagesPerModality: number;
    imageSize: number;
    steps: number;
    batch: number;
    precision: string;
    cropSize: number;
    lr: number;
    weightDecay: number;
    warmupSteps: number;
    maxGradNorm: number;
    hidden: number;
    embed: number;
  };
  backend: { name: string; summary: string };
  data: {
    root: string;
    status: 'generated' | 'regenerated' | 'reused';
    /** Images per `<modality>/<split>` as loaded back. */
    images: Record<string, number>;
    /** Object crops per split and modality. */
    crops: Record<string, Partial<Record<Modality, number>>>;
  };
  model: {
    name: string;
    parameters: number;
    vocabulary: string[];
    layers: string[];
  };
  training: Pick<TrainResult, 'steps' | 'firstLoss' | 'finalLoss' | 'finalGradNorm' | 'overflowSteps' | 'skippedSteps' | 'finalLossScale' | 'paramGroups'> & {
    batch: number;
    ratios: Record<Modality, number>;
    precision: string;
    precisionNote: string;
    liveTensors: { afterFirstStep: number; afterLastStep: number; max: number };
  };
  evaluation: DemoEvaluation & { split: string };
  files: { report: string; weights: string; telemetry: string };
  timings: { dataSeconds: number; cropSeconds: number; trainSeconds: number; evalSeconds: number; totalSeconds: number };
}

/** Writes `value` as pretty JSON, atomically (temp file + rename). */
export function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`;
  writeFileAtomic(file, (fd) => fs.writeSync(fd, text));
}

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`);

/** The readable end-of-run summary. */
export function formatDemoSummary(r: DemoReport): string {
  const ev = r.evaluation;
  const mods = Object.keys(ev.top1) as Modality[];
  const lines = [
    '',
    'babelrs demo — what ran:',
    `  ${r.whatRan}`,
    'NOT run (later issues):',
    ...r.notRun.map((s) => `  - ${s}`),
    '',
    `data      ${r.data.root} (${r.data.status}); crops train ${fmtCounts(r.data.crops.train)}, test ${fmtCounts(r.data.crops.test)}`,
    `model     ${r.model.name}, ${r.model.parameters} parameters, ${r.model.vocabulary.length} shared concepts`,
    `training  ${r.training.steps} steps × ${r.training.batch} crops (SAR:RGB:IR 2:1:1), ${r.training.precision}; loss ${r.training.firstLoss.toFixed(3)} → ${r.training.finalLoss.toFixed(3)}; ` +
      `overflow ${r.training.overflowSteps}, skipped ${r.training.skippedSteps}, final loss scale ${r.training.finalLossScale}`,
    `backend   ${r.backend.summary}`,
    '',
    `top-1 concept accuracy on ${ev.split} crops (majority-class baseline in brackets):`,
    ...mods.map((m) => `  ${m.padEnd(4)} ${pct(ev.top1[m])}  [${pct(ev.majorityBaseline[m])}]  (${ev.crops[m]} crops)`),
    `  harmonic mean ${pct(ev.top1HarmonicMean)}`,
    '',
    `${ev.oracleBox.label}:`,
    ...mods.map((m) => `  ${m.padEnd(4)} ${ev.oracleBox.perModality[m]?.protocol.padEnd(4)} mAP ${pct(ev.oracleBox.perModality[m]?.mAP)}  AP50 ${pct(ev.oracleBox.perModality[m]?.AP50)}`),
    `  overall mAP ${pct(ev.oracleBox.mAP)}, H-mAP ${pct(ev.oracleBox.hmap)}`,
    '',
    `files     ${r.files.report}`,
    `          ${r.files.weights}`,
    `          ${r.files.telemetry}`,
    `time      ${r.timings.totalSeconds.toFixed(1)} s (data ${r.timings.dataSeconds.toFixed(1)}, crops ${r.timings.cropSeconds.toFixed(1)}, train ${r.timings.trainSeconds.toFixed(1)}, eval ${r.timings.evalSeconds.toFixed(1)})`,
  ];
  return lines.join('\n');
}

function fmtCounts(c: Partial<Record<Modality, number>> | undefined): string {
  return c ? Object.entries(c).map(([m, n]) => `${m} ${n}`).join(', ') : '-';
}
