/**
 * Index plumbing shared by all protocols: the stable detection ranking and the buckets
 * "per class" and "per (class, image)" as CSR arrays (start offsets + item lists), so that a
 * protocol touches each detection and GT a constant number of times.
 */
import type { EvalDataset } from './types.js';

/** Items of bucket k are `items[start[k] .. start[k+1])`, in the order they were fed. */
export interface Buckets {
  start: Int32Array;
  items: Int32Array;
}

/**
 * Stable counting sort of `order` by `keys[item]` ∈ [0, nKeys). Keys are precomputed per item,
 * so the hot loops read a typed array (millions of detections, three times) instead of calling
 * a closure per item.
 */
export function bucketizeByKey(order: ArrayLike<number>, keys: Int32Array, nKeys: number): Buckets {
  const start = new Int32Array(nKeys + 1);
  for (let i = 0; i < order.length; i++) start[keys[order[i]] + 1]++;
  for (let k = 0; k < nKeys; k++) start[k + 1] += start[k];
  const fill = start.slice(0, nKeys);
  const items = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const item = order[i];
    items[fill[keys[item]]++] = item;
  }
  return { start, items };
}

/**
 * How equal scores are ordered:
 * - `image-then-input`: by image position in `images`, then input row (mmdet, mmrotate,
 *   pycocotools: they concatenate per-image lists in image order, then stable-sort by score);
 * - `input`: by input row only (DOTA devkit: line order of the Task1 file).
 * With detections grouped by image in image order (as every reader produces) both agree.
 */
export type TieOrder = 'image-then-input' | 'input';

/** Detection indices sorted by score descending, ties by `tieOrder` (deterministic, stable). */
export function rankDetections(ds: EvalDataset, tieOrder: TieOrder): Int32Array {
  const { scores, imageIndex } = ds.dets;
  const n = scores.length;
  let order: Int32Array = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Stable sort by score after a stable sort by image = (score, image, input) order.
  // (Readers give detections grouped by image in image order: then that sort is the identity.)
  if (tieOrder === 'image-then-input' && !nonDecreasing(imageIndex)) order = bucketizeByKey(order, imageIndex, ds.images.length).items;
  return stableSortByScoreDesc(scores, order);
}

function nonDecreasing(a: Int32Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) return false;
  return true;
}

/**
 * Stable LSD radix sort (4 passes of 16 bits) of `order` by descending float64 score: the
 * IEEE bits mapped to an order-preserving unsigned key, inverted for "descending". Linear
 * time: a comparator sort of 1M detections costs ~10× more.
 */
export function stableSortByScoreDesc(scores: Float64Array, order: Int32Array): Int32Array {
  const n = order.length;
  const bits = new Uint32Array(new Float64Array(1).buffer);
  const hi = new Uint32Array(scores.length);
  const lo = new Uint32Array(scores.length);
  const f = new Float64Array(bits.buffer);
  for (let i = 0; i < n; i++) {
    const d = order[i];
    f[0] = scores[d] + 0; // -0 → +0: equal scores must get equal keys
    let h = bits[1]; // little-endian (every platform Node runs on): word 1 = sign/exponent
    let l = bits[0];
    // order-preserving map: negative → flip all bits, positive → flip the sign bit
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    // descending: invert
    hi[d] = ~h >>> 0;
    lo[d] = ~l >>> 0;
  }
  // All four digit histograms in one pass over the keys (not one pass per digit).
  const counts = new Int32Array(4 * 65537);
  for (let i = 0; i < n; i++) {
    const d = order[i];
    const l = lo[d];
    const h = hi[d];
    counts[(l & 0xffff) + 1]++;
    counts[65537 + (l >>> 16) + 1]++;
    counts[2 * 65537 + (h & 0xffff) + 1]++;
    counts[3 * 65537 + (h >>> 16) + 1]++;
  }
  let src: Int32Array = order;
  let dst: Int32Array = new Int32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    const count = counts.subarray(pass * 65537, (pass + 1) * 65537);
    if (n === 0 || count[((key[src[0]] >>> shift) & 0xffff) + 1] === n) continue; // one digit value: pass is a no-op
    for (let b = 0; b < 65536; b++) count[b + 1] += count[b];
    for (let i = 0; i < n; i++) {
      const d = src[i];
      dst[count[(key[d] >>> shift) & 0xffff]++] = d;
    }
    const t = src;
    src = dst;
    dst = t === order ? new Int32Array(n) : t;
  }
  return src === order ? Int32Array.from(order) : src;
}

export interface ClassImageIndex {
  numClasses: number;
  numImages: number;
  /** Detections per class, in rank order. */
  detsByClass: Buckets;
  /** Detections per (class, image), key = class·numImages + image, in rank order. */
  detsByClassImage: Buckets;
  /** GTs per (class, image), key = class·numImages + image, in input (file) order. */
  gtsByClassImage: Buckets;
}

export function indexByClassImage(ds: EvalDataset, rank: Int32Array): ClassImageIndex {
  const numClasses = ds.classes.length;
  const numImages = ds.images.length;
  const { labels: dl, imageIndex: di } = ds.dets;
  const { labels: gl, imageIndex: gi } = ds.gts;
  const gtOrder = new Int32Array(gl.length);
  for (let i = 0; i < gtOrder.length; i++) gtOrder[i] = i;
  const detKey = new Int32Array(dl.length);
  for (let d = 0; d < dl.length; d++) detKey[d] = dl[d] * numImages + di[d];
  const gtKey = new Int32Array(gl.length);
  for (let g = 0; g < gl.length; g++) gtKey[g] = gl[g] * numImages + gi[g];
  return {
    numClasses,
    numImages,
    detsByClass: bucketizeByKey(rank, dl, numClasses),
    detsByClassImage: bucketizeByKey(rank, detKey, numClasses * numImages),
    gtsByClassImage: bucketizeByKey(gtOrder, gtKey, numClasses * numImages),
  };
}

/** Copies rows `idx[from..to)` of a row-major table into a new packed array. */
export function gatherRows(src: Float64Array, dim: number, idx: Int32Array, from: number, to: number): Float64Array {
  const out = new Float64Array((to - from) * dim);
  for (let r = from; r < to; r++) {
    const s = idx[r] * dim;
    const o = (r - from) * dim;
    for (let k = 0; k < dim; k++) out[o + k] = src[s + k];
  }
  return out;
}
