/**
 * Rotation by k·90°, counter-clockwise as displayed (y down), like `numpy.rot90(img, k)` on an
 * H×W array: k = 1 maps the top-left corner to the bottom-left, and (x, y) → (y, W − x).
 * Width and height swap for odd k. OBB angles shift by −k·π/2 and are re-normalised to le90.
 */
import { createChwImage, type ChwImage } from './chw-image.js';
import { flipImage } from './flip.js';
import { withGeometricStep, type Transform, type TransformItem } from './transform.js';
import type { Affine2D } from './affine.js';

export type Rot90K = 1 | 2 | 3;

/** Always rotates by k·90°. */
export function rot90(k: Rot90K): Transform {
  assertK(k);
  return { name: `rot90:${k}`, apply: (item) => rot90Item(item, k) };
}

export interface RandomRot90Options {
  /** Probability of rotating at all (default 0.5). */
  prob?: number;
  /** Multiples of 90° to choose from uniformly (default [1, 2, 3]). */
  ks?: readonly Rot90K[];
}

export function randomRot90(opts: RandomRot90Options = {}): Transform {
  const prob = opts.prob ?? 0.5;
  const ks = opts.ks ?? [1, 2, 3];
  if (ks.length === 0) throw new RangeError('randomRot90: ks is empty');
  ks.forEach(assertK);
  return {
    name: 'randomRot90',
    apply(item, rng) {
      const doRot = rng.chance(prob);
      const k = rng.pick(ks);
      return doRot ? rot90Item(item, k) : item;
    },
  };
}

export function rot90Item(item: TransformItem, k: Rot90K): TransformItem {
  const m = rot90Affine(item.image.width, item.image.height, k);
  return withGeometricStep(item, rot90Image(item.image, k), m, `rot90:${k}`);
}

/** The coordinate map of a k·90° rotation of a `w`×`h` image (shared with the fused loader path). */
export function rot90Affine(w: number, h: number, k: Rot90K): Affine2D {
  return k === 1 ? [0, 1, 0, -1, 0, w] : k === 2 ? [-1, 0, w, 0, -1, h] : [0, -1, h, 1, 0, 0];
}

export function rot90Image(img: ChwImage, k: Rot90K): ChwImage {
  if (k === 2) return flipImage(img, 'diagonal');
  const { width: w, height: h, channels, data } = img;
  // Output is h wide and w tall.
  const out = createChwImage(h, w, channels);
  for (let c = 0; c < channels; c++) {
    const base = c * w * h;
    for (let yo = 0; yo < w; yo++) {
      for (let xo = 0; xo < h; xo++) {
        // k=1: out(xo, yo) = src(x = w−1−yo, y = xo); k=3: out(xo, yo) = src(x = yo, y = h−1−xo).
        const s = k === 1 ? xo * w + (w - 1 - yo) : (h - 1 - xo) * w + yo;
        out.data[base + yo * h + xo] = data[base + s];
      }
    }
  }
  return out;
}

function assertK(k: number): void {
  if (k !== 1 && k !== 2 && k !== 3) throw new RangeError(`rot90: k must be 1, 2 or 3, got ${k}`);
}
