/**
 * The VOC-family greedy matcher shared by `voc07`, `voc`, `dota` and `soi` (mmdet
 * `tpfp_default`, mmrotate `eval_rbbox_map`, DOTA devkit `voc_eval`):
 *
 * per class and image, each detection (in rank order) looks at the single GT with the highest
 * IoU (its argmax, computed once over normal AND ignored GTs). Above the threshold: an ignored
 * argmax makes the detection neither TP nor FP; a free one is taken (TP); a taken one makes it
 * a duplicate (FP) — there is NO fallback to the second-best GT. Below: FP. No GT at all: FP.
 *
 * The IoU matrix and argmax are computed once per (class, image) and reused for every
 * threshold (soi uses 10), which is what makes multi-threshold evaluation cheap.
 */
import { gatherRows, indexByClassImage, rankDetections, type TieOrder } from './grouping.js';
import { hbbIoUInto, pairwiseIoU } from './pairwise-iou.js';
import { quadTables, type QuadTables } from './protocols/convex-quad-iou.js';
import { devkitPolyIoUInto } from './protocols/devkit-poly-iou.js';
import { BOX_DIM, type EvalDataset } from './types.js';

export interface GreedyMatchOptions {
  /** IoU thresholds; one TP/FP assignment per threshold. */
  thresholds: readonly number[];
  /** `true`: IoU must exceed the threshold (devkit `>`); `false`: reach it (mmdet `>=`). */
  strict: boolean;
  /** Whether difficult GTs are ignored (voc/dota) or ordinary positives (soi). */
  ignoreDifficult: boolean;
  /**
   * Argmax order on exact IoU ties: `normal-first` = mmdet (normal GTs stacked before ignored
   * ones, first wins); `file` = devkit (GTs in file order, first wins).
   */
  argmaxOrder: 'normal-first' | 'file';
  tieOrder: TieOrder;
  legacyPlusOne?: boolean;
  /** poly geometry: `devkit` = the DOTA devkit's `polyiou` bit for bit (dota protocol); default exact. */
  polyIoU?: 'exact' | 'devkit';
}

/** Per class: the detections in rank order with their TP/FP flags per threshold. */
export interface ClassMatches {
  /** Positives: GTs of the class that are not ignored. */
  numGts: number;
  /** All GTs of the class that are ignored (difficult). */
  numIgnored: number;
  numDets: number;
  /** [T][numDets], 1 = true positive, rank order. */
  tp: Uint8Array[];
  /** [T][numDets], 1 = false positive, rank order (neither = ignored detection). */
  fp: Uint8Array[];
}

/** Runs the greedy matcher for every class of `ds`. */
export function greedyMatch(ds: EvalDataset, opts: GreedyMatchOptions): ClassMatches[] {
  const dim = BOX_DIM[ds.geometry];
  const rank = rankDetections(ds, opts.tieOrder);
  const idx = indexByClassImage(ds, rank);
  const T = opts.thresholds.length;
  // Position of each detection inside its class's rank-ordered list.
  const posInClass = new Int32Array(ds.dets.labels.length);
  for (let c = 0; c < idx.numClasses; c++) {
    const { start, items } = idx.detsByClass;
    for (let p = start[c]; p < start[c + 1]; p++) posInClass[items[p]] = p - start[c];
  }
  const out: ClassMatches[] = [];
  const scratch = new Scratch();
  // The devkit IoU's per-quad tables, once for the dataset rather than per (class, image).
  if (opts.polyIoU === 'devkit' && ds.geometry === 'poly') scratch.quads = { dets: quadTables(ds.dets.boxes), gts: quadTables(ds.gts.boxes), threshold: Math.min(...opts.thresholds) };
  for (let c = 0; c < idx.numClasses; c++) {
    const numDets = idx.detsByClass.start[c + 1] - idx.detsByClass.start[c];
    out.push({
      numGts: 0,
      numIgnored: 0,
      numDets,
      tp: Array.from({ length: T }, () => new Uint8Array(numDets)),
      fp: Array.from({ length: T }, () => new Uint8Array(numDets)),
    });
  }
  // Image-major: the groups are independent, and an image's rows (one stretch of the tables in
  // reader order) stay in cache across its classes instead of being fetched once per class.
  for (let im = 0; im < idx.numImages; im++) {
    for (let c = 0; c < idx.numClasses; c++) matchImage(ds, dim, idx, c * idx.numImages + im, posInClass, opts, out[c], scratch);
  }
  return out;
}

/** Per-image work arrays, grown on demand and reused across the (class, image) groups. */
class Scratch {
  ignored = new Uint8Array(16);
  covered = new Uint8Array(16);
  maxIou = new Float64Array(16);
  argmax = new Int32Array(16);
  /** [D, G] IoU of the current group. */
  iou = new Float64Array(256);
  quads?: { dets: QuadTables; gts: QuadTables; threshold: number };

  ensure(G: number, D: number): void {
    if (D * G > this.iou.length) this.iou = new Float64Array(Math.max(D * G, 2 * this.iou.length));
    if (G > this.ignored.length) {
      this.ignored = new Uint8Array(Math.max(G, 2 * this.ignored.length));
      this.covered = new Uint8Array(this.ignored.length);
    }
    if (D > this.maxIou.length) {
      this.maxIou = new Float64Array(Math.max(D, 2 * this.maxIou.length));
      this.argmax = new Int32Array(this.maxIou.length);
    }
  }
}

function matchImage(
  ds: EvalDataset,
  dim: number,
  idx: ReturnType<typeof indexByClassImage>,
  key: number,
  posInClass: Int32Array,
  opts: GreedyMatchOptions,
  res: ClassMatches,
  scratch: Scratch,
): void {
  const g0 = idx.gtsByClassImage.start[key];
  const g1 = idx.gtsByClassImage.start[key + 1];
  const d0 = idx.detsByClassImage.start[key];
  const d1 = idx.detsByClassImage.start[key + 1];
  const G = g1 - g0;
  const D = d1 - d0;
  const gtItems = idx.gtsByClassImage.items;
  const detItems = idx.detsByClassImage.items;
  scratch.ensure(G, D);
  const { ignored, maxIou, argmax, covered } = scratch;
  for (let j = 0; j < G; j++) {
    ignored[j] = opts.ignoreDifficult ? ds.gts.difficult[gtItems[g0 + j]] : 0;
    if (ignored[j]) res.numIgnored++;
    else res.numGts++;
  }
  if (D === 0) return;
  const T = opts.thresholds.length;
  if (G === 0) {
    for (let i = 0; i < D; i++) {
      const p = posInClass[detItems[d0 + i]];
      for (let t = 0; t < T; t++) res.fp[t][p] = 1;
    }
    return;
  }
  let iou: Float64Array = scratch.iou;
  if (scratch.quads) devkitPolyIoUInto(iou, scratch.quads.dets, detItems, d0, D, scratch.quads.gts, gtItems, g0, G, scratch.quads.threshold);
  else if (ds.geometry === 'hbb') hbbIoUInto(iou, ds.dets.boxes, detItems, d0, D, ds.gts.boxes, gtItems, g0, G, opts.legacyPlusOne);
  else iou = pairwiseIoU(ds.geometry, gatherRows(ds.dets.boxes, dim, detItems, d0, d1), gatherRows(ds.gts.boxes, dim, gtItems, g0, g1), { legacyPlusOne: opts.legacyPlusOne });
  for (let i = 0; i < D; i++) argmaxRow(iou, i * G, G, ignored, opts.argmaxOrder, maxIou, argmax, i);
  for (let t = 0; t < T; t++) {
    const thr = opts.thresholds[t];
    covered.fill(0, 0, G);
    const tp = res.tp[t];
    const fp = res.fp[t];
    for (let i = 0; i < D; i++) {
      const p = posInClass[detItems[d0 + i]];
      const v = maxIou[i];
      if (opts.strict ? v > thr : v >= thr) {
        const j = argmax[i];
        if (ignored[j]) continue; // matched an ignored GT: neither TP nor FP
        if (covered[j]) fp[p] = 1;
        else {
          covered[j] = 1;
          tp[p] = 1;
        }
      } else fp[p] = 1;
    }
  }
}

/** Max IoU of row `i` and its argmax; exact ties go to the first GT in the chosen order. */
function argmaxRow(
  iou: Float64Array,
  off: number,
  G: number,
  ignored: Uint8Array,
  order: 'normal-first' | 'file',
  maxIou: Float64Array,
  argmax: Int32Array,
  i: number,
): void {
  let best = -Infinity;
  let arg = -1;
  if (order === 'file') {
    for (let j = 0; j < G; j++) if (iou[off + j] > best || arg < 0) ((best = iou[off + j]), (arg = j));
  } else {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < G; j++) {
        if (ignored[j] !== pass) continue;
        if (iou[off + j] > best || arg < 0) ((best = iou[off + j]), (arg = j));
      }
    }
  }
  maxIou[i] = best;
  argmax[i] = arg;
}
