// Cross-modal concept retrieval, the alignment claim made measurable: each object's feature is
// the mean of the ViT tokens whose patch centre lies inside its box; concept prototypes are the
// mean (L2-normalised) features of one modality's objects per concept. For a direction A → B,
// every object of A whose concept B also has is matched (cosine) against ALL of B's
// prototypes; top-1 accuracy is the share matched to its own concept. Six directions for
// SAR/RGB/IR. A shared encoder that maps "ship" alike in every sensor scores high.
import * as tf from '@tensorflow/tfjs';
import type { Modality } from '@babelrs/datasets';
import type { ViT } from '@babelrs/vit-backbone';
import { CsiaInputError } from '../errors.js';

/** One object to embed: its image ([3, H, W] normalised), modality, concept and box in pixels. */
export interface RetrievalImage {
  modality: Modality;
  pixels: Float32Array;
  size: number;
  objects: readonly { concept: string; hbb: readonly [number, number, number, number] | readonly number[] }[];
}

export interface RetrievalDirection {
  query: Modality;
  gallery: Modality;
  /** Query objects whose concept the gallery modality has. */
  n: number;
  correct: number;
  top1: number;
  /** 1 / number of gallery prototypes. */
  chance: number;
  /** Concepts of the gallery's prototypes. */
  prototypes: string[];
}

export interface CrossModalRetrievalResult {
  directions: RetrievalDirection[];
  /** Mean top-1 over the directions that have queries. */
  meanTop1: number;
  meanChance: number;
  objects: Record<Modality, number>;
}

export interface CrossModalRetrievalOptions {
  /** ViT block whose tokens are pooled (default: the last, −1). */
  block?: number;
  /** Images per forward pass (default 16). */
  batchSize?: number;
}

/** Pooled ViT features of every object: [objects × D] with modality and concept. */
export function objectFeatures(vit: ViT, images: readonly RetrievalImage[], opts: CrossModalRetrievalOptions = {}): { features: Float32Array[]; modality: Modality[]; concept: string[] } {
  const block = opts.block ?? -1;
  const bs = opts.batchSize ?? 16;
  const features: Float32Array[] = [];
  const modality: Modality[] = [];
  const concept: string[] = [];
  const p = vit.config.patchSize;
  for (let i = 0; i < images.length; i += bs) {
    const chunk = images.slice(i, i + bs);
    const size = chunk[0].size;
    if (chunk.some((im) => im.size !== size)) throw new CsiaInputError('objectFeatures: images of one batch must share a size');
    const data = new Float32Array(chunk.length * 3 * size * size);
    chunk.forEach((im, k) => data.set(im.pixels, k * 3 * size * size));
    const tokens = tf.tidy(() => {
      const x = tf.tensor4d(data, [chunk.length, 3, size, size]);
      const { taps } = vit.forwardTaps(x, [block]);
      return taps[0].arraySync() as number[][][]; // [B, N, D]
    });
    const gw = size / p;
    chunk.forEach((im, k) => {
      for (const o of im.objects) {
        const [x1, y1, x2, y2] = o.hbb;
        const cells: number[] = [];
        for (let gy = 0; gy < gw; gy++) {
          for (let gx = 0; gx < gw; gx++) {
            const cx = (gx + 0.5) * p;
            const cy = (gy + 0.5) * p;
            if (cx >= x1 && cx <= x2 && cy >= y1 && cy <= y2) cells.push(gy * gw + gx);
          }
        }
        // A box smaller than a patch: the patch holding its centre.
        if (cells.length === 0) {
          const gx = Math.min(gw - 1, Math.max(0, Math.floor((x1 + x2) / 2 / p)));
          const gy = Math.min(gw - 1, Math.max(0, Math.floor((y1 + y2) / 2 / p)));
          cells.push(gy * gw + gx);
        }
        const d = tokens[k][0].length;
        const f = new Float32Array(d);
        for (const c of cells) for (let j = 0; j < d; j++) f[j] += tokens[k][c][j] / cells.length;
        features.push(f);
        modality.push(im.modality);
        concept.push(o.concept);
      }
    });
  }
  return { features, modality, concept };
}

/** Top-1 concept retrieval in all six directions between the modalities present. */
export function crossModalRetrieval(vit: ViT, images: readonly RetrievalImage[], opts: CrossModalRetrievalOptions = {}): CrossModalRetrievalResult {
  const { features, modality, concept } = objectFeatures(vit, images, opts);
  const unit = features.map(normalise);
  const mods = [...new Set(modality)];
  const protos = new Map<Modality, Map<string, Float32Array>>();
  for (const m of mods) {
    const sums = new Map<string, Float32Array>();
    unit.forEach((f, i) => {
      if (modality[i] !== m) return;
      const s = sums.get(concept[i]) ?? new Float32Array(f.length);
      for (let j = 0; j < f.length; j++) s[j] += f[j];
      sums.set(concept[i], s);
    });
    protos.set(m, new Map([...sums].map(([c, s]) => [c, normalise(s)])));
  }
  const directions: RetrievalDirection[] = [];
  for (const q of mods) {
    for (const g of mods) {
      if (q === g) continue;
      const gallery = protos.get(g)!;
      const names = [...gallery.keys()].sort();
      let n = 0;
      let correct = 0;
      unit.forEach((f, i) => {
        if (modality[i] !== q || !gallery.has(concept[i])) return;
        n++;
        let best = '';
        let bestSim = -Infinity;
        for (const name of names) {
          const s = dot(f, gallery.get(name)!);
          if (s > bestSim) [best, bestSim] = [name, s];
        }
        if (best === concept[i]) correct++;
      });
      directions.push({ query: q, gallery: g, n, correct, top1: n ? correct / n : Number.NaN, chance: 1 / names.length, prototypes: names });
    }
  }
  const used = directions.filter((d) => d.n > 0);
  const objects = { sar: 0, rgb: 0, ir: 0 } as Record<Modality, number>;
  for (const m of modality) objects[m]++;
  return {
    directions,
    meanTop1: used.reduce((a, d) => a + d.top1, 0) / Math.max(1, used.length),
    meanChance: used.reduce((a, d) => a + d.chance, 0) / Math.max(1, used.length),
    objects,
  };
}

function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
  return v.map((x) => x * inv);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
