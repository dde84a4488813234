// Scores detections with `@babelrs/metrics-hmap` under the SOI-Det protocol: COCO mAP@[.5:.95]
// for SAR (HBB), rotated-IoU `soi` mAP@[.5:.95] for RGB / IR (OBB); global mAP over the union
// of classes and H-mAP, the harmonic mean of the per-modality mAPs.
import type { DetectionSample, Modality } from '@babelrs/datasets';
import { evaluateModalityDatasets, type EvalDataset, type ModalityDataset, type ProtocolName } from '@babelrs/metrics-hmap';
import type { ImageDetections } from './result-files.js';
import { toLocalLabels, type ModalityLabelSpace } from './label-space.js';

export interface ClassScore {
  name: string;
  ap: number;
  ap50: number;
  numGts: number;
  numDets: number;
}

export interface ModalityScore {
  modality: Modality;
  protocol: ProtocolName;
  /** AP at IoU 0.5 (mean over classes with ground truth). */
  AP50: number;
  /** mAP@[.5:.95] (the protocol's primary number). */
  mAP: number;
  numImages: number;
  perClass: ClassScore[];
}

export interface DetectionScores {
  perModality: Partial<Record<Modality, ModalityScore>>;
  /** Mean AP over the union of all modalities' classes (the paper's "overall"). */
  mAP: number;
  AP50: number;
  /** Harmonic mean of the per-modality mAPs (0 when any is 0). */
  hmap: number;
}

export interface ModalityResults {
  modality: Modality;
  space: ModalityLabelSpace;
  /** Samples as loaded (original pixels). */
  samples: readonly DetectionSample[];
  /** One entry per sample: original pixels, the samples' box geometry, head-local labels. */
  detections: readonly ImageDetections[];
}

/** SOI-Det protocol of a box geometry. */
export function protocolFor(boxType: 'hbb' | 'obb'): ProtocolName {
  return boxType === 'hbb' ? 'coco' : 'soi';
}

function evalDataset(r: ModalityResults): EvalDataset {
  const geometry = r.samples[0]?.boxType ?? 'obb';
  const dim = geometry === 'hbb' ? 4 : 5;
  const gtRows = r.samples.reduce((n, s) => n + s.labels.length, 0);
  const detRows = r.detections.reduce((n, d) => n + d.labels.length, 0);
  const gts = { boxes: new Float64Array(gtRows * dim), labels: new Int32Array(gtRows), imageIndex: new Int32Array(gtRows), difficult: new Uint8Array(gtRows) };
  const dets = { boxes: new Float64Array(detRows * dim), labels: new Int32Array(detRows), imageIndex: new Int32Array(detRows), scores: new Float64Array(detRows) };
  let g = 0;
  let d = 0;
  r.samples.forEach((s, i) => {
    if (s.boxType !== geometry) throw new Error(`evaluate: ${r.modality} sample ${s.id} has ${s.boxType} boxes, the others ${geometry}`);
    const local = toLocalLabels(r.space, s.labels, s.id);
    gts.boxes.set(s.boxes, g * dim);
    gts.labels.set(local, g);
    gts.imageIndex.fill(i, g, g + local.length);
    gts.difficult.set(s.difficult, g);
    g += local.length;
    const det = r.detections[i];
    if (det.boxes.length !== det.labels.length * dim) throw new Error(`evaluate: detections of ${s.id} have ${det.boxes.length} box values for ${det.labels.length} boxes of ${dim}`);
    dets.boxes.set(det.boxes, d * dim);
    dets.labels.set(det.labels, d);
    dets.imageIndex.fill(i, d, d + det.labels.length);
    dets.scores.set(det.scores, d);
    d += det.labels.length;
  });
  return { geometry, classes: [...r.space.names], images: r.samples.map((s) => ({ name: s.id, modality: r.modality })), gts, dets };
}

/** Scores every modality with its protocol and combines them (global mAP, H-mAP). */
export function scoreDetections(parts: readonly ModalityResults[]): DetectionScores {
  const datasets: ModalityDataset[] = parts.map((r) => {
    const ds = evalDataset(r);
    return { modality: r.modality, protocol: protocolFor(ds.geometry === 'hbb' ? 'hbb' : 'obb'), dataset: ds };
  });
  const ev = evaluateModalityDatasets(datasets);
  const perModality: Partial<Record<Modality, ModalityScore>> = {};
  for (const p of datasets) {
    const r = ev.perModality[p.modality];
    const withGt = r.perClass.filter((c) => c.inMap);
    perModality[p.modality as Modality] = {
      modality: p.modality as Modality,
      protocol: p.protocol,
      AP50: r.AP50 ?? mean(withGt.map((c) => c.ap50 ?? 0)),
      mAP: r.mAP,
      numImages: r.numImages,
      perClass: r.perClass.map((c) => ({ name: c.name, ap: c.ap, ap50: c.ap50 ?? Number.NaN, numGts: c.numGts, numDets: c.numDets })),
    };
  }
  return { perModality, mAP: ev.mAP, AP50: ev.AP50 ?? Number.NaN, hmap: ev.hmap };
}

function mean(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
}
