// Evaluation over a split: detections for every image, the standard result files (COCO results
// for SAR, DOTA Task1 for RGB / IR), and the SOI-Det scores (per-modality AP50 / mAP, global
// mAP, H-mAP) from `@babelrs/metrics-hmap`.
import path from 'node:path';
import type { Telemetry } from '@babelrs/core';
import type { DetectionSample } from '@babelrs/datasets';
import type { DecodeOptions } from '@babelrs/det-heads';
import { resolveSamples, type DetectionData } from './detection-data.js';
import { runInference } from './inference.js';
import { toLocalLabels } from './label-space.js';
import type { MultiModalDetector } from './multi-modal-detector.js';
import { writeCocoResults, writeDotaTask1, type ImageDetections } from './result-files.js';
import { scoreDetections, type DetectionScores, type ModalityResults } from './scoring.js';

export interface EvaluateOptions {
  detector: MultiModalDetector;
  /** Samples, or `{ root, split }` of an SOI-Det-layout folder. */
  data: DetectionData;
  /** Folder for result files (`<modality>/results.json` + `ground-truth.json`, `<modality>/Task1/`); none written when absent. */
  outDir?: string;
  batchSize?: number;
  decode?: DecodeOptions;
  /** Emits one `eval` event with the scores (step = `step`). */
  telemetry?: Telemetry;
  step?: number;
  split?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluateResult extends DetectionScores {
  /** Files written (absent without `outDir`). */
  files: string[];
  numImages: number;
  seconds: number;
  /** Flat metrics for logs / tables: `mAP`, `AP50`, `hmap`, `mAP/sar`, `AP50/sar`, …. */
  metrics: Record<string, number>;
}

export async function evaluate(opts: EvaluateOptions): Promise<EvaluateResult> {
  const t0 = performance.now();
  const { detector } = opts;
  const samples = await resolveSamples(opts.data, detector.modalities, 'evaluate');
  const detections = await runInference(detector, samples, { batchSize: opts.batchSize, decode: opts.decode, onProgress: opts.onProgress });
  const parts: ModalityResults[] = [];
  const files: string[] = [];
  for (const m of detector.modalities) {
    const idx = samples.flatMap((s, i) => (s.modality === m ? [i] : []));
    if (idx.length === 0) continue;
    const ms: DetectionSample[] = idx.map((i) => samples[i]);
    const md: ImageDetections[] = idx.map((i) => detections[i]);
    const space = detector.labelSpaces[m]!;
    parts.push({ modality: m, space, samples: ms, detections: md });
    if (opts.outDir) files.push(...writeResultFiles(path.join(opts.outDir, m), ms, md, space));
  }
  const scores = scoreDetections(parts);
  const metrics: Record<string, number> = { mAP: scores.mAP, AP50: scores.AP50, hmap: scores.hmap };
  for (const [m, r] of Object.entries(scores.perModality)) {
    metrics[`mAP/${m}`] = r.mAP;
    metrics[`AP50/${m}`] = r.AP50;
  }
  opts.telemetry?.emit({ type: 'eval', step: opts.step ?? detector.fusionStep, metrics, ...(opts.split ? { split: opts.split } : {}) });
  return { ...scores, files, numImages: samples.length, seconds: (performance.now() - t0) / 1000, metrics };
}

/** SAR-like (HBB) data → COCO results + ground truth; OBB data → DOTA Task1 files. */
function writeResultFiles(dir: string, samples: DetectionSample[], dets: ImageDetections[], space: ModalityResults['space']): string[] {
  if (samples[0].boxType === 'hbb') return writeCocoResults(dir, samples, dets, space.names, samples.map((s) => toLocalLabels(space, s.labels, s.id)));
  return writeDotaTask1(dir, samples, dets, space.names);
}
