/**
 * Object crops for the demo's concept classifier: every annotated object's enclosing horizontal
 * box (HBB), cut from the decoded image, resampled to a fixed S×S, normalised per modality and
 * expanded to 3 channels (SAR / IR are single-channel). Data flows one way:
 * samples (files) → crops (plain Float32Arrays, no tfjs) → batches (train-loop.ts).
 */
import { obbToHbb } from '@babelrs/boxes';
import {
  DEFAULT_NORMALIZATION,
  decodeImage,
  normalizeImage,
  sampleBoxCount,
  type DecodedImage,
  type DetectionSample,
  type Modality,
  type NormalizationConfig,
} from '@babelrs/datasets';
import type { ConceptVocabulary } from './concept-vocabulary.js';

/** Channels every crop has (what the shared encoder expects, whatever the sensor). */
export const CROP_CHANNELS = 3;

export interface CropItem {
  /** Index into the samples the dataset was built from. */
  sampleIndex: number;
  /** Box index within that sample. */
  boxIndex: number;
  modality: Modality;
  /** Unified SOI-Det class id (26-class space). */
  label: number;
  /** Index into the shared concept vocabulary. */
  concept: number;
}

export interface CropDataset {
  /** Crop side S in pixels. */
  size: number;
  channels: number;
  /** [N, C, S, S] row-major, normalised. */
  pixels: Float32Array;
  items: CropItem[];
}

export interface CropDatasetOptions {
  /** Crop side in pixels (default 24). */
  size?: number;
  vocabulary: ConceptVocabulary;
  /** Per-modality statistics (default: `DEFAULT_NORMALIZATION` of @babelrs/datasets). */
  normalization?: Readonly<Record<Modality, NormalizationConfig>>;
  /** Images decoded at once (default 8). */
  concurrency?: number;
  /** Image decoder (default: `decodeImage`); tests pass hand-made images. */
  decode?: (sample: DetectionSample) => Promise<Pick<DecodedImage, 'data' | 'width' | 'height' | 'channels'>>;
}

/** Enclosing HBBs `[x1, y1, x2, y2]` (N×4) of a sample's boxes, clipped to the image. */
export function objectHbbs(sample: DetectionSample): Float64Array {
  const n = sampleBoxCount(sample);
  const hbb = sample.boxType === 'hbb' ? Float64Array.from(sample.boxes) : n > 0 ? obbToHbb(sample.boxes) : new Float64Array(0);
  for (let i = 0; i < hbb.length; i += 2) {
    hbb[i] = Math.min(Math.max(hbb[i], 0), sample.width);
    hbb[i + 1] = Math.min(Math.max(hbb[i + 1], 0), sample.height);
  }
  return hbb;
}

/**
 * Bilinear crop-and-resize of box `[x1, y1, x2, y2]` (continuous pixel coordinates, pixel k
 * covers [k, k+1)) to `size`×`size`: output pixel (i, j) samples the source at its own centre,
 * x = x1 + (j + ½)·w/S − ½ (the half-pixel rule of cv2 / RoIAlign with one sample per bin);
 * taps outside the image are clamped to the border. Returns [C, S, S] in source units.
 */
export function cropResize(img: Pick<DecodedImage, 'data' | 'width' | 'height' | 'channels'>, box: ArrayLike<number>, size: number): Float32Array {
  if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`cropResize: size must be a positive integer, got ${size}`);
  const [x1, y1, x2, y2] = [box[0], box[1], box[2], box[3]];
  if (![x1, y1, x2, y2].every(Number.isFinite) || x2 < x1 || y2 < y1) throw new RangeError(`cropResize: box must be finite [x1, y1, x2, y2] with x2 ≥ x1 and y2 ≥ y1, got [${x1}, ${y1}, ${x2}, ${y2}]`);
  const { width: w, height: h, channels, data } = img;
  const xs = taps(x1, x2 - x1, size, w);
  const ys = taps(y1, y2 - y1, size, h);
  const out = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c++) {
    const plane = c * w * h;
    for (let i = 0; i < size; i++) {
      const r0 = plane + ys.i0[i] * w;
      const r1 = plane + ys.i1[i] * w;
      const fy = ys.f[i];
      for (let j = 0; j < size; j++) {
        const a = xs.i0[j], b = xs.i1[j], fx = xs.f[j];
        const top = data[r0 + a] + (data[r0 + b] - data[r0 + a]) * fx;
        const bot = data[r1 + a] + (data[r1 + b] - data[r1 + a]) * fx;
        out[(c * size + i) * size + j] = top + (bot - top) * fy;
      }
    }
  }
  return out;
}

/** Source taps along one axis: lower index, upper index, weight of the upper one. */
function taps(start: number, extent: number, size: number, limit: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(size);
  const i1 = new Int32Array(size);
  const f = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const s = Math.min(Math.max(start + ((k + 0.5) * extent) / size - 0.5, 0), limit - 1);
    const lo = Math.floor(s);
    i0[k] = lo;
    i1[k] = Math.min(lo + 1, limit - 1);
    f[k] = s - lo;
  }
  return { i0, i1, f };
}

/**
 * Decodes every sample's image once and cuts all its objects (see the module comment). Crop
 * order is sample order, then box order, so the result does not depend on decode timing.
 */
export async function buildCropDataset(samples: readonly DetectionSample[], opts: CropDatasetOptions): Promise<CropDataset> {
  const size = opts.size ?? 24;
  const norms = opts.normalization ?? DEFAULT_NORMALIZATION;
  const decode = opts.decode ?? ((s: DetectionSample) => decodeImage(s.imagePath));
  const perSample: Array<{ items: CropItem[]; pixels: Float32Array[] }> = new Array(samples.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < samples.length) {
      const k = next++;
      perSample[k] = cropSample(samples[k], k, await decode(samples[k]), size, norms[samples[k].modality], opts.vocabulary);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
  const items = perSample.flatMap((p) => p.items);
  const stride = CROP_CHANNELS * size * size;
  const pixels = new Float32Array(items.length * stride);
  let o = 0;
  for (const p of perSample) for (const px of p.pixels) pixels.set(px, (o++) * stride);
  return { size, channels: CROP_CHANNELS, pixels, items };
}

function cropSample(
  sample: DetectionSample,
  sampleIndex: number,
  img: Pick<DecodedImage, 'data' | 'width' | 'height' | 'channels'>,
  size: number,
  norm: NormalizationConfig,
  vocab: ConceptVocabulary,
): { items: CropItem[]; pixels: Float32Array[] } {
  if (img.width !== sample.width || img.height !== sample.height) {
    throw new Error(`${sample.imagePath}: decoded image is ${img.width}×${img.height}, annotations say ${sample.width}×${sample.height}`);
  }
  const hbbs = objectHbbs(sample);
  const items: CropItem[] = [];
  const pixels: Float32Array[] = [];
  for (let b = 0; b < sample.labels.length; b++) {
    const raw = cropResize(img, hbbs.subarray(b * 4, b * 4 + 4), size);
    const normalised = normalizeImage({ data: raw, width: size, height: size, channels: img.channels }, { ...norm, outChannels: CROP_CHANNELS });
    const label = sample.labels[b];
    if (!(label >= 0 && label < vocab.conceptOfClass.length)) throw new Error(`${sample.id}: box ${b} has label ${label}, outside the ${vocab.conceptOfClass.length}-class space`);
    items.push({ sampleIndex, boxIndex: b, modality: sample.modality, label, concept: vocab.conceptOfClass[label] });
    pixels.push(normalised.data);
  }
  return { items, pixels };
}
