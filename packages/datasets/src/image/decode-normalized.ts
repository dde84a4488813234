/**
 * Decode and normalise in one typed pass: the decoder's interleaved uint8 / uint16 samples go
 * straight to normalised CHW float32, with no intermediate float image. For 8-bit sources each
 * channel's 256 possible outputs are computed once (a lookup table). The values are exactly
 * `normalizeImage(await decodeImage(source), config)`'s: the same `(x − mean) · (1 / std)` in
 * double precision, rounded once to float32 (tests compare every bit).
 */
import { decodeInterleaved, type InterleavedImage } from './decode-interleaved.js';
import type { ImageLimits } from './image-limits.js';
import { adaptChannels, normalizationCoefficients, type NormalizationConfig, type NormalizedImage } from './normalize.js';

/** `normalizeImage(await decodeImage(source, name, limits), config)`, in one pass. */
export async function decodeNormalized(source: string | Uint8Array, config: NormalizationConfig, name = typeof source === 'string' ? source : '<buffer>', limits: ImageLimits = {}): Promise<NormalizedImage> {
  return normalizeInterleaved(await decodeInterleaved(source, name, limits), config);
}

/** Normalises decoder output (any layout) to CHW float32, channels adapted as `normalizeImage` does. */
export function normalizeInterleaved(img: InterleavedImage, config: NormalizationConfig): NormalizedImage {
  const { width, height, channels } = img;
  const plane = width * height;
  const k = normalizationCoefficients(channels, config);
  if (k.channels < channels) {
    // k → 1 averages in float32 first: rare enough to take the step-wise route.
    const chw = img.layout === 'chw' ? (img.data as Float32Array) : interleavedToChw(img);
    const avg = adaptChannels(chw, plane, channels, 1);
    const out = new Float32Array(plane);
    for (let i = 0; i < plane; i++) out[i] = (avg[i] - k.mean[0]) * k.inv[0];
    return { data: out, width, height, channels: 1 };
  }
  const out = new Float32Array(k.channels * plane);
  const sx = img.layout === 'hwc' ? channels : 1;
  const sc = img.layout === 'hwc' ? 1 : plane;
  const lut = img.data instanceof Uint8Array ? new Float32Array(256) : null;
  for (let p = 0; p < k.channels; p++) {
    const c = channels === 1 ? 0 : p; // 1 → k repeats the channel
    const mean = k.mean[p];
    const inv = k.inv[p];
    const o = p * plane;
    const base = c * sc;
    if (lut) {
      for (let v = 0; v < 256; v++) lut[v] = (v - mean) * inv;
      const src = img.data as Uint8Array;
      for (let i = 0; i < plane; i++) out[o + i] = lut[src[base + i * sx]];
    } else {
      const src = img.data;
      for (let i = 0; i < plane; i++) out[o + i] = (src[base + i * sx] - mean) * inv;
    }
  }
  return { data: out, width, height, channels: k.channels };
}

function interleavedToChw(img: InterleavedImage): Float32Array {
  const { width, height, channels, data } = img;
  const plane = width * height;
  const out = new Float32Array(plane * channels);
  for (let i = 0; i < plane; i++) for (let c = 0; c < channels; c++) out[c * plane + i] = data[i * channels + c];
  return out;
}
