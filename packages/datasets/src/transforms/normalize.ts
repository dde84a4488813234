/**
 * Per-modality normalisation as a pipeline step: `(x − mean) / std` per channel with the
 * modality's statistics, and channel adaptation (SAR/IR 1 → 3 for an RGB-shaped backbone).
 * Place it after photometric jitter (which works in 0–255 units) and before `pad`.
 */
import { DEFAULT_NORMALIZATION, normalizeImage, type NormalizationConfig } from '../image/index.js';
import type { Modality } from '../sample.js';
import type { Transform } from './transform.js';

export interface NormalizeOptions {
  /** Statistics per modality (default `DEFAULT_NORMALIZATION`: ImageNet for RGB, grey for SAR/IR). */
  config?: Partial<Record<Modality, NormalizationConfig>>;
  /** Channels every output has (e.g. 3 for an RGB-pretrained patch embed); default: keep. */
  outChannels?: number;
}

export function normalize(opts: NormalizeOptions = {}): Transform {
  return {
    name: 'normalize',
    apply(item) {
      const base = opts.config?.[item.sample.modality] ?? DEFAULT_NORMALIZATION[item.sample.modality];
      const config = opts.outChannels === undefined ? base : { ...base, outChannels: opts.outChannels };
      const image = normalizeImage(item.image, config);
      return { ...item, image, geometry: { ...item.geometry, applied: [...item.geometry.applied, 'normalize'] } };
    },
  };
}
