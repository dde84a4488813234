/**
 * Pad right/bottom to a fixed canvas (mmdet `Pad(size=…)`): the last step of the SOI-Det
 * pipeline, after flips, jitter and normalisation, so that augmentation never touches the
 * padding and padded pixels are exactly `value` (0 = the mean after normalisation).
 */
import { padImage } from './resize-pad.js';
import { withGeometricStep, type Transform } from './transform.js';

export interface PadOptions {
  width: number;
  height: number;
  /** Fill value (default 0). */
  value?: number;
}

export function pad(opts: PadOptions): Transform {
  const { width, height } = opts;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`pad: width and height must be positive integers, got ${width}×${height}`);
  }
  return {
    name: 'pad',
    apply(item) {
      const { width: w, height: h } = item.image;
      if (w > width || h > height) throw new RangeError(`pad: canvas ${width}×${height} is smaller than the image ${w}×${h} (sample ${item.sample.id})`);
      const out = padImage(item.image, width, height, opts.value ?? 0);
      return withGeometricStep(item, out, [1, 0, 0, 0, 1, 0], 'pad', { padRight: width - w, padBottom: height - h });
    },
  };
}
