/**
 * `coco`: pycocotools 2.0.11 `COCOeval` with `iouType='bbox'`, on HBB geometry.
 *
 * Rules reproduced (see metrics-cases README §4.4): IoU .50:.05:.95 (`np.linspace`), 101 recall
 * points, maxDets 1/10/100 (per image and class, after a stable score sort), area ranges with
 * inclusive bounds (an area of exactly 1024 is both small and medium), crowd GTs matched by
 * IoF (intersection over the detection's area) and never counted as positives, a detection
 * takes the best remaining GT (so a duplicate can fall back to a second-best GT), classes
 * without positives left out of every mean (pycocotools' −1; reported here as NaN).
 */
import { gatherRows, indexByClassImage, rankDetections } from '../grouping.js';
import { pairwiseIoU } from '../pairwise-iou.js';
import { MetricsInputError } from '../errors.js';
import type { ClassResult, CocoStats, EvalDataset, ProtocolResult } from '../types.js';

/** `np.linspace(.5, .95, 10)` bit for bit (the 9th value is 0.8999999999999999). */
export const COCO_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => (i === 9 ? 0.95 : i * ((0.95 - 0.5) / 9) + 0.5));
/** `np.linspace(0, 1, 101)`: k · 0.01 (e.g. 0.35000000000000003). */
export const COCO_RECALL_THRESHOLDS: readonly number[] = Array.from({ length: 101 }, (_, k) => (k === 100 ? 1 : k * 0.01));
export const COCO_MAX_DETS: readonly number[] = [1, 10, 100];
/** Area ranges all, small, medium, large; bounds inclusive on both sides. */
export const COCO_AREA_RANGES: readonly (readonly [number, number])[] = [
  [0, 1e10],
  [0, 1024],
  [1024, 9216],
  [9216, 1e10],
];

const T = COCO_IOU_THRESHOLDS.length;
const A = COCO_AREA_RANGES.length;
const MAX_DET = 100;
/** Outcome codes of one detection at one (area range, threshold). */
const FP = 0;
const TP = 1;
const IGNORED = 2;

interface CocoClassEval {
  /** Detections of the class in rank order that survive the per-image top-100 cut. */
  numDets: number;
  /** Position of each of those detections inside its image (for the maxDets 1/10 cuts). */
  rankInImage: Int32Array;
  /** [A][T][numDets] outcome codes. */
  codes: Uint8Array;
  /** [A] positives (non-ignored GTs) per area range. */
  npig: Int32Array;
  numCrowd: number;
}

function boxArea(b: Float64Array, i: number): number {
  return (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
}

export function evaluateCoco(ds: EvalDataset): ProtocolResult {
  if (ds.geometry !== 'hbb') throw new MetricsInputError('geometry', `the coco protocol needs HBB boxes, got ${ds.geometry}`);
  const rank = rankDetections(ds, 'image-then-input');
  const idx = indexByClassImage(ds, rank);
  const pos: DetPositions = { rankInImage: new Int32Array(rank.length), posInClass: new Int32Array(rank.length) };
  const { start, items } = idx.detsByClassImage;
  for (let key = 0; key < start.length - 1; key++) for (let p = start[key]; p < start[key + 1]; p++) pos.rankInImage[items[p]] = p - start[key];
  const perClassEval: CocoClassEval[] = [];
  const scratch = new Scratch();
  for (let c = 0; c < idx.numClasses; c++) perClassEval.push(evaluateClass(ds, idx, c, pos, scratch));
  return accumulate(ds, perClassEval);
}

/** Per-group work arrays, grown on demand and reused (millions of tiny allocations otherwise). */
class Scratch {
  gCrowd = new Uint8Array(16);
  gArea = new Float64Array(16);
  gIg = new Uint8Array(16);
  gtm = new Uint8Array(16);
  order = new Int32Array(16);
  dArea = new Float64Array(16);
  detPos = new Int32Array(16);
  rowMax = new Float64Array(16);

  ensure(G: number, D: number): void {
    if (G > this.gCrowd.length) {
      const n = Math.max(G, 2 * this.gCrowd.length);
      this.gCrowd = new Uint8Array(n);
      this.gArea = new Float64Array(n);
      this.gIg = new Uint8Array(n);
      this.gtm = new Uint8Array(n);
      this.order = new Int32Array(n);
    }
    if (D > this.dArea.length) {
      const n = Math.max(D, 2 * this.dArea.length);
      this.dArea = new Float64Array(n);
      this.detPos = new Int32Array(n);
      this.rowMax = new Float64Array(n);
    }
  }
}

interface DetPositions {
  /** Position of each detection inside its (class, image) group in rank order. */
  rankInImage: Int32Array;
  /** Position of each kept detection inside its class's kept list (scratch, per class). */
  posInClass: Int32Array;
}

function evaluateClass(ds: EvalDataset, idx: ReturnType<typeof indexByClassImage>, c: number, pos: DetPositions, scratch: Scratch): CocoClassEval {
  const crowd = ds.gts.crowd ?? ds.gts.difficult;
  // Keep, in rank order, only each image's top-100 detections (pycocotools truncates per image).
  const { start: cs, items: classDets } = idx.detsByClass;
  let numDets = 0;
  for (let p = cs[c]; p < cs[c + 1]; p++) if (pos.rankInImage[classDets[p]] < MAX_DET) numDets++;
  const rankInImage = new Int32Array(numDets);
  let q = 0;
  for (let p = cs[c]; p < cs[c + 1]; p++) {
    const d = classDets[p];
    if (pos.rankInImage[d] >= MAX_DET) continue;
    pos.posInClass[d] = q;
    rankInImage[q++] = pos.rankInImage[d];
  }
  const codes = new Uint8Array(A * T * numDets);
  const npig = new Int32Array(A);
  let numCrowd = 0;
  for (let im = 0; im < idx.numImages; im++) {
    const key = c * idx.numImages + im;
    const g0 = idx.gtsByClassImage.start[key];
    const G = idx.gtsByClassImage.start[key + 1] - g0;
    const d0 = idx.detsByClassImage.start[key];
    const D = Math.min(idx.detsByClassImage.start[key + 1] - d0, MAX_DET);
    if (G === 0 && D === 0) continue;
    const gIdx = idx.gtsByClassImage.items.subarray(g0, g0 + G);
    const dIdx = idx.detsByClassImage.items.subarray(d0, d0 + D);
    if (G === 0) {
      // No GT: every kept detection is an FP, or ignored when its area is outside the range.
      for (let i = 0; i < D; i++) {
        const p = pos.posInClass[dIdx[i]];
        const area = ds.dets.area ? ds.dets.area[dIdx[i]] : boxArea(ds.dets.boxes, dIdx[i]);
        for (let a = 0; a < A; a++) {
          const code = area < COCO_AREA_RANGES[a][0] || area > COCO_AREA_RANGES[a][1] ? IGNORED : FP;
          for (let t = 0; t < T; t++) codes[(a * T + t) * numDets + p] = code;
        }
      }
      continue;
    }
    scratch.ensure(G, D);
    const { gCrowd, gArea, dArea, detPos, rowMax, gIg } = scratch;
    for (let j = 0; j < G; j++) {
      gCrowd[j] = crowd[gIdx[j]];
      gArea[j] = ds.gts.area ? ds.gts.area[gIdx[j]] : boxArea(ds.gts.boxes, gIdx[j]);
      if (gCrowd[j]) numCrowd++;
    }
    for (let i = 0; i < D; i++) dArea[i] = ds.dets.area ? ds.dets.area[dIdx[i]] : boxArea(ds.dets.boxes, dIdx[i]);
    const iou = cocoIoU(ds, dIdx, gIdx, gCrowd);
    for (let i = 0; i < D; i++) {
      detPos[i] = pos.posInClass[dIdx[i]];
      rowMax[i] = -Infinity;
      for (let j = 0; j < G; j++) if (iou[i * G + j] > rowMax[i]) rowMax[i] = iou[i * G + j];
    }
    for (let a = 0; a < A; a++) {
      const [lo, hi] = COCO_AREA_RANGES[a];
      for (let j = 0; j < G; j++) {
        gIg[j] = gCrowd[j] || gArea[j] < lo || gArea[j] > hi ? 1 : 0;
        if (!gIg[j]) npig[a]++;
      }
      matchImage(iou, D, G, scratch, lo, hi, codes, a, numDets);
    }
  }
  return { numDets, rankInImage, codes, npig, numCrowd };
}

/**
 * [D, G] pycocotools `maskUtils.iou(dt, gt, iscrowd)` (`bbIou` in maskApi.c) operation for
 * operation: the intersection from the xyxy corners (x + w, as pycocotools forms them), the
 * union from w·h of each box (`boxArea`, exact for COCO input) — not (x2 − x1)·(y2 − y1), which
 * can differ in the last bit and flip a detection at a threshold; crowd GTs: intersection over
 * the detection's area.
 */
function cocoIoU(ds: EvalDataset, dIdx: Int32Array, gIdx: Int32Array, gCrowd: Uint8Array): Float64Array {
  const D = dIdx.length;
  const G = gIdx.length;
  const out = new Float64Array(D * G);
  const db = ds.dets.boxes;
  const gb = ds.gts.boxes;
  const dA = ds.dets.boxArea;
  const gA = ds.gts.boxArea;
  for (let i = 0; i < D; i++) {
    const d = dIdx[i];
    const dx1 = db[4 * d];
    const dy1 = db[4 * d + 1];
    const dx2 = db[4 * d + 2];
    const dy2 = db[4 * d + 3];
    const da = dA ? dA[d] : (dx2 - dx1) * (dy2 - dy1);
    for (let j = 0; j < G; j++) {
      const g = gIdx[j];
      const w = Math.min(dx2, gb[4 * g + 2]) - Math.max(dx1, gb[4 * g]);
      if (w <= 0) continue;
      const h = Math.min(dy2, gb[4 * g + 3]) - Math.max(dy1, gb[4 * g + 1]);
      if (h <= 0) continue;
      const inter = w * h;
      const u = gCrowd[j] ? da : da + (gA ? gA[g] : (gb[4 * g + 2] - gb[4 * g]) * (gb[4 * g + 3] - gb[4 * g + 1])) - inter;
      out[i * G + j] = inter / u;
    }
  }
  return out;
}

/** pycocotools `evaluateImg` for one (image, class, area range), all thresholds. */
function matchImage(iou: Float64Array, D: number, G: number, s: Scratch, lo: number, hi: number, codes: Uint8Array, a: number, numDets: number): void {
  const { gIg, gCrowd, dArea, detPos, rowMax, order, gtm } = s;
  // GTs visited non-ignored first, each group in file order (stable mergesort on the flag).
  let n = 0;
  for (let j = 0; j < G; j++) if (!gIg[j]) order[n++] = j;
  for (let j = 0; j < G; j++) if (gIg[j]) order[n++] = j;
  for (let t = 0; t < T; t++) {
    gtm.fill(0, 0, G);
    const base = (a * T + t) * numDets;
    const thr = Math.min(COCO_IOU_THRESHOLDS[t], 1 - 1e-10);
    for (let i = 0; i < D; i++) {
      let m = -1;
      // Shortcut, same result: no GT at all reaches the threshold.
      if (rowMax[i] >= thr) {
        let best = thr;
        const row = i * G;
        for (let q = 0; q < G; q++) {
          const j = order[q];
          if (gtm[j] && !gCrowd[j]) continue;
          // Once a real GT is matched, ignored GTs cannot take the detection away.
          if (m > -1 && !gIg[m] && gIg[j]) break;
          const v = iou[row + j];
          if (v < best) continue;
          best = v;
          m = j;
        }
      }
      let code: number;
      if (m === -1) code = dArea[i] < lo || dArea[i] > hi ? IGNORED : FP;
      else {
        gtm[m] = 1;
        code = gIg[m] ? IGNORED : TP;
      }
      codes[base + detPos[i]] = code;
    }
  }
}

interface Accumulated {
  /** [T][K][A][M][R] precision, −1 = class skipped. */
  precision: Float64Array;
  /** [T][K][A][M] recall, −1 = class skipped. */
  recall: Float64Array;
}

function accumulate(ds: EvalDataset, evals: CocoClassEval[]): ProtocolResult {
  const K = evals.length;
  const M = COCO_MAX_DETS.length;
  const R = COCO_RECALL_THRESHOLDS.length;
  const acc: Accumulated = { precision: new Float64Array(T * K * A * M * R).fill(-1), recall: new Float64Array(T * K * A * M).fill(-1) };
  for (let k = 0; k < K; k++) {
    const e = evals[k];
    // Positions (rank order) of the detections within each maxDets cut.
    const included = COCO_MAX_DETS.map((maxDet) => {
      const out: number[] = [];
      for (let p = 0; p < e.numDets; p++) if (e.rankInImage[p] < maxDet) out.push(p);
      return Int32Array.from(out);
    });
    for (let a = 0; a < A; a++) {
      if (e.npig[a] === 0) continue;
      for (let m = 0; m < M; m++) accumulateCurve(e, k, a, m, K, acc, included[m]);
    }
  }
  return summarize(ds, evals, acc);
}

/**
 * pycocotools `accumulate` for one (class, area, maxDets): cumulative TP/FP over the ranked
 * detections, precision envelope, precision at the 101 recall points.
 * Only TP events matter: recall changes only there, and the right-to-left max of precision
 * from any index is attained at a TP event at or after it, so the envelope and the
 * `searchsorted(rc, r, 'left')` lookups run over TP events only (same values, far fewer steps).
 */
function accumulateCurve(e: CocoClassEval, k: number, a: number, m: number, K: number, acc: Accumulated, included: Int32Array): void {
  const M = COCO_MAX_DETS.length;
  const R = COCO_RECALL_THRESHOLDS.length;
  const npig = e.npig[a];
  const evRc = new Float64Array(Math.min(npig, included.length));
  const evPr = new Float64Array(evRc.length);
  for (let t = 0; t < T; t++) {
    const base = (a * T + t) * e.numDets;
    let tp = 0;
    let fp = 0;
    for (let q = 0; q < included.length; q++) {
      const code = e.codes[base + included[q]];
      if (code === FP) fp++;
      else if (code === TP) {
        tp++;
        evRc[tp - 1] = tp / npig;
        evPr[tp - 1] = tp / (fp + tp + 2.220446049250313e-16);
      }
    }
    const ri = ((t * K + k) * A + a) * M + m;
    acc.recall[ri] = included.length ? tp / npig : 0;
    for (let i = tp - 1; i > 0; i--) if (evPr[i] > evPr[i - 1]) evPr[i - 1] = evPr[i];
    // First TP event with recall >= r; recall 0 is reached at index 0 whose envelope is evPr[0].
    let i = 0;
    for (let r = 0; r < R; r++) {
      const thr = COCO_RECALL_THRESHOLDS[r];
      while (i < tp && evRc[i] < thr) i++;
      acc.precision[ri * R + r] = i < tp ? evPr[i] : 0;
    }
  }
}

/** Mean of the entries > −1 selected by the index ranges, −1 if none (pycocotools `_summarize`). */
function meanValid(values: Float64Array, indices: Iterable<number>): number {
  let s = 0;
  let n = 0;
  for (const i of indices) {
    const v = values[i];
    if (v > -1) {
      s += v;
      n++;
    }
  }
  return n ? s / n : -1;
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

function summarize(ds: EvalDataset, evals: CocoClassEval[], acc: Accumulated): ProtocolResult {
  const K = evals.length;
  const M = COCO_MAX_DETS.length;
  const R = COCO_RECALL_THRESHOLDS.length;
  const precIdx = function* (ts: number[], ks: number[], a: number, m: number): Generator<number> {
    for (const t of ts) for (const k of ks) for (let r = 0; r < R; r++) yield ((((t * K + k) * A + a) * M + m) * R) + r;
  };
  const recIdx = function* (ks: number[], a: number, m: number): Generator<number> {
    for (let t = 0; t < T; t++) for (const k of ks) yield ((t * K + k) * A + a) * M + m;
  };
  const allT = [...range(T)];
  const allK = [...range(K)];
  const ap = (ts: number[], a: number, ks = allK): number => meanValid(acc.precision, precIdx(ts, ks, a, M - 1));
  const ar = (a: number, m: number): number => meanValid(acc.recall, recIdx(allK, a, m));
  const stats: CocoStats = {
    AP: ap(allT, 0),
    AP50: ap([0], 0),
    AP75: ap([5], 0),
    AP_small: ap(allT, 1),
    AP_medium: ap(allT, 2),
    AP_large: ap(allT, 3),
    AR1: ar(0, 0),
    AR10: ar(0, 1),
    AR100: ar(0, 2),
    AR_small: ar(1, 2),
    AR_medium: ar(2, 2),
    AR_large: ar(3, 2),
  };
  const nan = (v: number): number => (v === -1 ? Number.NaN : v);
  const perClass: ClassResult[] = evals.map((e, k) => ({
    label: k,
    name: ds.classes[k],
    ap: nan(ap(allT, 0, [k])),
    ap50: nan(ap([0], 0, [k])),
    ap75: nan(ap([5], 0, [k])),
    apPerThreshold: allT.map((t) => nan(ap([t], 0, [k]))),
    numGts: e.npig[0],
    numDets: e.numDets,
    numIgnored: e.numCrowd,
    inMap: e.npig[0] > 0,
  }));
  const mAPPerThreshold = allT.map((t) => nan(ap([t], 0)));
  return {
    protocol: 'coco',
    mAP: stats.AP === -1 ? 0 : stats.AP,
    AP50: stats.AP50 === -1 ? 0 : stats.AP50,
    AP75: stats.AP75 === -1 ? 0 : stats.AP75,
    iouThresholds: [...COCO_IOU_THRESHOLDS],
    mAPPerThreshold,
    cocoStats: stats,
    perClass,
    numImages: ds.images.length,
  };
}
