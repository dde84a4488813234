// Collation: transformed items of several modalities → one image tensor plus, per modality, a
// contiguous slice of the batch and its head targets (labels local to the head, boxes in the
// geometry the head predicts).
import { hbbToObb, obbToHbb } from '@babelrs/boxes';
import { MODALITIES, type DetectionSample, type Modality, type TransformGeometry, type TransformItem } from '@babelrs/datasets';
import type { HeadBoxType, HeadTargets } from '@babelrs/det-heads';
import { toLocalLabels, type ModalityLabelSpace } from './label-space.js';

/** The samples of one modality: rows [start, start + count) of the batch. */
export interface ModalityGroup {
  modality: Modality;
  start: number;
  count: number;
}

export interface DetectorBatch {
  /** [B, 3, S, S] row-major, normalised. */
  images: Float32Array;
  imageSize: number;
  /** Samples in batch order (grouped by modality: sar, rgb, ir), boxes in input coordinates. */
  samples: DetectionSample[];
  geometries: TransformGeometry[];
  groups: ModalityGroup[];
  /** Head targets per modality, one per sample of its group (training only). */
  targets?: Partial<Record<Modality, HeadTargets[]>>;
}

/** Items sorted stably by modality (sar, rgb, ir) so each modality is one contiguous slice. */
export function sortByModality<T extends { sample: { modality: Modality } }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => MODALITIES.indexOf(a.sample.modality) - MODALITIES.indexOf(b.sample.modality));
}

/** Contiguous modality groups of a modality-sorted list. */
export function modalityGroups(modalities: readonly Modality[]): ModalityGroup[] {
  const groups: ModalityGroup[] = [];
  modalities.forEach((m, i) => {
    const last = groups[groups.length - 1];
    if (last && last.modality === m) last.count++;
    else {
      if (groups.some((g) => g.modality === m)) throw new Error(`batch: modality ${m} is not contiguous (sort the items with sortByModality)`);
      groups.push({ modality: m, start: i, count: 1 });
    }
  });
  return groups;
}

/** Sample boxes in the head's geometry: HBB xyxy ⇄ OBB le90 when a head type differs from the data's. */
export function boxesForHead(sample: DetectionSample, boxType: HeadBoxType): Float64Array {
  if (sample.boxType === boxType) return sample.boxes;
  return boxType === 'obb' ? hbbToObb(sample.boxes, 'le90') : obbToHbb(sample.boxes);
}

/** Head targets of one transformed sample. SAR crowd boxes (COCO iscrowd) are ignored regions. */
export function headTargets(sample: DetectionSample, space: ModalityLabelSpace, boxType: HeadBoxType): HeadTargets {
  const labels = toLocalLabels(space, sample.labels, sample.id);
  const targets: HeadTargets = { boxes: boxesForHead(sample, boxType), labels };
  if (sample.boxType === 'hbb' && sample.difficult.some((d) => d === 1)) targets.ignore = Uint8Array.from(sample.difficult);
  return targets;
}

/**
 * Stacks transformed items (all imageSize × imageSize, 3 channels) into a batch. With
 * `withTargets`, builds each modality's head targets (`spaces` and `boxTypes` per modality).
 */
export function collateBatch(
  items: readonly TransformItem[],
  imageSize: number,
  heads?: { spaces: Partial<Record<Modality, ModalityLabelSpace>>; boxTypes: Partial<Record<Modality, HeadBoxType>> },
): DetectorBatch {
  const sorted = sortByModality(items);
  const plane = imageSize * imageSize;
  const images = new Float32Array(sorted.length * 3 * plane);
  sorted.forEach((it, i) => {
    const { image, sample } = it;
    if (image.width !== imageSize || image.height !== imageSize || image.channels !== 3) {
      throw new Error(`batch: sample ${sample.id} is ${image.channels}×${image.height}×${image.width} after the pipeline, expected 3×${imageSize}×${imageSize}`);
    }
    images.set(image.data, i * 3 * plane);
  });
  const samples = sorted.map((it) => it.sample);
  const batch: DetectorBatch = { images, imageSize, samples, geometries: sorted.map((it) => it.geometry), groups: modalityGroups(samples.map((s) => s.modality)) };
  if (heads) {
    const targets: Partial<Record<Modality, HeadTargets[]>> = {};
    for (const g of batch.groups) {
      const space = heads.spaces[g.modality];
      const boxType = heads.boxTypes[g.modality];
      if (!space || !boxType) throw new Error(`batch: sample ${samples[g.start].id} is ${g.modality}, but the detector has no ${g.modality} head`);
      targets[g.modality] = samples.slice(g.start, g.start + g.count).map((s) => headTargets(s, space, boxType));
    }
    batch.targets = targets;
  }
  return batch;
}
