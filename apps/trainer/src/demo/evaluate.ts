/**
 * Evaluation of the concept classifier on held-out crops, two ways:
 * 1. per-modality top-1 concept accuracy (argmax over the WHOLE shared vocabulary) and its
 *    harmonic mean over modalities (the H-mAP idea applied to accuracy);
 * 2. ORACLE-BOX detection numbers with @babelrs/metrics-hmap: every ground-truth box becomes a
 *    detection with the same box, labelled with the modality's class whose concept the
 *    classifier finds most probable (a modality-specific head can only emit its own classes)
 *    and scored by that probability. SAR is scored with `coco`, RGB/IR with `soi`, then
 *    per-modality mAP and H-mAP. Boxes are perfect by construction, so this measures
 *    classification only — there is no localisation yet.
 */
import { MODALITIES, type DetectionSample, type Modality } from '@babelrs/datasets';
import { tf } from '@babelrs/core';
import {
  createDataset,
  evaluateModalityDatasets,
  formatSummaryTable,
  harmonicModalityMap,
  soiDetSummary,
  type DetectionObject,
  type GroundTruthObject,
  type ModalityDataset,
  type ProtocolName,
} from '@babelrs/metrics-hmap';
import type { ConceptClassifier } from './concept-classifier.js';
import type { ConceptVocabulary } from './concept-vocabulary.js';
import type { CropDataset } from './crop-dataset.js';

export const ORACLE_BOX_LABEL = 'oracle-box mAP (classification only; no localisation yet)';

/** SOI-Det protocols: SAR boxes are horizontal (COCO rules), RGB / IR oriented (soi rules). */
export const DEMO_PROTOCOLS: Readonly<Record<Modality, ProtocolName>> = { sar: 'coco', rgb: 'soi', ir: 'soi' };

export interface OracleBoxModality {
  protocol: ProtocolName;
  mAP: number;
  AP50: number | null;
}

export interface DemoEvaluation {
  /** Crops evaluated per modality. */
  crops: Partial<Record<Modality, number>>;
  /** Top-1 concept accuracy per modality. */
  top1: Partial<Record<Modality, number>>;
  /** Harmonic mean of `top1` over the modalities present (0 if any is 0). */
  top1HarmonicMean: number;
  /** Accuracy of always answering the modality's most frequent concept: the bar to beat. */
  majorityBaseline: Partial<Record<Modality, number>>;
  oracleBox: {
    label: string;
    perModality: Partial<Record<Modality, OracleBoxModality>>;
    /** Mean AP over the union of the modalities' classes with GT. */
    mAP: number;
    AP50: number | null;
    hmap: number;
    /** The SOI-Det summary table as text. */
    table: string;
  };
}

/** Softmax probabilities for every crop, [N, V] row-major, in eval batches. */
export function predictProbabilities(model: ConceptClassifier, data: CropDataset, batch = 256): Float32Array {
  const n = data.items.length;
  const stride = data.channels * data.size * data.size;
  const v = model.numConcepts;
  const out = new Float32Array(n * v);
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < n; start += batch) {
      const rows = Math.min(batch, n - start);
      const probs = tf.tidy(() => model.predictProba(tf.tensor2d(data.pixels.subarray(start * stride, (start + rows) * stride), [rows, stride])));
      out.set(probs.dataSync(), start * v);
      probs.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}

/**
 * Scores `probs` (from `predictProbabilities` on `crops`) against the crops' concepts and, as
 * oracle-box detections, against the samples' annotations with @babelrs/metrics-hmap.
 */
export function evaluatePredictions(samples: readonly DetectionSample[], crops: CropDataset, probs: Float32Array, vocab: ConceptVocabulary): DemoEvaluation {
  const v = vocab.concepts.length;
  if (probs.length !== crops.items.length * v) throw new Error(`evaluatePredictions: expected ${crops.items.length}×${v} probabilities, got ${probs.length}`);
  const accuracy = topOneAccuracy(crops, probs, v);
  const parts: ModalityDataset[] = [];
  for (const m of MODALITIES) {
    if (accuracy.crops[m] === undefined) continue;
    parts.push({ modality: m, protocol: DEMO_PROTOCOLS[m], dataset: oracleBoxDataset(m, samples, crops, probs, vocab) });
  }
  const ev = parts.length > 0 ? evaluateModalityDatasets(parts) : null;
  const perModality: Partial<Record<Modality, OracleBoxModality>> = {};
  for (const [m, r] of Object.entries(ev?.perModality ?? {})) perModality[m as Modality] = { protocol: r.protocol, mAP: r.mAP, AP50: r.AP50 ?? null };
  return {
    ...accuracy,
    oracleBox: {
      label: ORACLE_BOX_LABEL,
      perModality,
      mAP: ev?.mAP ?? 0,
      AP50: ev?.AP50 ?? null,
      hmap: ev?.hmap ?? 0,
      table: ev ? formatSummaryTable(soiDetSummary(ev)) : '(no test crops)',
    },
  };
}

function topOneAccuracy(crops: CropDataset, probs: Float32Array, v: number): Pick<DemoEvaluation, 'crops' | 'top1' | 'top1HarmonicMean' | 'majorityBaseline'> {
  const counts: Partial<Record<Modality, number>> = {};
  const correct: Partial<Record<Modality, number>> = {};
  const freq: Partial<Record<Modality, Map<number, number>>> = {};
  crops.items.forEach((it, i) => {
    counts[it.modality] = (counts[it.modality] ?? 0) + 1;
    const hit = argmax(probs, i * v, v) === it.concept ? 1 : 0;
    correct[it.modality] = (correct[it.modality] ?? 0) + hit;
    const f = (freq[it.modality] ??= new Map());
    f.set(it.concept, (f.get(it.concept) ?? 0) + 1);
  });
  const top1: Partial<Record<Modality, number>> = {};
  const majorityBaseline: Partial<Record<Modality, number>> = {};
  for (const m of MODALITIES) {
    const n = counts[m];
    if (n === undefined) continue;
    top1[m] = (correct[m] ?? 0) / n;
    majorityBaseline[m] = Math.max(...freq[m]!.values()) / n;
  }
  return { crops: counts, top1, top1HarmonicMean: harmonicModalityMap(Object.values(top1)), majorityBaseline };
}

/** One modality's test images with their GTs and one oracle-box detection per GT. */
function oracleBoxDataset(modality: Modality, samples: readonly DetectionSample[], crops: CropDataset, probs: Float32Array, vocab: ConceptVocabulary) {
  const classes = vocab.modalityClasses[modality];
  const localOf = new Map(classes.map((c, k) => [c.id, k]));
  const v = vocab.concepts.length;
  const sampleIdx = [...new Set(crops.items.filter((it) => it.modality === modality).map((it) => it.sampleIndex))];
  const imageOf = new Map(sampleIdx.map((s, k) => [s, k]));
  const gts: GroundTruthObject[] = [];
  const dets: DetectionObject[] = [];
  crops.items.forEach((it, i) => {
    if (it.modality !== modality) return;
    const s = samples[it.sampleIndex];
    const dim = s.boxType === 'hbb' ? 4 : 5;
    const box = s.boxes.subarray(it.boxIndex * dim, (it.boxIndex + 1) * dim);
    const image = imageOf.get(it.sampleIndex)!;
    const label = localOf.get(it.label);
    if (label === undefined) throw new Error(`${s.id}: box ${it.boxIndex} has class ${it.label}, not a ${modality} class`);
    gts.push({ image, label, box, difficult: s.difficult[it.boxIndex] === 1 });
    // The modality's head can only name its own classes: the most probable of their concepts.
    const ownProbs = classes.map((c) => probs[i * v + vocab.conceptOfClass[c.id]]);
    const best = argmax(Float32Array.from(ownProbs), 0, ownProbs.length);
    dets.push({ image, label: best, box, score: ownProbs[best] });
  });
  return createDataset({
    geometry: modality === 'sar' ? 'hbb' : 'obb',
    classes: classes.map((c) => c.name),
    images: sampleIdx.map((s) => ({ name: samples[s].id, modality })),
    gts,
    dets,
  });
}

function argmax(xs: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (xs[offset + k] > xs[offset + best]) best = k;
  return best;
}
