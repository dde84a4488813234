/**
 * Per-modality evaluation, the two ways users have their data:
 * - one dataset whose images carry a modality: the protocol runs on all images (`all`) and on
 *   each modality's images alone;
 * - one dataset per modality, each with its own protocol (SOI-Det: SAR with coco, DOTA and
 *   DroneVehicle with soi): the global mAP is the mean AP over the union of the modalities'
 *   classes (so it weighs modalities by their class count, like the paper's "overall").
 * Both report H-mAP over the per-modality mAPs.
 */
import { modalitiesOf, selectImages } from './dataset.js';
import { MetricsInputError } from './errors.js';
import { harmonicModalityMap } from './hmap.js';
import { meanOrZero } from './precision-recall.js';
import { evaluateProtocol, type ProtocolOptions } from './protocols/evaluate.js';
import type { ClassResult, EvalDataset, ProtocolName, ProtocolResult } from './types.js';

export interface ModalityClassResult extends ClassResult {
  /** Set when the result comes from a per-modality dataset (mixed-protocol evaluation). */
  modality?: string;
}

export interface ModalityEvaluation {
  /** The protocol, or `mixed` when modalities use different protocols. */
  protocol: ProtocolName | 'mixed';
  /** Global mAP (single dataset: the protocol over all images; per-modality datasets: mean over the union of classes). */
  mAP: number;
  AP50?: number;
  AP75?: number;
  perClass: ModalityClassResult[];
  perModality: Record<string, ProtocolResult>;
  /** Harmonic mean of the per-modality `mAP`s (0 if any is 0; NaN when no image has a modality). */
  hmap: number;
  /** dota only: the same with the mmrotate mean (classes with positives). */
  mAPClassesWithGt?: number;
  hmapClassesWithGt?: number;
  /** Single-dataset mode: the full protocol result over all images. */
  all?: ProtocolResult;
}

/** Evaluates `ds` as a whole and per image modality (images without a modality only count in the whole). */
export function evaluateByModality(ds: EvalDataset, protocol: ProtocolName, opts: ProtocolOptions = {}): ModalityEvaluation {
  const all = evaluateProtocol(ds, protocol, opts);
  const perModality: Record<string, ProtocolResult> = {};
  for (const m of modalitiesOf(ds)) perModality[m] = evaluateProtocol(selectImages(ds, (im) => im.modality === m), protocol, opts);
  const out: ModalityEvaluation = {
    protocol,
    mAP: all.mAP,
    AP50: all.AP50,
    AP75: all.AP75,
    perClass: all.perClass,
    perModality,
    // No image carries a modality: there is nothing to take a harmonic mean over.
    hmap: Object.keys(perModality).length ? harmonicModalityMap(Object.values(perModality).map((r) => r.mAP)) : Number.NaN,
    all,
  };
  if (all.mAPClassesWithGt !== undefined) {
    out.mAPClassesWithGt = all.mAPClassesWithGt;
    out.hmapClassesWithGt = harmonicModalityMap(Object.values(perModality).map((r) => r.mAPClassesWithGt ?? 0));
  }
  return out;
}

export interface ModalityDataset {
  modality: string;
  protocol: ProtocolName;
  dataset: EvalDataset;
  options?: ProtocolOptions;
}

/** Evaluates one dataset per modality, each with its own protocol, and combines them. */
export function evaluateModalityDatasets(parts: readonly ModalityDataset[]): ModalityEvaluation {
  if (parts.length === 0) throw new MetricsInputError('modalities', 'no modality given');
  const perModality: Record<string, ProtocolResult> = {};
  const perClass: ModalityClassResult[] = [];
  for (const p of parts) {
    if (perModality[p.modality]) throw new MetricsInputError('modalities', `modality "${p.modality}" given twice`);
    const r = evaluateProtocol(p.dataset, p.protocol, p.options);
    perModality[p.modality] = r;
    for (const c of r.perClass) perClass.push({ ...c, modality: p.modality });
  }
  const counted = perClass.filter((c) => c.inMap);
  const protocols = new Set(parts.map((p) => p.protocol));
  const unionMean = (pick: (c: ClassResult) => number | undefined): number | undefined => {
    const vals = counted.map(pick);
    return vals.every((v) => v !== undefined) ? meanOrZero(vals as number[]) : undefined;
  };
  return {
    protocol: protocols.size === 1 ? parts[0].protocol : 'mixed',
    mAP: meanOrZero(counted.map((c) => c.ap)),
    AP50: unionMean((c) => c.ap50),
    AP75: unionMean((c) => c.ap75),
    perClass,
    perModality,
    hmap: harmonicModalityMap(Object.values(perModality).map((r) => r.mAP)),
  };
}
