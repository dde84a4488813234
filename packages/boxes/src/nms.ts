// Greedy non-maximum suppression (torchvision nms / batched_nms semantics): visit boxes by
// descending score, keep a box, suppress every later box whose IoU with it is > iouThr.
// Ties in score are broken by input index (earlier first), so results are deterministic.
import { BoxesError, checkedRows, assertFinite } from './errors.js';
import { prepareObbs, quadOverlap } from './rotated-iou.js';
import type { BatchedNmsOptions, NmsOptions } from './types.js';

type PairOverlap = (i: number, j: number) => number;

function checkOptions(fn: string, n: number, scores: ArrayLike<number>, iouThr: number, opts: NmsOptions): void {
  if (scores.length !== n) throw new BoxesError(`${fn}: scores has length ${scores.length}, expected ${n} (one per box)`);
  assertFinite(scores, 1, fn, 'scores');
  if (!Number.isFinite(iouThr)) throw new BoxesError(`${fn}: iouThr is ${iouThr}, expected a finite number`);
  if (opts.topK !== undefined && !(Number.isInteger(opts.topK) && opts.topK >= 0)) {
    throw new BoxesError(`${fn}: topK is ${opts.topK}, expected a non-negative integer`);
  }
  if (opts.scoreThr !== undefined && Number.isNaN(opts.scoreThr)) throw new BoxesError(`${fn}: scoreThr is NaN`);
}

/** Indices with score > scoreThr, by descending score, ties by ascending index. */
function scoreOrder(scores: ArrayLike<number>, scoreThr: number | undefined): number[] {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scoreThr === undefined || scores[i] > scoreThr) idx.push(i);
  return idx.sort((a, b) => scores[b] - scores[a] || a - b);
}

/** Greedy suppression over `order` (already sorted); stops after `limit` keeps. */
function greedy(order: number[], overlap: PairOverlap, iouThr: number, limit: number): number[] {
  const suppressed = new Uint8Array(order.length);
  const kept: number[] = [];
  for (let p = 0; p < order.length && kept.length < limit; p++) {
    if (suppressed[p]) continue;
    const i = order[p];
    kept.push(i);
    for (let q = p + 1; q < order.length; q++) {
      if (!suppressed[q] && overlap(i, order[q]) > iouThr) suppressed[q] = 1;
    }
  }
  return kept;
}

function hbbOverlapFn(boxes: ArrayLike<number>): PairOverlap {
  const n = boxes.length / 4;
  const area = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    area[i] = Math.max(0, boxes[i * 4 + 2] - boxes[i * 4]) * Math.max(0, boxes[i * 4 + 3] - boxes[i * 4 + 1]);
  }
  return (i, j) => {
    const iw = Math.min(boxes[i * 4 + 2], boxes[j * 4 + 2]) - Math.max(boxes[i * 4], boxes[j * 4]);
    const ih = Math.min(boxes[i * 4 + 3], boxes[j * 4 + 3]) - Math.max(boxes[i * 4 + 1], boxes[j * 4 + 1]);
    if (iw <= 0 || ih <= 0) return 0;
    const inter = iw * ih;
    const union = area[i] + area[j] - inter;
    return union > 0 ? inter / union : 0;
  };
}

function rotatedOverlapFn(boxes: ArrayLike<number>, fn: string): PairOverlap {
  const q = prepareObbs(boxes, fn, 'boxes');
  return (i, j) => quadOverlap(q, i, q, j, false);
}

/**
 * Non-maximum suppression of horizontal boxes.
 * @param boxes N×4 xyxy
 * @param scores N
 * @param iouThr suppress a box whose IoU with a kept box is > iouThr
 * @returns Int32Array of kept indices, by descending score (ties: earlier index first).
 */
export function nms(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThr: number, opts: NmsOptions = {}): Int32Array {
  const n = checkedRows(boxes, 4, 'nms', 'boxes');
  checkOptions('nms', n, scores, iouThr, opts);
  const kept = greedy(scoreOrder(scores, opts.scoreThr), hbbOverlapFn(boxes), iouThr, opts.topK ?? Infinity);
  return Int32Array.from(kept);
}

/**
 * Non-maximum suppression of rotated boxes with exact rotated IoU.
 * @param boxes N×5 (cx, cy, w, h, θ rad)
 * @returns Int32Array of kept indices, by descending score (ties: earlier index first).
 */
export function rotatedNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThr: number, opts: NmsOptions = {}): Int32Array {
  const n = checkedRows(boxes, 5, 'rotatedNms', 'boxes');
  checkOptions('rotatedNms', n, scores, iouThr, opts);
  const overlap = rotatedOverlapFn(boxes, 'rotatedNms');
  return Int32Array.from(greedy(scoreOrder(scores, opts.scoreThr), overlap, iouThr, opts.topK ?? Infinity));
}

/**
 * NMS per class: boxes of different classes never suppress each other (unless
 * `classAgnostic`). scoreThr and topK apply to the merged result.
 * @param boxes N×4 xyxy, or N×5 OBBs with `rotated: true`
 * @param classIds N class labels (any numbers; compared by value)
 * @returns Int32Array of kept indices over all classes, by descending score (ties: index).
 */
export function batchedNms(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  classIds: ArrayLike<number>,
  iouThr: number,
  opts: BatchedNmsOptions = {},
): Int32Array {
  const stride = opts.rotated ? 5 : 4;
  const n = checkedRows(boxes, stride, 'batchedNms', 'boxes');
  checkOptions('batchedNms', n, scores, iouThr, opts);
  if (classIds.length !== n) throw new BoxesError(`batchedNms: classIds has length ${classIds.length}, expected ${n} (one per box)`);
  assertFinite(classIds, 1, 'batchedNms', 'classIds');
  const overlap = opts.rotated ? rotatedOverlapFn(boxes, 'batchedNms') : hbbOverlapFn(boxes);
  const order = scoreOrder(scores, opts.scoreThr);
  const limit = opts.topK ?? Infinity;
  if (opts.classAgnostic) return Int32Array.from(greedy(order, overlap, iouThr, limit));
  // Split the global order by class (each part stays sorted), suppress within each class.
  const byClass = new Map<number, number[]>();
  for (const i of order) {
    const list = byClass.get(classIds[i]);
    if (list) list.push(i);
    else byClass.set(classIds[i], [i]);
  }
  const keptFlag = new Uint8Array(n);
  // A class can contribute at most `limit` boxes to the global top-`limit`, so cap each.
  for (const list of byClass.values()) for (const i of greedy(list, overlap, iouThr, limit)) keptFlag[i] = 1;
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= limit) break;
    if (keptFlag[i]) kept.push(i);
  }
  return Int32Array.from(kept);
}

