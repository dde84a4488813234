/**
 * Flips. `horizontal` mirrors x, `vertical` mirrors y, `diagonal` does both (a 180° turn;
 * mmrotate's name for it). OBB angles change sign under a single mirror and are
 * re-normalised to le90 by the box map.
 */
import { createChwImage, type ChwImage } from './chw-image.js';
import { withGeometricStep, type Transform, type TransformItem } from './transform.js';
import type { Affine2D } from './affine.js';

export type FlipDirection = 'horizontal' | 'vertical' | 'diagonal';

export const FLIP_DIRECTIONS: readonly FlipDirection[] = ['horizontal', 'vertical', 'diagonal'];

/** Always flips in `direction`. */
export function flip(direction: FlipDirection): Transform {
  assertDirection(direction);
  return { name: `flip:${direction}`, apply: (item) => flipItem(item, direction) };
}

export interface RandomFlipOptions {
  /** Probability of flipping at all (default 0.5). */
  prob?: number;
  /** Directions to choose from uniformly when flipping (default: horizontal only). */
  directions?: readonly FlipDirection[];
}

/** Flips with probability `prob`, in a direction drawn uniformly from `directions`. */
export function randomFlip(opts: RandomFlipOptions = {}): Transform {
  const prob = opts.prob ?? 0.5;
  const directions = opts.directions ?? ['horizontal'];
  if (directions.length === 0) throw new RangeError('randomFlip: directions is empty');
  directions.forEach(assertDirection);
  return {
    name: 'randomFlip',
    apply(item, rng) {
      // Draw both numbers every time so later steps see the same rng stream either way.
      const doFlip = rng.chance(prob);
      const direction = rng.pick(directions);
      return doFlip ? flipItem(item, direction) : item;
    },
  };
}

export function flipItem(item: TransformItem, direction: FlipDirection): TransformItem {
  const m = flipAffine(item.image.width, item.image.height, direction);
  return withGeometricStep(item, flipImage(item.image, direction), m, `flip:${direction}`);
}

/** The coordinate map of a flip of a `w`×`h` image (shared with the fused loader path). */
export function flipAffine(w: number, h: number, direction: FlipDirection): Affine2D {
  const mx = direction !== 'vertical';
  const my = direction !== 'horizontal';
  return [mx ? -1 : 1, 0, mx ? w : 0, 0, my ? -1 : 1, my ? h : 0];
}

export function flipImage(img: ChwImage, direction: FlipDirection): ChwImage {
  const { width: w, height: h, channels, data } = img;
  const out = createChwImage(w, h, channels);
  const mx = direction !== 'vertical';
  const my = direction !== 'horizontal';
  for (let c = 0; c < channels; c++) {
    const base = c * w * h;
    for (let y = 0; y < h; y++) {
      const sy = my ? h - 1 - y : y;
      const s = base + sy * w;
      const d = base + y * w;
      if (!mx) {
        out.data.set(data.subarray(s, s + w), d);
        continue;
      }
      for (let x = 0; x < w; x++) out.data[d + x] = data[s + w - 1 - x];
    }
  }
  return out;
}

function assertDirection(d: FlipDirection): void {
  if (!FLIP_DIRECTIONS.includes(d)) throw new RangeError(`flip: unknown direction '${d}', expected one of ${FLIP_DIRECTIONS.join(', ')}`);
}
