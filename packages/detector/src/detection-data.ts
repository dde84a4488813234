// Where samples come from: a list already in memory, or an SOI-Det-layout folder (the real
// SOI-Det or the synthetic mini-SOI, which is written in the same layout) read by `loadSoiDet`.
import { loadBatchItems, loadSoiDet, type DetectionSample, type Modality, type Transform, type TransformItem } from '@babelrs/datasets';

/** Samples, or an SOI-Det-layout root and the split to read. */
export type DetectionData = readonly DetectionSample[] | { root: string; split: string; lenient?: boolean };

/** The samples of `data` restricted to `modalities`; an error when none is left. */
export async function resolveSamples(data: DetectionData, modalities: readonly Modality[], what: string): Promise<DetectionSample[]> {
  let samples: DetectionSample[];
  if (Array.isArray(data)) samples = [...(data as readonly DetectionSample[])];
  else {
    const d = data as { root: string; split: string; lenient?: boolean };
    if (typeof d.root !== 'string' || typeof d.split !== 'string') throw new TypeError(`${what}: data must be a sample list or { root, split }`);
    const loaded = await loadSoiDet(d.root, { splits: [d.split], modalities, lenient: d.lenient });
    samples = loaded.samples;
    if (samples.length === 0) throw new Error(`${what}: no ${modalities.join('/')} samples in split "${d.split}" under ${d.root} (${loaded.notices.join('; ') || 'expected the SOI-Det layout'})`);
  }
  const kept = samples.filter((s) => modalities.includes(s.modality));
  if (kept.length === 0) throw new Error(`${what}: no sample of a modality the detector has a head for (${modalities.join(', ')})`);
  return kept;
}

/** Decodes and transforms the samples at `indices` (decodes run concurrently; order kept). */
export function loadItems(samples: readonly DetectionSample[], indices: readonly number[], pipeline: Transform, seeds: readonly number[]): Promise<TransformItem[]> {
  return loadBatchItems(
    indices.map((i) => samples[i]),
    pipeline,
    seeds,
  );
}
