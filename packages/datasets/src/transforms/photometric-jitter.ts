/**
 * Colour jitter for RGB only (brightness, contrast, saturation, torchvision ColorJitter
 * semantics, fixed order). SAR and IR pass through untouched: SAR intensities carry physical
 * meaning (speckle statistics, calibrated backscatter) and IR is thermal, so colour jitter
 * would teach the model wrong invariances for them.
 */
import type { Transform, TransformItem } from './transform.js';
import type { Prng } from '../sampling/prng.js';

export interface PhotometricJitterOptions {
  /** Factor drawn from [1 − b, 1 + b] (default 0.2). */
  brightness?: number;
  /** Factor drawn from [1 − c, 1 + c] (default 0.2). */
  contrast?: number;
  /** Factor drawn from [1 − s, 1 + s] (default 0.2). */
  saturation?: number;
  /** Output is clamped to [0, maxValue] (default 255, the 8-bit range). */
  maxValue?: number;
}

export function photometricJitter(opts: PhotometricJitterOptions = {}): Transform {
  const b = opts.brightness ?? 0.2;
  const c = opts.contrast ?? 0.2;
  const s = opts.saturation ?? 0.2;
  const maxValue = opts.maxValue ?? 255;
  for (const [k, v] of [['brightness', b], ['contrast', c], ['saturation', s]] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`photometricJitter: ${k} must be in [0, 1], got ${v}`);
  }
  return {
    name: 'photometricJitter',
    apply(item, rng) {
      // Non-RGB: no draw at all, so adding jitter to a mixed pipeline never changes SAR/IR results.
      if (item.sample.modality !== 'rgb' || item.image.channels !== 3) return item;
      const factors = { brightness: draw(rng, b), contrast: draw(rng, c), saturation: draw(rng, s) };
      return jitterRgb(item, factors, maxValue);
    },
  };
}

function draw(rng: Prng, amount: number): number {
  return rng.uniform(1 - amount, 1 + amount);
}

/** Applies fixed factors (exposed for tests and for deterministic previews). */
export function jitterRgb(item: TransformItem, f: { brightness: number; contrast: number; saturation: number }, maxValue = 255): TransformItem {
  const { width, height } = item.image;
  const n = width * height;
  const src = item.image.data;
  const out = new Float32Array(src.length);
  const { brightness: b, contrast: c, saturation: s } = f;
  // Contrast blends towards the mean grey level (ITU-R 601 luma) of the brightened image.
  let meanGray = 0;
  for (let i = 0; i < n; i++) {
    meanGray += 0.299 * clamp(src[i] * b, maxValue) + 0.587 * clamp(src[n + i] * b, maxValue) + 0.114 * clamp(src[2 * n + i] * b, maxValue);
  }
  meanGray /= n;
  const m = meanGray * (1 - c);
  // One fused pass: brightness, contrast, then saturation towards each pixel's own grey level.
  for (let i = 0; i < n; i++) {
    const r = clamp(m + c * clamp(src[i] * b, maxValue), maxValue);
    const g = clamp(m + c * clamp(src[n + i] * b, maxValue), maxValue);
    const bl = clamp(m + c * clamp(src[2 * n + i] * b, maxValue), maxValue);
    const gray = 0.299 * r + 0.587 * g + 0.114 * bl;
    const k = gray * (1 - s);
    out[i] = clamp(k + s * r, maxValue);
    out[n + i] = clamp(k + s * g, maxValue);
    out[2 * n + i] = clamp(k + s * bl, maxValue);
  }
  return { ...item, image: { ...item.image, data: out }, geometry: { ...item.geometry, applied: [...item.geometry.applied, 'photometricJitter'] } };
}

function clamp(v: number, hi: number): number {
  return v < 0 ? 0 : v > hi ? hi : v;
}
