/**
 * Per-modality normalisation: `(x − mean_c) / std_c` per channel, in the source's units, then
 * channel adaptation to what the backbone expects. SAR and IR are single-channel; a backbone
 * built for 3 channels gets the channel repeated (configurable), an RGB image fed to a
 * 1-channel backbone gets its channel mean. Defaults are ImageNet statistics for RGB (scaled to
 * 0–255) and neutral grey statistics for SAR / IR; override them with your dataset's numbers.
 */
import type { Modality } from '../sample.js';
import type { DecodedImage } from './decoded-image.js';

export interface NormalizationConfig {
  /** Per-channel mean, in source units (one value is broadcast to all channels). */
  mean: readonly number[];
  /** Per-channel standard deviation, in source units. */
  std: readonly number[];
  /** Channels the backbone expects; default: keep the image's (a grey image given k-channel statistics becomes k channels). */
  outChannels?: number;
}

/** Default statistics per modality, for 8-bit inputs. */
export const DEFAULT_NORMALIZATION: Readonly<Record<Modality, NormalizationConfig>> = {
  rgb: { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
  sar: { mean: [127.5], std: [63.75] },
  ir: { mean: [127.5], std: [63.75] },
};

export interface NormalizedImage {
  /** `[C, H, W]` flattened. */
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** Normalises an image and adapts its channel count (see the module comment). */
export function normalizeImage(img: Pick<DecodedImage, 'data' | 'width' | 'height' | 'channels'>, config: NormalizationConfig): NormalizedImage {
  const { width, height } = img;
  const plane = width * height;
  const src = adaptChannels(img.data, plane, img.channels, config.outChannels ?? defaultOutChannels(img.channels, config));
  const channels = src.length / plane;
  const mean = broadcast(config.mean, channels, 'mean');
  const std = broadcast(config.std, channels, 'std');
  const out = new Float32Array(src.length);
  for (let c = 0; c < channels; c++) {
    if (!(std[c] > 0)) throw new Error(`normalizeImage: std[${c}] must be > 0, got ${std[c]}`);
    const m = mean[c];
    const inv = 1 / std[c];
    const o = c * plane;
    for (let i = 0; i < plane; i++) out[o + i] = (src[o + i] - m) * inv;
  }
  return { data: out, width, height, channels };
}

/**
 * What `normalizeImage` does to an image of `channels` channels, as numbers: the output
 * channel count and, per output channel, the mean and `1 / std` (so `(x − mean) · inv` gives
 * the same float32 as `normalizeImage`). Throws the errors `normalizeImage` would throw.
 */
export function normalizationCoefficients(channels: number, config: NormalizationConfig): { channels: number; mean: number[]; inv: number[] } {
  const to = config.outChannels ?? defaultOutChannels(channels, config);
  if (channels !== to && channels !== 1 && to !== 1) throw new Error(`adaptChannels: cannot map ${channels} channels to ${to} (only 1 → k, k → 1 or equal)`);
  const mean = broadcast(config.mean, to, 'mean');
  const std = broadcast(config.std, to, 'std');
  for (let c = 0; c < to; c++) if (!(std[c] > 0)) throw new Error(`normalizeImage: std[${c}] must be > 0, got ${std[c]}`);
  return { channels: to, mean, inv: std.map((v) => 1 / v) };
}

/**
 * Channels kept when `outChannels` is not set: the image's own, except that a grey image with
 * per-channel colour statistics becomes colour (DOTA has panchromatic images among its RGB ones;
 * mmcv's `imread` also reads them as 3 equal channels), so RGB statistics never fail on them.
 */
function defaultOutChannels(channels: number, config: NormalizationConfig): number {
  const statistics = Math.max(config.mean.length, config.std.length);
  return channels === 1 && statistics > 1 ? statistics : channels;
}

/**
 * Channel adaptation: 1 → k repeats the channel, k → 1 averages, equal keeps; other pairs
 * are ambiguous and rejected.
 */
export function adaptChannels(chw: Float32Array, plane: number, from: number, to: number): Float32Array {
  if (from === to) return chw;
  if (from === 1) {
    const out = new Float32Array(plane * to);
    for (let c = 0; c < to; c++) out.set(chw.subarray(0, plane), c * plane);
    return out;
  }
  if (to === 1) {
    const out = new Float32Array(plane);
    for (let c = 0; c < from; c++) for (let i = 0; i < plane; i++) out[i] += chw[c * plane + i];
    for (let i = 0; i < plane; i++) out[i] /= from;
    return out;
  }
  throw new Error(`adaptChannels: cannot map ${from} channels to ${to} (only 1 → k, k → 1 or equal)`);
}

function broadcast(values: readonly number[], channels: number, what: string): number[] {
  if (values.length === 1) return Array(channels).fill(values[0]);
  if (values.length !== channels) throw new Error(`normalizeImage: ${what} has ${values.length} values for ${channels} channels`);
  return [...values];
}
